"""Packaging: distribution name, licence, version, and a wheel built without warnings."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import matchkit as mk
from matchkit.cli import main

ROOT = Path(__file__).parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_distribution_name_is_not_the_taken_name_and_import_name_stays():
    # `matchkit` on the package index is an unrelated project.
    assert PYPROJECT["project"]["name"] == "matchkit-bijstand"
    assert mk.__name__ == "matchkit"


def test_licence_file_is_the_eupl_1_2_named_in_pyproject():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["license"] == "EUPL-1.2"
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "Appendix" in text and len(text) > 10_000


def test_version_option_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"matchkit {mk.__version__}"


@pytest.mark.slow
def test_wheel_builds_without_warnings_and_ships_the_catalog(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-cache-dir", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    # pip itself may warn about the machine's index configuration; setuptools must not warn.
    build_log = proc.stdout + proc.stderr
    assert "Package would be ignored" not in build_log
    assert "SetuptoolsDeprecationWarning" not in build_log
    assert "BuildBackendWarning" not in build_log
    (wheel,) = tmp_path.glob("matchkit_bijstand-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    approaches = {n for n in names if n.startswith("matchkit/profiles/approaches/")}
    assert len(approaches) == len(list((ROOT / "profiles" / "approaches").glob("*.yaml")))
    assert "matchkit/profiles/examples/clients.jsonl" in names
    # The web page (matchkit[web]) ships its templates, vendored static files and migrations.
    for name in (
        "templates/web/base.html",
        "static/matchkit/htmx.min.js",
        "static/matchkit/htmx.LICENSE.txt",
        "migrations/0001_initial.py",
    ):
        assert f"matchkit/web/{name}" in names, name
    assert any(n.endswith("licenses/LICENSE") for n in names)
