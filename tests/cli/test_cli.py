"""The command line: exit codes, output formats and error reporting of `matchkit`."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit.cli import main
from tests.strategies import profile_records

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "profiles" / "examples" / "clients.jsonl"
BUILTIN = ROOT / "profiles" / "approaches"
EXAMPLE_RECORDS = [json.loads(line) for line in EXAMPLES.read_text().splitlines() if line]
EXAMPLE_IDS = [r["client_id"] for r in EXAMPLE_RECORDS]

JSON_KEYS = {"client_id", "recommendations"}
RECOMMENDATION_KEYS = {
    "approach_id",
    "rank",
    "status",
    "score",
    "reasons",
    "to_verify",
    "failed_rules",
}
CSV_HEADER = "client_id,approach_id,rank,status,score,to_verify,failed_rules"


def run(*argv: str | Path) -> tuple[int, str]:
    """Run the CLI in-process; return the exit code and what it wrote to `out`."""
    out = io.StringIO()
    code = main([str(a) for a in argv], out=out)
    return code, out.getvalue()


def recommend_json(*argv: str | Path) -> list[dict[str, Any]]:
    code, text = run("recommend", "--clients", EXAMPLES, "--format", "jsonl", *argv)
    assert code == 0
    return [json.loads(line) for line in text.splitlines()]


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def hundred_with_three_bad(tmp_path) -> Path:
    records = [
        {**EXAMPLE_RECORDS[i % len(EXAMPLE_RECORDS)], "client_id": f"c{i:03d}"} for i in range(100)
    ]
    records[7]["age"] = 12
    records[41]["dutch_level"] = "B9"
    records[99]["zrm"] = {**records[99]["zrm"], "housing": 9}
    return _write_jsonl(tmp_path / "clients.jsonl", records)


# ----------------------------------------------------------------------------- help


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["demo", "--help"],
        ["catalog", "--help"],
        ["validate", "--help"],
        ["recommend", "--help"],
    ],
    ids=" ".join,
)
def test_help_of_every_command_exits_0_and_shows_usage(capsys, argv):
    assert main(argv, out=io.StringIO()) == 0
    assert "usage: matchkit" in capsys.readouterr().out


def test_top_level_help_lists_every_command(capsys):
    main(["--help"], out=io.StringIO())
    help_text = capsys.readouterr().out
    for command in ("demo", "catalog", "validate", "recommend"):
        assert command in help_text


def test_no_command_is_a_usage_error(capsys):
    assert main([], out=io.StringIO()) == 2
    assert "usage: matchkit" in capsys.readouterr().err


# ----------------------------------------------------------------------------- demo and catalog


@pytest.mark.slow
def test_demo_prints_the_catalog_and_recommendations_for_every_example_client():
    code, text = run("demo")
    assert code == 0
    for approach_id in mk.load_catalog():
        assert approach_id in text
    lines = text.splitlines()
    for client_id in EXAMPLE_IDS:
        assert client_id in lines
    assert "eligible" in text
    assert "Meets all" in text


def test_catalog_lists_every_builtin_approach_with_its_places():
    code, text = run("catalog")
    assert code == 0
    rows = {line.split()[0]: line.split() for line in text.splitlines()[2:]}
    catalog = mk.load_catalog()
    assert sorted(rows) == catalog.ids
    for approach_id, approach in catalog.items():
        assert str(approach.places) in rows[approach_id]


def test_catalog_lists_a_user_catalog(tmp_path):
    shutil.copy(BUILTIN / "fip.yaml", tmp_path / "fip.yaml")
    code, text = run("catalog", "--catalog", tmp_path)
    assert code == 0
    assert [line.split()[0] for line in text.splitlines()[2:]] == ["fip"]


# ----------------------------------------------------------------------------- validate


def test_validate_clients_accepts_the_example_clients():
    code, text = run("validate", "clients", EXAMPLES)
    assert code == 0
    assert "12 clients, all valid" in text


def test_validate_clients_lists_every_bad_record_with_line_and_field(
    capsys, hundred_with_three_bad
):
    code, text = run("validate", "clients", hundred_with_three_bad)
    assert code == 2
    assert text == ""
    err = capsys.readouterr().err
    assert "3 problem(s) in 3 record(s)" in err
    assert str(hundred_with_three_bad) in err
    for where, field, value in [
        ("line 8 (client_id c007)", "age", "12"),
        ("line 42 (client_id c041)", "dutch_level", "'B9'"),
        ("line 100 (client_id c099)", "zrm_housing", "9"),
    ]:
        [line] = [line for line in err.splitlines() if where in line]
        assert f"{field}={value}" in line


def test_validate_catalog_accepts_a_good_directory():
    code, text = run("validate", "catalog", BUILTIN)
    assert code == 0
    assert "7 approaches, all valid" in text


def test_validate_catalog_rejects_a_bad_directory_listing_every_problem(capsys, tmp_path):
    for name in ("fip.yaml", "top.yaml"):
        data = yaml.safe_load((BUILTIN / name).read_text(encoding="utf-8"))
        data["rules"][0]["rule"] = "shoe_size > 3"
        (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, text = run("validate", "catalog", tmp_path)
    assert code == 2
    assert text == ""
    err = capsys.readouterr().err
    for name in ("fip", "top"):
        assert f"{tmp_path / (name + '.yaml')}: approach {name}, rules[0]" in err
    assert err.count("shoe_size") >= 2


def test_validate_catalog_rejects_a_missing_directory(capsys, tmp_path):
    assert run("validate", "catalog", tmp_path / "absent")[0] == 2
    assert "absent" in capsys.readouterr().err


# ----------------------------------------------------------------------------- recommend


@pytest.mark.slow
def test_recommend_json_writes_one_line_per_client_with_exactly_the_interface_keys():
    lines = recommend_json("--include-ineligible")
    assert [line["client_id"] for line in lines] == EXAMPLE_IDS
    for line in lines:
        assert set(line) == JSON_KEYS
        assert len(line["recommendations"]) == 7
        for r in line["recommendations"]:
            assert set(r) == RECOMMENDATION_KEYS
            assert 0 <= r["score"] <= 1


@pytest.mark.slow
def test_recommend_json_matches_the_python_api():
    rec = mk.Recommender(mk.load_catalog())
    lines = recommend_json("--top", "3")
    for line, profile in zip(lines, mk.read_caseload(EXAMPLES).profiles(), strict=True):
        expected = [r.to_dict() for r in rec.recommend(profile, top=3)]
        assert line["recommendations"] == expected


def test_recommend_lists_only_ranked_approaches_by_default():
    for line in recommend_json():
        ranks = [r["rank"] for r in line["recommendations"]]
        assert ranks == list(range(1, len(ranks) + 1))
        assert all(r["status"] != "ineligible" for r in line["recommendations"])


@pytest.mark.slow
def test_top_2_lists_at_most_the_first_two_ranked_approaches():
    full = recommend_json()
    top2 = recommend_json("--top", "2")
    assert [line["recommendations"] for line in top2] == [
        line["recommendations"][:2] for line in full
    ]
    assert max(len(line["recommendations"]) for line in top2) == 2


@pytest.mark.slow
def test_include_ineligible_appends_the_ineligible_ones_after_the_ranked_ones_with_rank_null():
    ranked = recommend_json("--top", "2")
    everything = recommend_json("--top", "2", "--include-ineligible")
    assert any(len(line["recommendations"]) > 2 for line in everything)
    for short, line in zip(ranked, everything, strict=True):
        recs = line["recommendations"]
        k = len(short["recommendations"])
        assert recs[:k] == short["recommendations"]
        tail = recs[k:]
        assert all(r["rank"] is None for r in tail)
        assert all(r["status"] == "ineligible" and r["failed_rules"] for r in tail)
        assert [r["approach_id"] for r in tail] == sorted(r["approach_id"] for r in tail)


@pytest.mark.slow
def test_include_ineligible_without_top_lists_every_approach_once():
    for line in recommend_json("--include-ineligible"):
        ids = [r["approach_id"] for r in line["recommendations"]]
        assert sorted(ids) == mk.load_catalog().ids


@pytest.mark.slow
def test_dutch_reasons_differ_from_english_but_nothing_else_does():
    english = recommend_json("--include-ineligible")
    dutch = recommend_json("--include-ineligible", "--lang", "nl")
    for en_line, nl_line in zip(english, dutch, strict=True):
        for en, nl in zip(en_line["recommendations"], nl_line["recommendations"], strict=True):
            assert {**en, "reasons": None} == {**nl, "reasons": None}
            assert en["reasons"] != nl["reasons"]
            assert len(en["reasons"]) == len(nl["reasons"])


@pytest.mark.slow
def test_table_lists_every_client_with_its_rank_1_approach_by_name():
    code, text = run("recommend", "--clients", EXAMPLES, "--top", "1")
    assert code == 0
    blocks = [b.splitlines() for b in text.strip().split("\n\n")]
    assert [b[0] for b in blocks] == EXAMPLE_IDS
    catalog = mk.load_catalog()
    for block, line in zip(blocks, recommend_json("--top", "1"), strict=True):
        [first] = line["recommendations"]
        name = catalog[first["approach_id"]].name
        assert block[1].split()[0] == "1", block
        assert name[:30] in block[1] and first["status"] in block[1].split()
        assert first["approach_id"] not in block[1] or first["approach_id"] in name.lower()


def test_table_explains_the_score_scale_once_in_words():
    code, text = run("recommend", "--clients", EXAMPLES, "--lang", "nl")
    assert code == 0
    assert text.count("Score 0-1") == 1
    assert "doelprofiel" in text.split("Score 0-1")[1]


def _csv_rows(*argv: str | Path) -> tuple[str, list[dict[str, str]]]:
    code, text = run("recommend", "--clients", EXAMPLES, "--format", "csv", *argv)
    assert code == 0
    return text.splitlines()[0], list(csv.DictReader(io.StringIO(text)))


def test_csv_header_is_exactly_the_interface_columns():
    header, _ = _csv_rows()
    assert header == CSV_HEADER


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv", [[], ["--top", "2"], ["--include-ineligible"], ["--top", "1", "--include-ineligible"]]
)
def test_csv_lists_the_same_rows_as_json_with_scores_at_full_precision(argv):
    _, rows = _csv_rows(*argv)
    expected = [
        (line["client_id"], r) for line in recommend_json(*argv) for r in line["recommendations"]
    ]
    assert len(rows) == len(expected)
    for row, (client_id, r) in zip(rows, expected, strict=True):
        assert row["client_id"] == client_id
        assert row["approach_id"] == r["approach_id"]
        assert row["rank"] == ("" if r["rank"] is None else str(r["rank"]))
        assert row["status"] == r["status"]
        assert float(row["score"]) == r["score"]
        assert row["to_verify"] == ";".join(r["to_verify"])
        assert row["failed_rules"] == ";".join(r["failed_rules"])


@pytest.mark.slow
# Each example runs the whole CLI twice; fewer examples than the shared profile keep it quick.
@settings(max_examples=20)
@given(
    records=st.lists(profile_records(), min_size=1, max_size=8, unique_by=lambda r: r["client_id"])
)
def test_csv_scores_parse_back_exactly_to_the_json_scores_for_any_valid_clients(records):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_jsonl(Path(tmp) / "clients.jsonl", records)
        argv = ["recommend", "--clients", str(path), "--include-ineligible", "--format"]
        code, text = run(*argv, "jsonl")
        assert code == 0
        scores = [
            r["score"] for line in text.splitlines() for r in json.loads(line)["recommendations"]
        ]
        code, text = run(*argv, "csv")
        assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [float(row["score"]) for row in rows] == scores


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.slow
def test_out_writes_to_the_file_instead_of_standard_output(tmp_path, fmt):
    target = tmp_path / f"recs.{fmt}"
    argv = ["recommend", "--clients", EXAMPLES, "--top", "2"]
    code, text = run(*argv, "--out", target)  # type: ignore[arg-type]
    assert code == 0
    assert text == ""
    assert target.read_text(encoding="utf-8") == run(*argv, "--format", fmt)[1]  # type: ignore[arg-type]


def test_recommend_on_a_bad_client_file_exits_2_listing_every_error(capsys, hundred_with_three_bad):
    code, text = run("recommend", "--clients", hundred_with_three_bad, "--format", "jsonl")
    assert code == 2
    assert text == ""
    err = capsys.readouterr().err
    for where in (
        "line 8 (client_id c007): age",
        "line 42 (client_id c041): dutch_level",
        "line 100 (client_id c099): zrm_housing",
    ):
        assert where in err


@pytest.mark.parametrize("command", ["recommend", "validate"])
def test_a_missing_client_file_exits_2(capsys, tmp_path, command):
    path = tmp_path / "absent.jsonl"
    argv = (
        ["recommend", "--clients", path]
        if command == "recommend"
        else ["validate", "clients", path]
    )
    assert run(*argv)[0] == 2
    assert "absent.jsonl" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["recommend", "validate"])
def test_a_client_file_that_is_not_jsonl_csv_or_parquet_exits_2(capsys, tmp_path, command):
    path = tmp_path / "clients.txt"
    path.write_text(EXAMPLES.read_text())
    argv = (
        ["recommend", "--clients", path]
        if command == "recommend"
        else ["validate", "clients", path]
    )
    assert run(*argv)[0] == 2
    err = capsys.readouterr().err
    assert ".txt" in err
    assert ".jsonl" in err


@pytest.mark.parametrize(
    ("top", "message"),
    [
        ("0", "0 is not allowed; expected 1 or more"),
        ("-1", "-1 is not allowed; expected 1 or more"),
        ("two", "'two' is not a whole number"),
    ],
)
def test_top_below_1_or_not_a_number_is_a_usage_error(capsys, top, message):
    code, text = run("recommend", "--clients", EXAMPLES, f"--top={top}")
    assert code == 2
    assert text == ""
    assert f"argument --top: {message}" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["recommend", "--clients", str(EXAMPLES), "--format", "xml"],
        ["recommend", "--clients", str(EXAMPLES), "--lang", "de"],
        ["recommend"],
        ["validate", "people", str(EXAMPLES)],
    ],
    ids=" ".join,
)
def test_bad_arguments_are_usage_errors(capsys, argv):
    assert main(argv, out=io.StringIO()) == 2
    assert "usage: matchkit" in capsys.readouterr().err


def test_recommend_with_a_bad_catalog_exits_2(capsys, tmp_path):
    (tmp_path / "broken.yaml").write_text("id: [\n")
    code, _ = run("recommend", "--clients", EXAMPLES, "--catalog", tmp_path)
    assert code == 2
    assert "broken.yaml" in capsys.readouterr().err


# ----------------------------------------------------------------------------- real entry point


def _launcher() -> list[str]:
    script = Path(sys.executable).parent / "matchkit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "matchkit.cli"]


@pytest.mark.slow
def test_the_installed_command_recommends_and_exits_0(tmp_path):
    proc = subprocess.run(
        [*_launcher(), "recommend", "--clients", str(EXAMPLES), "--format", "jsonl", "--top", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["client_id"] for line in proc.stdout.splitlines()] == EXAMPLE_IDS


@pytest.mark.slow
def test_the_installed_command_exits_2_on_bad_input_with_the_errors_on_stderr(
    tmp_path, hundred_with_three_bad
):
    proc = subprocess.run(
        [*_launcher(), "validate", "clients", str(hundred_with_three_bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "3 problem(s) in 3 record(s)" in proc.stderr


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_synth_writes_a_valid_caseload_in_every_format(tmp_path, suffix):
    path = tmp_path / f"synthetic{suffix}"
    out = io.StringIO()
    assert main(["synth", "--n", "200", "--seed", "4", "--out", str(path)], out=out) == 0
    assert len(mk.read_caseload(path)) == 200
    assert "200 synthetic clients" in out.getvalue()


def test_synth_rejects_an_unknown_format(tmp_path, capsys):
    code = main(["synth", "--n", "5", "--seed", "1", "--out", str(tmp_path / "x.txt")])
    assert code == 2
    assert ".parquet" in capsys.readouterr().err


@pytest.mark.slow
def test_evaluate_prints_every_strategy_and_the_group_gaps(tmp_path):
    out = io.StringIO()
    groups_csv = tmp_path / "groups.csv"
    code = main(["evaluate", "--n", "1500", "--seed", "2", "--out", str(groups_csv)], out=out)
    assert code == 0
    text = out.getvalue()
    for strategy in ("recommender", "rules_only", "similarity_only", "random", "oracle"):
        assert strategy in text
    assert "gap (max - min)" in text
    assert groups_csv.read_text().startswith("dimension,group,clients")
