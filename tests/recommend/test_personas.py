"""The persona cases written from the report, run through the CLI as a user would.

``personas.jsonl`` beside this file holds the project's own acceptance cases: one case per line,
``{"client": profile, "expect": {...}, "note": source}`` (format in docs/spec/interface.md).
More case files can be added with the ``MATCHKIT_PERSONAS`` environment variable (paths
separated by the OS path separator); every expectation in every file must hold.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from matchkit.cli import main

PERSONAS = [Path(__file__).with_name("personas.jsonl")] + [
    Path(p) for p in os.environ.get("MATCHKIT_PERSONAS", "").split(os.pathsep) if p
]
CASES = [
    json.loads(line) for path in PERSONAS for line in path.read_text().splitlines() if line.strip()
]


@pytest.fixture(scope="module")
def cli_output(tmp_path_factory) -> dict[str, list[dict]]:
    path = tmp_path_factory.mktemp("personas") / "personas.jsonl"
    path.write_text("".join(json.dumps(c["client"]) + "\n" for c in CASES))
    out = io.StringIO()
    code = main(
        ["recommend", "--clients", str(path), "--format", "json", "--include-ineligible"], out=out
    )
    assert code == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return {line["client_id"]: line["recommendations"] for line in lines}


def test_there_are_personas_to_check():
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[c["client"]["client_id"] for c in CASES])
def test_persona_expectations_hold(case, cli_output):
    recs = cli_output[case["client"]["client_id"]]
    by_id = {r["approach_id"]: r for r in recs}
    expect = case["expect"]
    top1 = [r["approach_id"] for r in recs if r["rank"] == 1]
    if "top1_in" in expect:
        assert top1 and top1[0] in expect["top1_in"], (case["note"], recs)
    if "not_top1" in expect:
        assert not top1 or top1[0] not in expect["not_top1"], case["note"]
    for approach_id, status in expect.get("status", {}).items():
        assert by_id[approach_id]["status"] == status, (case["note"], by_id[approach_id])
    for approach_id, fields in expect.get("to_verify", {}).items():
        assert set(fields) <= set(by_id[approach_id]["to_verify"]), case["note"]
    if expect.get("no_eligible"):
        assert all(r["status"] != "eligible" for r in recs), case["note"]
