"""Issue 9: `matchkit catalog` tells where an approach was piloted apart from where offered."""

from __future__ import annotations

import io
from pathlib import Path

from matchkit.cli import main


def _catalog(*args: str | Path) -> list[str]:
    out = io.StringIO()
    assert main(["catalog", *map(str, args)], out=out) == 0
    return out.getvalue().splitlines()


def _row(lines: list[str], approach_id: str) -> str:
    return next(line for line in lines if line.startswith(approach_id + " "))


def test_the_pilot_places_are_labelled_as_piloted_not_as_offered():
    lines = _catalog()
    assert "piloted in" in lines[0]
    assert "where" not in lines[0] and "offered" not in lines[0]
    assert "Sittard-Geleen" in _row(lines, "fip")


def test_the_dutch_table_says_gepilot_in():
    lines = _catalog("--lang", "nl")
    assert "gepilot in" in lines[0] and "plaatsen" in lines[0]
    assert "activering" in _row(lines, "fip")
    assert "_" not in lines[0]


def test_an_offering_adds_an_offered_column_next_to_the_pilot_places():
    lines = _catalog("--offered", "fip,app")
    assert "piloted in" in lines[0] and "offered in" in lines[0]
    assert _row(lines, "fip").endswith("everywhere")
    assert _row(lines, "energiebox").endswith("nowhere")
    assert "Utrecht" in _row(lines, "energiebox")  # piloted there, not offered


def test_an_offering_file_shows_the_areas_per_approach(tmp_path):
    path = tmp_path / "offering.yaml"
    path.write_text('Utrecht: [energiebox, fip]\nZaanstad: [app, fip]\n"*": [fip]\n')
    lines = _catalog("--offering", path, "--lang", "nl")
    assert "aangeboden in" in lines[0]
    assert _row(lines, "fip").endswith("Utrecht, Zaanstad, overige plaatsen")
    assert _row(lines, "energiebox").endswith("Utrecht")
    assert _row(lines, "app").endswith("Zaanstad")
    assert _row(lines, "top").endswith("nergens")


def test_an_offering_naming_an_unknown_approach_is_one_line_and_exit_2(capsys):
    assert main(["catalog", "--offered", "fip,nope"], out=io.StringIO()) == 2
    assert "nope" in capsys.readouterr().err
