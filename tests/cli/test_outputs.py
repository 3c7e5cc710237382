"""Output files: chosen by extension, written atomically, never a formula in a spreadsheet."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import matchkit as mk
from matchkit import _output
from matchkit.cli import main

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "profiles" / "examples" / "clients.jsonl"
OLD = "the old output, which must survive\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*argv: str | Path) -> tuple[int, str]:
    out = io.StringIO()
    code = main([str(a) for a in argv], out=out)
    return code, out.getvalue()


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def hostile_clients(tmp_path: Path) -> Path:
    """Clients whose ids a spreadsheet would read as formulas.

    The id pattern allows letters, digits and ``._-``, so ``-2-3`` is the formula-like id that
    can occur; the other formula starts are checked on :func:`write_table` directly.
    """
    path = tmp_path / "clients.jsonl"
    lines = [
        {"client_id": "-2-3", "age": 40, "municipality": '=HYPERLINK("http://x")'},
        {"client_id": "-SUM.1", "age": 50, "municipality": "+cmd|' /C calc'!A0"},
        {"client_id": "ok-1", "age": 30},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return path


# ---------------------------------------------------------------- formats by extension


@pytest.mark.slow
def test_out_json_is_one_json_array(tmp_path):
    target = tmp_path / "recs.json"
    assert run("recommend", "--clients", EXAMPLES, "--top", "2", "--out", target)[0] == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == len(mk.read_caseload(EXAMPLES))
    assert {"client_id", "recommendations"} == set(data[0])


@pytest.mark.slow
def test_out_jsonl_is_one_object_per_line(tmp_path):
    target = tmp_path / "recs.jsonl"
    assert run("recommend", "--clients", EXAMPLES, "--out", target)[0] == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert all(isinstance(json.loads(line), dict) for line in lines)


@pytest.mark.parametrize("command", ["recommend", "assign"])
@pytest.mark.slow
def test_out_parquet_reads_back_with_pyarrow_and_duckdb(tmp_path, command):
    import duckdb

    target = tmp_path / "out.parquet"
    argv = [command, "--clients", EXAMPLES, "--out", target]
    assert run(*argv)[0] == 0
    table = pq.read_table(target)
    assert "client_id" in table.column_names and table.num_rows > 0
    with duckdb.connect() as con:
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()
    assert rows is not None and rows[0] == table.num_rows


@pytest.mark.parametrize("command", ["recommend", "assign"])
@pytest.mark.slow
def test_out_xlsx_opens_with_openpyxl(tmp_path, command):
    from openpyxl import load_workbook

    target = tmp_path / "out.xlsx"
    assert run(command, "--clients", EXAMPLES, "--out", target)[0] == 0
    sheet = load_workbook(target).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "client_id" and sheet.max_row > 1


@pytest.mark.parametrize(
    "argv",
    [
        ["recommend", "--clients", EXAMPLES, "--out", "{dir}/recs.foo"],
        ["recommend", "--clients", EXAMPLES, "--out", "{dir}/recs"],
        ["assign", "--clients", EXAMPLES, "--out", "{dir}/plan.txt"],
        ["pools", "--clients", EXAMPLES, "--out", "{dir}/pools.foo"],
        ["report", "--clients", EXAMPLES, "--out", "{dir}/report.csv"],
        ["synth", "--n", "3", "--seed", "1", "--out", "{dir}/s.xlsx"],
        ["evaluate", "--n", "50", "--out", "{dir}/groups.foo"],
    ],
)
def test_any_other_extension_exits_2_and_writes_nothing(tmp_path, capsys, argv):
    code, _ = run(*[str(a).format(dir=tmp_path) for a in argv])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "extension" in err
    assert list(tmp_path.iterdir()) == []


def test_format_disagreeing_with_the_extension_exits_2(tmp_path, capsys):
    code, _ = run(
        "recommend", "--clients", EXAMPLES, "--format", "csv", "--out", tmp_path / "r.jsonl"
    )
    assert code == 2 and "does not match" in capsys.readouterr().err


@pytest.mark.slow
def test_format_json_still_writes_json_lines_and_says_it_is_deprecated(capsys):
    code, text = run("recommend", "--clients", EXAMPLES, "--format", "json")
    assert code == 0
    assert all(isinstance(json.loads(line), dict) for line in text.splitlines())
    assert "deprecated" in capsys.readouterr().err
    code, same = run("recommend", "--clients", EXAMPLES, "--format", "jsonl")
    assert same == text


# ---------------------------------------------------------------- spreadsheet safety


@pytest.mark.slow
def test_csv_and_xlsx_outputs_have_no_formula_cells_for_hostile_ids(tmp_path, hostile_clients):
    from openpyxl import load_workbook

    csv_out, xlsx_out = tmp_path / "recs.csv", tmp_path / "recs.xlsx"
    assert run("recommend", "--clients", hostile_clients, "--out", csv_out)[0] == 0
    assert run("recommend", "--clients", hostile_clients, "--out", xlsx_out)[0] == 0
    ids = set(pd.read_csv(csv_out, dtype=str)["client_id"])
    assert ids == {"'-2-3", "'-SUM.1", "ok-1"}
    book = load_workbook(xlsx_out)
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert "'-2-3" in {c.value for c in cells}


def test_raw_cells_writes_values_as_they_are(tmp_path, hostile_clients):
    out = tmp_path / "plan.csv"
    assert run("assign", "--clients", hostile_clients, "--out", out, "--raw-cells")[0] == 0
    assert "-2-3" in set(pd.read_csv(out, dtype=str)["client_id"])


@pytest.mark.slow
def test_write_table_neutralises_every_formula_start_in_csv_and_xlsx(tmp_path):
    from openpyxl import load_workbook

    values = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "fine", '=HYPERLINK("x")']
    frame = pd.DataFrame({"text": values, "n": range(len(values))})
    _output.write_table(frame, tmp_path / "t.csv")
    _output.write_table(frame, tmp_path / "t.xlsx")
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)["text"]
    assert [v.startswith("'") for v in back] == [True] * 6 + [False, True]
    sheet = load_workbook(tmp_path / "t.xlsx").active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert [c.value for c in cells if c.column == 1][-1] == '\'=HYPERLINK("x")'


# ---------------------------------------------------------------- nothing lost


def test_output_equal_to_the_input_is_refused_and_the_input_kept(tmp_path, capsys):
    clients = tmp_path / "clients.csv"
    mk.write_caseload(mk.read_caseload(EXAMPLES), clients)
    before = clients.read_bytes()
    for command in ("recommend", "assign"):
        code, _ = run(command, "--clients", clients, "--out", clients)
        assert code == 2
        assert "is the input file" in capsys.readouterr().err
    assert clients.read_bytes() == before


def test_output_through_another_name_of_the_input_is_refused(tmp_path, capsys):
    clients = tmp_path / "clients.csv"
    mk.write_caseload(mk.read_caseload(EXAMPLES), clients)
    (tmp_path / "sub").mkdir()
    code, _ = run(
        "recommend", "--clients", clients, "--out", tmp_path / "sub" / ".." / "clients.csv"
    )
    assert code == 2


@pytest.mark.parametrize(
    ("command", "name"),
    [("recommend", "out.csv"), ("assign", "plan.csv"), ("report", "r.html")],
)
@pytest.mark.slow
def test_a_failure_midway_leaves_the_old_file_and_no_partial_file(
    tmp_path, monkeypatch, capsys, command, name
):
    target = tmp_path / name
    target.write_text(OLD, encoding="utf-8")
    real_replace = os.replace

    def full_disk(src, dst):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(_output.os, "replace", full_disk)  # type: ignore[attr-defined]
    code, _ = run(command, "--clients", EXAMPLES, "--out", target)
    monkeypatch.setattr(_output.os, "replace", real_replace)  # type: ignore[attr-defined]
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and name in err
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(tmp_path) == []


def test_ctrl_c_while_writing_exits_130_and_keeps_the_old_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "recs.jsonl"
    target.write_text(OLD, encoding="utf-8")
    import matchkit.cli as cli
    from matchkit.recommend._render import json_chunks as real

    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        # The lines of the first block are written, then Ctrl+C.
        for chunk in real(*args, **kwargs):
            calls["n"] += 1
            yield chunk
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "json_chunks", interrupted)
    code, _ = run("recommend", "--clients", EXAMPLES, "--out", target)
    assert calls["n"] == 1
    assert code == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(tmp_path) == []


def _launcher() -> list[str]:
    return [sys.executable, "-m", "matchkit.cli"]


@pytest.mark.slow
def test_ctrl_c_on_a_real_process_keeps_the_old_file(tmp_path):
    clients = tmp_path / "clients.parquet"
    _synth(clients, 10_000)
    target = tmp_path / "recs.jsonl"
    target.write_text(OLD, encoding="utf-8")
    proc = subprocess.Popen(
        [*_launcher(), "recommend", "--clients", str(clients), "--out", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not _leftovers(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _leftovers(tmp_path), "the temporary file never appeared"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().count("\n") == 0 and "interrupted" in err
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(tmp_path) == []


def _synth(path: Path, n: int) -> None:
    assert main(["synth", "--n", str(n), "--seed", "3", "--out", str(path)], out=io.StringIO()) == 0


def _limit_file_size() -> None:  # runs in the child before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["recommend", "--format", "csv"], "recs.csv"),
        (["recommend"], "recs.json"),
        (["assign"], "plan.csv"),
        (["report"], "report.html"),
    ],
)
@pytest.mark.slow
def test_disk_full_keeps_the_old_file_and_leaves_no_partial_file(tmp_path, argv, name):
    clients = tmp_path / "clients.parquet"
    _synth(clients, 2_000)
    target = tmp_path / name
    target.write_text(OLD, encoding="utf-8")
    proc = subprocess.run(
        [*_launcher(), *argv[:1], "--clients", str(clients), *argv[1:], "--out", str(target)],
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "File too large" in proc.stderr and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(tmp_path) == []


@pytest.mark.slow
def test_synth_on_a_full_disk_keeps_the_old_file(tmp_path):
    target = tmp_path / "s.csv"
    target.write_text(OLD, encoding="utf-8")
    proc = subprocess.run(
        [*_launcher(), "synth", "--n", "3000", "--seed", "1", "--out", str(target)],
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.slow
def test_dev_full_as_output_and_as_stdout_exits_2_with_one_line(tmp_path):
    proc = subprocess.run(
        [*_launcher(), "recommend", "--clients", str(EXAMPLES), "--out", "/dev/full"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "/dev/full" in proc.stderr
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [*_launcher(), "recommend", "--clients", str(EXAMPLES)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "standard output" in proc.stderr


@pytest.mark.parametrize("case", ["missing_dir", "is_dir", "read_only"])
def test_unwritable_outputs_exit_2_with_one_line(tmp_path, capsys, case):
    if case == "missing_dir":
        target = tmp_path / "no" / "such" / "recs.csv"
    elif case == "is_dir":
        target = tmp_path / "a_dir.csv"
        target.mkdir()
    else:
        if IS_ROOT:
            pytest.skip("root may write into a read-only directory")
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = ro / "recs.csv"
    code, _ = run("recommend", "--clients", EXAMPLES, "--out", target)
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_atomic_path_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "x.csv"
    target.write_text("a\n")
    target.chmod(0o640)
    _output.write_table(pd.DataFrame({"a": [1]}), target)
    assert target.stat().st_mode & 0o777 == 0o640
