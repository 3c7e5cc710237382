"""JSON Lines recommendations are written by the C encoder with json_line's exact text."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

import matchkit as mk
from matchkit._output import json_line
from matchkit.cli import _recommendation_json, write_recommendations


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_line_is_the_text_json_line_writes(lang):
    caseload = mk.generate_caseload(400, seed=8)
    result = mk.Recommender(mk.load_catalog()).recommend_batch(caseload)
    out = io.StringIO()
    write_recommendations(result, out, "jsonl", 3, False, lang)
    lines = out.getvalue().splitlines()
    expected = []
    for cid, recs in result.iter_clients(top=3, lang=lang):
        line = {"client_id": cid, "recommendations": [r.to_dict() for r in recs]}
        apart = [r.approach_id for r in recs if not r.offered and r.status != "ineligible"]
        if apart:
            line["not_offered"] = apart
        expected.append(json_line(line))
    assert lines == expected


def test_numpy_values_and_nan_go_through_json_line():
    line = {
        "client_id": "c-1",
        "recommendations": [
            {"score": np.float64("nan"), "rank": np.int64(2), "ok": np.bool_(True)},
            {"score": float("inf"), "reasons": ("a", "b")},
        ],
    }
    text = _recommendation_json(line)
    assert text == json_line(line)
    assert json.loads(text)["recommendations"][0] == {"score": None, "rank": 2, "ok": True}
