"""Every bad input file, catalog and option value: exit 2 with one clear line, no traceback."""

from __future__ import annotations

import gzip
import io
import json
import os
import time
from pathlib import Path

import pytest

import matchkit as mk
from matchkit.cli import build_parser, main

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "profiles" / "examples" / "clients.jsonl"
DUTCH_EXPORT = str(EXAMPLES).replace("clients.jsonl", "dutch-export.csv")
BUILTIN = ROOT / "profiles" / "approaches"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
GOOD_LINE = '{"client_id": "c-1", "age": 40}\n'


def run(*argv: str | Path) -> tuple[int, str]:
    out = io.StringIO()
    code = main([str(a) for a in argv], out=out)
    return code, out.getvalue()


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("matchkit: ")
    return err


# ---------------------------------------------------------------- client files


def _bad_client_file(tmp_path: Path, case: str) -> Path:
    if case == "empty_csv":
        path = tmp_path / "c.csv"
        path.write_text("")
    elif case == "unbalanced_quote":
        path = tmp_path / "c.csv"
        path.write_text('client_id,age\n"c-1,40\nc-2,50\n')
    elif case == "extra_cells":
        path = tmp_path / "c.csv"
        path.write_text("client_id,age\nc-1,40\nc-2,50,7,8\n")
    elif case == "latin1_csv":
        path = tmp_path / "c.csv"
        path.write_bytes("client_id,age,municipality\nc-1,40,Súdwest-Fryslân\n".encode("latin-1"))
    elif case == "latin1_jsonl":
        path = tmp_path / "c.jsonl"
        path.write_bytes(
            '{"client_id": "c-1", "age": 40, "municipality": "Súdwest"}\n'.encode("latin-1")
        )
    elif case == "gzip_jsonl":
        path = tmp_path / "c.jsonl"
        path.write_bytes(gzip.compress(GOOD_LINE.encode()))
    elif case == "garbage_parquet":
        path = tmp_path / "c.parquet"
        path.write_bytes(os.urandom(300))
    elif case == "jsonl_parquet":
        path = tmp_path / "c.parquet"
        path.write_text(GOOD_LINE)
    elif case == "directory":
        path = tmp_path / "c.jsonl"
        path.mkdir()
    elif case == "missing":
        path = tmp_path / "nothing.jsonl"
    else:
        raise AssertionError(case)
    return path


INPUT_CASES = [
    "empty_csv",
    "unbalanced_quote",
    "extra_cells",
    "latin1_csv",
    "latin1_jsonl",
    "gzip_jsonl",
    "garbage_parquet",
    "jsonl_parquet",
    "directory",
    "missing",
]


@pytest.mark.parametrize("case", INPUT_CASES)
@pytest.mark.parametrize(
    "command",
    [
        ["validate", "clients", "{path}"],
        ["recommend", "--clients", "{path}"],
        ["pools", "--clients", "{path}"],
        ["assign", "--clients", "{path}", "--out", "{tmp}/plan.csv"],
        ["report", "--clients", "{path}", "--out", "{tmp}/r.html"],
    ],
)
@pytest.mark.slow
def test_an_unreadable_client_file_exits_2_with_one_line_naming_it(tmp_path, capsys, case, command):
    path = _bad_client_file(tmp_path, case)
    argv = [a.format(path=path, tmp=tmp_path) for a in command]
    code, text = run(*argv)
    assert code == 2
    err = _one_line(capsys.readouterr().err)
    assert str(path) in err
    assert text == ""
    assert not (tmp_path / "plan.csv").exists() and not (tmp_path / "r.html").exists()


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode")
def test_an_unreadable_file_exits_2(tmp_path, capsys):
    path = tmp_path / "c.jsonl"
    path.write_text(GOOD_LINE)
    path.chmod(0)
    assert run("recommend", "--clients", path)[0] == 2
    _one_line(capsys.readouterr().err)


def test_a_permission_error_while_reading_is_one_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "c.csv"
    path.write_text("client_id,age\nc-1,40\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("pandas.read_csv", denied)
    assert run("recommend", "--clients", path)[0] == 2
    assert "Permission denied" in _one_line(capsys.readouterr().err)


def test_the_csv_errors_name_the_line(tmp_path, capsys):
    path = _bad_client_file(tmp_path, "extra_cells")
    run("validate", "clients", path)
    assert "line 3" in capsys.readouterr().err


def test_a_bom_is_accepted_in_jsonl_and_csv(tmp_path):
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_bytes(b"\xef\xbb\xbf" + GOOD_LINE.encode())
    csv = tmp_path / "c.csv"
    csv.write_bytes(b"\xef\xbb\xbfclient_id,age\nc-1,40\n")
    assert mk.read_caseload(jsonl).client_ids == ["c-1"]
    assert mk.read_caseload(csv).client_ids == ["c-1"]


# ---------------------------------------------------------------- catalogs

GOOD_APPROACH = (BUILTIN / "energiebox.yaml").read_text(encoding="utf-8")


def _catalog_dir(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "catalog"
    d.mkdir(exist_ok=True)
    (d / "a.yaml").write_text(text, encoding="utf-8")
    return d


ALIAS_BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *[f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)],
    ]
)


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path, capsys):
    d = _catalog_dir(tmp_path, ALIAS_BOMB)
    start = time.perf_counter()
    code, _ = run("validate", "catalog", d)
    assert time.perf_counter() - start < 10  # refused before any expansion, not after minutes
    assert code == 2
    err = capsys.readouterr().err
    assert "expands to more than" in err and len(err) < 1_000


def test_a_self_referencing_alias_is_refused(tmp_path, capsys):
    d = _catalog_dir(tmp_path, "a: &a [1, *a]\n")
    assert run("validate", "catalog", d)[0] == 2
    assert "containing itself" in capsys.readouterr().err


def test_plain_aliases_as_yaml_safe_dump_writes_them_are_fine(tmp_path):
    import yaml

    data = _energiebox()
    shared = {"nl": "gedeeld", "en": "shared"}
    for rule in data["rules"]:
        rule["reason"] = shared  # one object twice: safe_dump writes an anchor and an alias
    text = yaml.safe_dump(data, allow_unicode=True)
    assert "&id" in text and "*id" in text
    assert len(mk.load_catalog(_catalog_dir(tmp_path, text))) == 1


def test_deeply_nested_yaml_is_refused(tmp_path, capsys):
    d = _catalog_dir(tmp_path, "a: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert run("validate", "catalog", d)[0] == 2
    err = capsys.readouterr().err
    assert "nested more than" in err and "Traceback" not in err


def test_a_duplicate_yaml_key_is_an_error_not_a_silent_overwrite(tmp_path, capsys):
    text = GOOD_APPROACH + "\nrules: []\n"
    d = _catalog_dir(tmp_path, text)
    assert run("validate", "catalog", d)[0] == 2
    assert "duplicate key 'rules'" in capsys.readouterr().err


def _energiebox() -> dict:  # type: ignore[type-arg]
    return mk.load_catalog()["energiebox"].model_dump(mode="json")


def _set(data: dict, where: str, value: object) -> None:  # type: ignore[type-arg]
    *path, last = where.split(".")
    for key in path:
        data = data[int(key)] if isinstance(data, list) else data[key]
    data[int(last) if isinstance(data, list) else last] = value


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("rules.0.weight", ".inf"),
        ("rules.0.weight", "1e308"),
        ("rules.0.weight", ".nan"),
        ("target.0.weight", ".inf"),
        ("target.0.tolerance", ".inf"),
        ("facts.capacity.places.value", "1000000000000000000000000000000"),
    ],
)
@pytest.mark.slow
def test_catalog_numbers_must_be_finite_and_in_bounds(tmp_path, capsys, where, value):
    data = _energiebox()
    _set(data, where, "@@VALUE@@")
    text = json.dumps(data).replace('"@@VALUE@@"', value)  # YAML reads .inf, .nan, big ints
    d = _catalog_dir(tmp_path, text)
    assert run("validate", "catalog", d)[0] == 2
    err = capsys.readouterr().err
    assert where.split(".")[-1] in err or "places" in err, err


def test_a_prefer_range_with_min_above_max_is_refused(tmp_path):
    data = _energiebox()
    data["target"].append(
        {
            "id": "age-window",
            "feature": "age",
            "prefer": {"min": 60, "max": 30},
            "source": "test",
            "label": {"nl": "leeftijd", "en": "age"},
        }
    )
    (tmp_path / "x.yaml").write_text(json.dumps(data))
    with pytest.raises(mk.CatalogError, match="min=60 > max=30"):
        mk.load_catalog(tmp_path / "x.yaml")
    data["target"][-1]["prefer"] = {"min": float("nan")}
    (tmp_path / "x.yaml").write_text(json.dumps(data).replace("NaN", ".nan"))
    with pytest.raises(mk.CatalogError, match="finite"):
        mk.load_catalog(tmp_path / "x.yaml")


def test_a_latin1_catalog_file_is_one_clear_error(tmp_path, capsys):
    d = tmp_path / "catalog"
    d.mkdir()
    (d / "a.yaml").write_bytes(
        GOOD_APPROACH.replace("Energiebox", "Énergie").encode("latin-1", errors="replace")
    )
    assert run("validate", "catalog", d)[0] == 2
    assert "not UTF-8" in capsys.readouterr().err


# ---------------------------------------------------------------- echoes and terminals


def test_a_huge_bad_value_is_echoed_cut_short_with_its_length(tmp_path, capsys):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"client_id": "c-1", "age": 40, "gender": "x" * 1_000_000}) + "\n")
    assert run("validate", "clients", path)[0] == 2
    err = capsys.readouterr().err
    assert len(err) < 2_000 and "1,000,000 characters" in err


@pytest.mark.slow
def test_a_huge_rule_is_echoed_cut_short(tmp_path, capsys):
    data = _energiebox()
    data["rules"][0]["rule"] = "age >= 1 and " * 8_000 + "nosuchfield == 1"
    (tmp_path / "x.yaml").write_text(json.dumps(data))
    assert run("validate", "catalog", tmp_path / "x.yaml")[0] == 2
    err = capsys.readouterr().err
    assert len(err) < 3_000 and "characters" in err


def test_escape_sequences_in_a_catalog_never_reach_the_terminal(tmp_path):
    data = _energiebox()
    data["name"] = "Energie\x1b[31mbox\x1b]0;pwned\x07"
    data["rules"][0]["reason"]["en"] = "reason \x1b[2J cleared"
    (tmp_path / "x.yaml").write_text(json.dumps(data))
    for argv in (
        ["catalog", "--catalog", tmp_path / "x.yaml"],
        ["recommend", "--clients", EXAMPLES, "--catalog", tmp_path / "x.yaml", "--top", "9"],
    ):
        code, text = run(*argv)
        assert code == 0
        assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31m" in run("catalog", "--catalog", tmp_path / "x.yaml")[1]


# ---------------------------------------------------------------- every option, a bad value

# A bad value for every option of every command (issue 12, part 4). Options whose value is a
# path are covered above; flags take no value.
BAD_OPTIONS: dict[str, list[list[str]]] = {
    "recommend": [
        ["--clients", DUTCH_EXPORT, "--sep", ";;"],
        ["--columns", "{tmp}/nothing.yaml"],
        ["--top", "0"],
        ["--top", "-1"],
        ["--top", "three"],
        ["--top", "1.5"],
        ["--format", "xml"],
        ["--lang", "de"],
        ["--out", "{tmp}/x.foo"],
        ["--catalog", "{tmp}/nothing"],
        ["--clients", "{tmp}/nothing.jsonl"],
        ["--clients", "{tmp}/clients.txt"],
        ["--offered", "nosuch"],
        ["--offering", "{tmp}/nothing.yaml"],
        ["--effects", "{tmp}/nothing.json"],
    ],
    "show": [["nosuch"], ["fip", "--lang", "de"], ["fip", "--catalog", "{tmp}/nothing"]],
    "validate": [
        ["clients", "{tmp}/nothing.jsonl"],
        ["catalog", "{tmp}/nothing"],
        ["other", "x"],
        ["clients", DUTCH_EXPORT, "--sep", ";;"],
        ["clients", DUTCH_EXPORT, "--columns", "{tmp}/nothing.yaml"],
    ],
    "catalog": [
        ["--catalog", "{tmp}/nothing"],
        ["--lang", "de"],
        ["--offered", "nosuch"],
        ["--offering", "{tmp}/nothing.yaml"],
    ],
    "synth": [["--n", "-1"], ["--n", "x"], ["--seed", "-5"], ["--out", "{tmp}/s.foo"]],
    "evaluate": [
        ["--n", "0"],
        ["--n", "1e3"],
        ["--seed", "-1"],
        ["--catalog", "{tmp}/nothing"],
        ["--out", "{tmp}/g.foo"],
        ["--history", "{tmp}/nothing.csv", "--outcome", "exit_12m"],
        ["--outcome", "exit_12m"],
        ["--features", ",", "--history", "{tmp}/nothing.csv", "--outcome", "exit_12m"],
        ["--depth", "0"],
    ],
    "learn": [
        ["--history", "{tmp}/nothing.jsonl"],
        ["--outcome", " "],
        ["--features", ","],
        ["--controls", ","],
        ["--folds", "1"],
        ["--seed", "-1"],
        ["--catalog", "{tmp}/nothing"],
        ["--out", "{tmp}/m.txt"],
    ],
    "pools": [
        ["--clients", DUTCH_EXPORT, "--sep", ";;"],
        ["--columns", "{tmp}/nothing.yaml"],
        ["--clients", "{tmp}/nothing.csv"],
        ["--catalog", "{tmp}/nothing"],
        ["--selection-ratio", "fip=2"],
        ["--selection-ratio", "fip=0"],
        ["--selection-ratio", "fip=nan"],
        ["--selection-ratio", "nosuch=0.5"],
        ["--selection-ratio", "fip=0.5,fip=0.4"],
        ["--selection-ratio", "fip"],
        ["--capacity", "fip=-1"],
        ["--capacity", "fip=2,fip=3"],
        ["--offered", "nosuch"],
        ["--offering", "{tmp}/nothing.yaml"],
        ["--out", "{tmp}/p.foo"],
    ],
    "assign": [
        ["--clients", DUTCH_EXPORT, "--sep", ";;"],
        ["--columns", "{tmp}/nothing.yaml"],
        ["--clients", "{tmp}/nothing.parquet"],
        ["--catalog", "{tmp}/nothing"],
        ["--capacity", "fip=99999999999999999999"],
        ["--capacity", "fip=-1"],
        ["--capacity", "fip=1.5"],
        ["--capacity", "fip=5,fip=1"],
        ["--capacity", "nosuch=5"],
        ["--min-share", "gender=female:2"],
        ["--min-share", "gender=female:nan"],
        ["--min-share", "nosuch=x:0.5"],
        ["--min-share", "gender=female:0.1,gender=female:0.2"],
        ["--method", "best"],
        ["--offered", "nosuch"],
        ["--offering", "{tmp}/nothing.yaml"],
        ["--out", "{tmp}/a.foo"],
    ],
    "report": [
        ["--clients", DUTCH_EXPORT, "--sep", ";;"],
        ["--columns", "{tmp}/nothing.yaml"],
        ["--clients", "{tmp}/nothing.jsonl"],
        ["--catalog", "{tmp}/nothing"],
        ["--capacity", "fip=1e400"],
        ["--capacity", "fip=5,fip=1"],
        ["--min-share", "female"],
        ["--offered", "nosuch"],
        ["--offering", "{tmp}/nothing.yaml"],
        ["--lang", "de"],
        ["--out", "{tmp}/r.pdf"],
    ],
    # The web page's commands: every value is checked before Django starts.
    "serve": [
        ["--port", "0"],
        ["--port", "http"],
        ["--host", "not a host"],
        ["--workers", "0"],
        ["--threads", "many"],
        ["--db", "mysql://u@h/db"],
        ["--data-dir", str(EXAMPLES)],
        ["--create-user", "no spaces allowed"],
        ["--role", "boss"],
        ["--team", "t" * 101],
    ],
    "decisions": [["nosuch"]],
}

_NEEDS = {
    "recommend": ["--clients", str(EXAMPLES)],
    "pools": ["--clients", str(EXAMPLES)],
    "assign": ["--clients", str(EXAMPLES), "--out", "{tmp}/ok.csv"],
    "report": ["--clients", str(EXAMPLES), "--out", "{tmp}/ok.html"],
    "synth": ["--n", "5", "--seed", "1", "--out", "{tmp}/ok.jsonl"],
    "evaluate": ["--n", "200"],
    "learn": ["--history", "{tmp}/nosuch.csv", "--outcome", "exit_12m", "--out", "{tmp}/m.json"],
}


def _with_required(command: str, bad: list[str]) -> list[str]:
    needed = _NEEDS.get(command, [])
    out, i = [], 0
    while i < len(needed):
        if needed[i] not in bad:
            out += needed[i : i + 2]
        i += 2
    return [command, *out, *bad]


@pytest.mark.parametrize(
    ("command", "bad"), [(c, b) for c, options in BAD_OPTIONS.items() for b in options]
)
@pytest.mark.slow
def test_every_command_with_a_bad_option_value_exits_2_with_one_line(
    tmp_path, capsys, command, bad
):
    argv = [a.format(tmp=tmp_path) for a in _with_required(command, bad)]
    code, text = run(*argv)
    assert code == 2, (argv, text)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # argparse prints its usage line and one error line; our own errors are one line.
    lines = err.strip().splitlines()
    assert lines[0].startswith("usage:") or len(lines) == 1, err
    assert lines[-1].startswith("matchkit")
    assert not (tmp_path / "ok.csv").exists() and not (tmp_path / "ok.html").exists()


def test_every_option_of_every_command_has_a_bad_value_case():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    untested = []
    for name, command_parser in sub.choices.items():  # type: ignore[union-attr]
        tested = {opt for case in BAD_OPTIONS.get(name, []) for opt in case}
        for action in command_parser._actions:
            if action.nargs == 0 or action.dest == "help":  # flags take no value
                continue
            names = set(action.option_strings) or {action.dest}
            positional_tested = name == "show" and action.dest == "id"  # ["nosuch"] above
            if (
                not (names & tested)
                and action.dest not in ("what", "path")
                and not positional_tested
            ):
                untested.append(f"{name} {sorted(names)}")
    assert not untested, untested


def test_report_on_an_empty_caseload_exits_0_or_2_never_a_traceback(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code, _ = run("report", "--clients", empty, "--out", tmp_path / "r.html")
    err = capsys.readouterr().err
    assert "Traceback" not in err and "KeyError" not in err
    assert code in (0, 2)
