"""The columnar CSV writer writes exactly the bytes of the per-cell writer it replaced."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pytest

import matchkit as mk
from matchkit import _output
from matchkit.cli import main, write_csv_stream

# --- the writer as it was before the columnar path (commit 48d481a), kept as the reference


def _old_neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].astype(object).map(_output.neutralise_cell)
    out.columns = [_output.neutralise_cell(str(c)) for c in out.columns]
    return out


def _old_write_csv(frame: pd.DataFrame, out: IO[str]) -> None:
    has_cr = any(
        frame[c].astype(object).map(lambda v: isinstance(v, str) and "\r" in v).any()
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)
    )
    frame.to_csv(out, index=False, float_format="%.17g", lineterminator="\r\n" if has_cr else "\n")


def old_csv(frame: pd.DataFrame, *, raw_cells: bool = False) -> bytes:
    buf = io.StringIO(newline="")
    _old_write_csv(frame if raw_cells else _old_neutralised(frame), buf)
    return buf.getvalue().encode("utf-8")


def new_csv(frame: pd.DataFrame, tmp_path: Path, *, raw_cells: bool = False) -> bytes:
    path = _output.write_table(frame, tmp_path / "out.csv", raw_cells=raw_cells)
    return path.read_bytes()


# --- recommendations of a generated caseload (unknowns included)


@pytest.fixture(scope="module")
def result() -> mk.BatchResult:
    caseload = mk.generate_caseload(3_000, seed=5)
    # Unknowns: blank out a share of a few fields, so verify lists are non-trivial.
    frame = caseload.frame.copy()
    rng = np.random.default_rng(0)
    for name in ("participation_ladder", "dutch_level", "health_limitations"):
        if name in frame.columns:
            frame.loc[rng.random(len(frame)) < 0.2, name] = pd.NA
    return mk.Recommender(mk.load_catalog()).recommend_batch(mk.read_caseload(frame))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("top", "include_ineligible"), [(1, False), (3, False), (None, False), (3, True)]
)
def test_recommendation_csv_is_byte_identical_to_the_old_writer(
    result, tmp_path, top, include_ineligible
):
    frame = result.to_frame(top=top, include_ineligible=include_ineligible)
    assert (frame["to_verify"] != "").any()  # the unknowns reached the output
    if include_ineligible:
        assert (frame["failed_rules"] != "").any()
    assert new_csv(frame, tmp_path) == old_csv(frame)
    assert new_csv(frame, tmp_path, raw_cells=True) == old_csv(frame, raw_cells=True)


@pytest.mark.slow
def test_the_cli_writes_the_same_csv_to_a_file_and_to_stdout(tmp_path):
    clients = tmp_path / "clients.parquet"
    mk.generate_caseload(500, seed=2).frame.to_parquet(clients)
    out = io.StringIO()
    assert main(["recommend", "--clients", str(clients), "--format", "csv", "--top", "3"], out) == 0
    target = tmp_path / "recs.csv"
    assert main(["recommend", "--clients", str(clients), "--out", str(target), "--top", "3"]) == 0
    assert out.getvalue().encode("utf-8") == target.read_bytes()


def test_stdout_csv_neutralises_formula_cells_of_text_columns():
    # Before the columnar writer, stdout neutralised object columns only, so pandas' str
    # columns (client ids such as "-2-3") went out raw; now both paths neutralise alike.
    frame = pd.DataFrame({"client_id": pd.array(["-2-3", "ok"], dtype="str"), "x": [1, 2]})
    out = io.StringIO()
    write_csv_stream(frame, out)
    assert out.getvalue() == "client_id,x\n'-2-3,1\nok,2\n"


# --- awkward tables: every cell kind the columnar path formats, and some it leaves to pandas

AWKWARD_TEXT = [
    "plain",
    "",
    None,
    "comma,inside",
    'quote"inside',
    "new\nline",
    "carriage\rreturn",
    "both\r\n",
    "=SUM(A1)",
    "+1",
    "-2-3",
    "@x",
    "\ttab",
    " leading space",
    "trailing space ",
    "ünïcödé €",
    "'already quoted",
]


def _awkward(n: int, seed: int, text_dtype: Any, with_cr: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pool = [t for t in AWKWARD_TEXT if with_cr or t is None or "\r" not in t]
    text = [pool[k] for k in rng.integers(0, len(pool), n)]
    floats = rng.random(n) * 10.0 ** rng.integers(-8, 8, n)
    floats[rng.random(n) < 0.1] = np.nan
    floats[: min(n, 3)] = [-0.0, np.inf, 1e-300][: min(n, 3)]
    ints = pd.array(rng.integers(-5, 50, n), dtype="Int64")
    ints[rng.random(n) < 0.2] = pd.NA
    return pd.DataFrame(
        {
            "text": pd.Series(text, dtype=text_dtype),
            "score": floats,
            "rank": ints,
            "count": rng.integers(-(10**12), 10**12, n),
            "flag": rng.random(n) < 0.5,
            "=header": [pool[k] for k in rng.integers(0, len(pool), n)],
        }
    )


@pytest.mark.parametrize("text_dtype", [object, "str"])
@pytest.mark.parametrize("with_cr", [False, True])
@pytest.mark.parametrize("raw_cells", [False, True])
def test_awkward_tables_are_byte_identical(tmp_path, text_dtype, with_cr, raw_cells):
    frame = _awkward(500, seed=7, text_dtype=text_dtype, with_cr=with_cr)
    assert new_csv(frame, tmp_path, raw_cells=raw_cells) == old_csv(frame, raw_cells=raw_cells)


def test_tables_larger_than_one_chunk_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setattr(_output, "_CSV_CHUNK", 7)
    frame = _awkward(100, seed=3, text_dtype=object, with_cr=False)
    assert new_csv(frame, tmp_path) == old_csv(frame)
    assert new_csv(frame.iloc[:0], tmp_path) == old_csv(frame.iloc[:0])


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"only": ["", "a", None]}),  # one column: an empty field is quoted
        pd.DataFrame({"lists": [["a", "b"], []], "x": [1, 2]}),  # not text: left to pandas
        pd.DataFrame({"mixed": ["a", 1, True], "x": [1.5, 2.0, 3.25]}),
        pd.DataFrame({1: ["a", "b"], 2: [0.1, 0.2]}),  # column names that are not text
        pd.DataFrame({"when": pd.to_datetime(pd.Series(["2026-01-01", None])), "x": ["=a", "b"]}),
    ],
)
def test_tables_the_columnar_path_leaves_to_pandas_are_unchanged(tmp_path, frame):
    assert new_csv(frame, tmp_path) == old_csv(frame)
    assert new_csv(frame, tmp_path, raw_cells=True) == old_csv(frame, raw_cells=True)


# --- the Arrow check of text cells: every cell it lets through, and the ones it sends back


HOSTILE_IDS = ["=1+1", "+31", "-5", "@home", "\tx", "\rx", 'a"b', "a,b", "a\nb", "a\r\nb", ""]


@pytest.mark.parametrize("text_dtype", [object, "str", pd.StringDtype("python")])
@pytest.mark.parametrize("raw_cells", [False, True])
def test_hostile_ids_among_many_plain_ones_are_byte_identical(
    tmp_path, monkeypatch, text_dtype, raw_cells
):
    """Formula-like and quote-needing ids, non-ASCII, NaN scores, across chunk boundaries."""
    monkeypatch.setattr(_output, "_CSV_CHUNK", 13)
    rng = np.random.default_rng(11)
    ids: list[Any] = [f"syn-{i:05d}-é€" if i % 3 else f"id{i}" for i in range(200)]
    for k, odd in zip(rng.choice(200, len(HOSTILE_IDS), replace=False), HOSTILE_IDS, strict=True):
        ids[k] = odd
    ids[5] = None
    scores = rng.random(200)
    scores[rng.random(200) < 0.2] = np.nan
    frame = pd.DataFrame(
        {
            "client_id": pd.Series(ids, dtype=text_dtype),
            "status": pd.Series(["verify", "=x"] * 100, dtype=text_dtype),
            "score": scores,
            "rank": pd.array([1, None] * 100, dtype="Int64"),
        }
    )
    assert new_csv(frame, tmp_path, raw_cells=raw_cells) == old_csv(frame, raw_cells=raw_cells)
    # A slice of the frame (Arrow text that starts at an offset) and an empty one.
    part = frame.iloc[37:151]
    assert new_csv(part, tmp_path, raw_cells=raw_cells) == old_csv(part, raw_cells=raw_cells)
    empty = frame.iloc[:0]
    assert new_csv(empty, tmp_path, raw_cells=raw_cells) == old_csv(empty, raw_cells=raw_cells)


@pytest.mark.parametrize("with_cr", [False, True])
def test_a_text_stream_and_a_byte_stream_get_the_same_csv(with_cr):
    """``write_csv`` writes UTF-8 to a byte stream, text to a text stream: the same text."""
    for frame in (
        _awkward(300, seed=5, text_dtype="str", with_cr=with_cr),
        pd.DataFrame({"lists": [["a", "b"], []], "x": ["=1", "é"]}),  # left to pandas
    ):
        text, data = io.StringIO(newline=""), io.BytesIO()
        _output.write_csv(frame, text, neutralise=True)
        _output.write_csv(frame, data, neutralise=True)
        assert text.getvalue().encode("utf-8") == data.getvalue() == old_csv(frame)
        assert not data.closed  # the pandas path hands the byte stream back open
