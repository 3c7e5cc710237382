"""The columnar writers give, byte for byte, the text written from ``Recommendation`` objects.

``write_recommendations`` joins JSON Lines, the JSON array and the text table from pieces
rendered once per distinct case (``matchkit.recommend._render.json_chunks``,
``matchkit.cli._table_chunks``). The reference is ``cli._write_objects``: the client-by-client
writer over ``BatchResult.iter_clients`` (``Recommendation.to_dict`` and ``json.dumps``, or
``_client_block``), which ``tests/recommend/test_render_blocks.py`` holds to the per-pair
renderer. Every format, both languages, top 1/3/all, with and without the ineligible ones,
on thin files, offerings, generated catalogs, the persona cases and hostile client ids.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import matchkit as mk
from matchkit import cli
from matchkit.recommend import _recommender, _render
from matchkit.synth import DEFAULT_UNKNOWN_RATES, generate_catalog

HEAVY = {k: min(0.9, 3 * v + 0.2) for k, v in DEFAULT_UNKNOWN_RATES.items()}
OFFERING = mk.Offering(by_area={"Utrecht": ["energiebox", "fip", "buurt-mv", "top"]})
PERSONAS = Path(__file__).parents[1] / "recommend" / "personas.jsonl"
FORMATS = ("jsonl", "json-array", "table")
LISTINGS = [(1, False), (3, False), (None, False), (3, True), (None, True)]


def _reference(result: mk.BatchResult, fmt: str, top: Any, ineligible: bool, lang: Any) -> str:
    out = io.StringIO()
    cli._write_objects(result, out, fmt, top, ineligible, lang)
    return out.getvalue()


def _written(result: mk.BatchResult, fmt: str, top: Any, ineligible: bool, lang: Any) -> str:
    out = io.StringIO()
    cli.write_recommendations(result, out, fmt, top, ineligible, lang)
    return out.getvalue()


def _written_bytes(
    result: mk.BatchResult, fmt: str, top: Any, ineligible: bool, lang: Any
) -> bytes:
    """The writer's output to a byte stream (as ``recommend --out`` writes a file)."""
    out = io.BytesIO()
    cli.write_recommendations(result, out, fmt, top, ineligible, lang)
    return out.getvalue()


def _chunked(
    result: mk.BatchResult, fmt: str, top: Any, ineligible: bool, lang: Any, size: int
) -> str:
    """The writer's text with blocks of ``size`` clients (renderings shared across)."""
    if fmt == "table":
        text = "".join(t for _, t in cli._table_chunks(result, top, ineligible, lang, size))
        return text + (cli._scale_text(lang) if len(result) else "")
    array = fmt == "json-array"
    chunks = _render.json_chunks(result, top, ineligible, lang, array=array, chunk_size=size)
    text = b"".join(t for _, t in chunks).decode("utf-8")
    return f"[{text}\n]\n" if array else text


def _check(result: mk.BatchResult, sizes: tuple[int, ...] = ()) -> int:
    checked = 0
    for fmt in FORMATS:
        for lang in ("en", "nl"):
            for top, ineligible in LISTINGS:
                expected = _reference(result, fmt, top, ineligible, lang)
                got = _written(result, fmt, top, ineligible, lang)
                assert got == expected, (fmt, lang, top, ineligible)
                data = _written_bytes(result, fmt, top, ineligible, lang)
                assert data == expected.encode("utf-8"), (fmt, lang, top, ineligible)
                for size in sizes:
                    got = _chunked(result, fmt, top, ineligible, lang, size)
                    assert got == expected, (fmt, lang, top, ineligible, size)
                checked += len(expected)
    return checked


@pytest.fixture(scope="module")
def thin_offered() -> mk.BatchResult:
    rec = mk.Recommender(mk.load_catalog(), offering=OFFERING)
    return rec.recommend_batch(mk.generate_caseload(1_000, seed=21, unknown_rates=HEAVY))


@pytest.mark.slow
def test_every_format_equals_the_objects_on_thin_files_and_an_offering(thin_offered):
    result = thin_offered
    rows = np.arange(len(result))
    # The caseload reaches what the pieces must get right: leads, apart, ineligible, verify.
    assert result.thin_rows(rows).any() and result.not_offered.any()
    assert (result.status == 0).any() and (result.status == 1).any()
    assert _check(result, sizes=(7, 400)) > 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4])
def test_every_format_equals_the_objects_on_a_generated_catalog(seed):
    rec = mk.Recommender(generate_catalog(12, seed=seed))
    result = rec.recommend_batch(mk.generate_caseload(800, seed=seed, unknown_rates=HEAVY))
    _check(result, sizes=(97,))


def test_every_format_equals_the_objects_on_a_plain_caseload():
    result = mk.Recommender(mk.load_catalog()).recommend_batch(mk.generate_caseload(300, seed=2))
    _check(result, sizes=(50,))


def test_every_format_equals_the_objects_on_the_persona_cases(tmp_path):
    cases = [json.loads(line) for line in PERSONAS.read_text().splitlines() if line.strip()]
    path = tmp_path / "personas.jsonl"
    path.write_text("".join(json.dumps(c["client"]) + "\n" for c in cases))
    for offering in (None, OFFERING):
        rec = mk.Recommender(mk.load_catalog(), offering=offering)
        _check(rec.recommend_batch(mk.read_caseload(path)), sizes=(2,))


def test_hostile_client_ids_are_escaped_as_the_objects_escape_them():
    """Quotes, backslashes, unicode and control characters (past validation, as in a frame)."""
    caseload = mk.generate_caseload(240, seed=6)
    odd = ['a"b', "back\\slash", "ünï cödé", "tab\there", "\x1b[31mred", "nl\nline", "\u2028"]
    frame = caseload.frame.copy()
    ids = [f"{odd[i % len(odd)]}-{i}" for i in range(len(frame))]
    frame["client_id"] = pd.Series(ids, index=frame.index).astype(frame["client_id"].dtype)
    hostile = mk.Caseload(frame, _validated=True)
    result = mk.Recommender(mk.load_catalog(), offering=OFFERING).recommend_batch(hostile)
    assert result.client_ids == ids
    _check(result, sizes=(33,))
    table = _written(result, "table", 3, False, "en")
    assert "\x1b" not in table and "\\x1b[31mred-4" in table
    lines = _written(result, "jsonl", 3, False, "en").split("\n")[:-1]  # not at U+2028
    assert [json.loads(line)["client_id"] for line in lines] == ids


def test_one_client_and_clients_with_nothing_listed():
    rec = mk.Recommender(mk.load_catalog())
    one = rec.recommend_batch(mk.generate_caseload(1, seed=1))
    _check(one)
    # Ineligible everywhere: nothing listed without --include-ineligible.
    young = mk.generate_caseload(60, seed=5).frame.copy()
    for name, value in (("age", 18), ("wants_paid_work", False)):
        young[name] = pd.Series([value] * len(young), index=young.index).astype(young[name].dtype)
    result = rec.recommend_batch(mk.Caseload(young, _validated=True))
    assert (result.rank == 0).any(axis=1).any()
    _check(result, sizes=(7,))


def test_learned_effects_are_written_from_the_objects(monkeypatch):
    """Learned reasons are per pair: that path writes from the objects, not from the pieces."""
    result = mk.Recommender(mk.load_catalog()).recommend_batch(mk.generate_caseload(20, seed=1))
    monkeypatch.setattr(result, "learned", object())  # only its presence is read here
    calls: list[str] = []
    monkeypatch.setattr(cli, "_write_objects", lambda *a, **k: calls.append(a[2]))
    for fmt in FORMATS:
        cli.write_recommendations(result, io.StringIO(), fmt, 3, False, "en")
    assert calls == list(FORMATS)


def _block(scores: list[float], cases: list[int]) -> _render.Listed:
    parts = [_render._Parts([f"reason {c}"], [], [], [], {}) for c in range(max(cases) + 1)]
    n = len(scores)
    return _render.Listed(
        rows=np.arange(n, dtype=np.intp),
        local=np.arange(n, dtype=np.intp),
        cols=np.zeros(n, dtype=np.intp),
        case_ix=np.array(cases, dtype=np.intp),
        cases=parts,
        leads={},
    )


def test_a_pair_whose_score_differs_from_its_case_gets_its_own_text():
    scores = [0.5, 0.5, 0.25, 0.0, -0.0, float("nan"), 0.5]
    block = _block(scores, [0, 0, 0, 1, 1, 1, 2])
    flag = np.array([True, False, True, True, True, True, True])

    def make(value: float, case: Any, offered: bool) -> str:
        return f"{value!r}|{case.reasons[0]}|{offered}"

    expected = [
        make(s, block.cases[c], bool(f))
        for s, c, f in zip(scores, block.case_ix, flag, strict=True)
    ]
    for _ in range(2):  # the second time from the texts kept with the cases
        got = _render.case_strings(block, np.array(scores), flag, make, "test")
        assert got.tolist() == expected  # -0.0 is not 0.0, NaN is its own
    # Kept per value: the same case with another score is not the kept text.
    other = _render.case_strings(block, np.array(scores) / 2, flag, make, "test")
    assert other.tolist()[2] == make(0.125, block.cases[0], True)


def test_the_expectation_threshold_is_the_recommenders():
    assert _render.THIN_COVERAGE == _recommender.THIN_COVERAGE


def test_a_field_is_read_cell_by_cell_then_as_a_whole_column():
    caseload = mk.generate_caseload(500, seed=9)
    result = mk.Recommender(mk.load_catalog()).recommend_batch(caseload)
    rows = list(range(0, 500, 7))
    got = [result._stored_value(r, "age") for r in rows]
    assert "age" in result._value_columns  # 72 cells of 500 clients: the whole column
    assert got == [caseload.value(r, "age") for r in rows]
    assert [result._stored_value(r, "interests") for r in rows[:5]] == [
        caseload.value(r, "interests") for r in rows[:5]
    ]
    assert "interests" not in result._value_columns  # 5 cells: cell by cell


@pytest.mark.parametrize(("name", "fmt"), [("recs.jsonl", "jsonl"), ("recs.json", "json-array")])
def test_recommend_writes_the_objects_text_to_a_file_as_utf8(tmp_path, name, fmt):
    """``recommend --out`` writes the file as bytes: the reference text, UTF-8 encoded.

    (Hostile client ids, which reading refuses, are written to a byte stream in ``_check``.)
    """
    clients = tmp_path / "clients.parquet"
    mk.generate_caseload(400, seed=8, unknown_rates=HEAVY).frame.to_parquet(clients)
    target = tmp_path / name
    argv = ["recommend", "--clients", str(clients), "--top", "3", "--out", str(target)]
    assert cli.main(argv) == 0
    result = mk.Recommender(mk.load_catalog()).recommend_batch(mk.read_caseload(clients))
    expected = _reference(result, fmt, 3, False, "en")
    assert "€" in expected  # non-ASCII text: two bytes a character when joined as text
    assert target.read_bytes() == expected.encode("utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_standard_output_is_the_file_a_process_writes(tmp_path, fmt):
    """A real process writes its own standard output as bytes: the text ``main`` writes."""
    import subprocess
    import sys

    clients = tmp_path / "clients.parquet"
    mk.generate_caseload(300, seed=8, unknown_rates=HEAVY).frame.to_parquet(clients)
    argv = ["recommend", "--clients", str(clients), "--top", "3", "--format", fmt]
    proc = subprocess.run(
        [sys.executable, "-m", "matchkit.cli", *argv], capture_output=True, check=True
    )
    out = io.StringIO()
    assert cli.main(argv, out) == 0
    assert proc.stdout == out.getvalue().encode("utf-8")
