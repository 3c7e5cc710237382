"""Progress on the slow steps of long command-line runs: reading, recommending, rendering."""

from __future__ import annotations

import io
from pathlib import Path

from matchkit.cli import main

EXAMPLES = str(Path(__file__).parents[2] / "profiles" / "examples" / "clients.jsonl")


def test_progress_names_reading_recommending_and_rendering(capsys):
    out = io.StringIO()
    assert main(["recommend", "--clients", EXAMPLES, "--progress"], out) == 0
    err = capsys.readouterr().err
    assert "reading clients.jsonl" in err
    assert "recommending for 12 clients: step 2/2" in err
    assert "rendering and writing: 100%" in err
    assert "ex-01" in out.getvalue()


def test_no_progress_unless_asked_outside_a_terminal(capsys):
    assert main(["recommend", "--clients", EXAMPLES, "--format", "csv"], io.StringIO()) == 0
    assert capsys.readouterr().err == ""
