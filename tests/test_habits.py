"""Project habits that are easy to lose: one version source, pinned tools, a kept changelog."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import matchkit as mk

ROOT = Path(__file__).parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins() -> dict[str, str]:
    pins = {}
    for requirement in PYPROJECT["project"]["optional-dependencies"]["test"]:
        name, sep, version = requirement.partition("==")
        if sep:
            pins[name.strip().lower()] = version.strip()
    return pins


def test_the_version_is_written_once():
    assert "version" not in PYPROJECT["project"]
    assert "version" in PYPROJECT["project"]["dynamic"]
    source = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert source == "matchkit.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+", mk.__version__)


def test_the_changelog_follows_keep_a_changelog_and_knows_this_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert f"## [{mk.__version__}]" in text


def test_checking_tools_are_pinned():
    pins = _pins()
    for tool in ("ruff", "mypy", "pytest", "hypothesis", "pytest-cov"):
        assert tool in pins, tool


def test_pre_commit_runs_the_projects_own_ruff_and_mypy():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = {hook["id"]: hook["entry"] for repo in config["repos"] for hook in repo["hooks"]}
    assert entries["ruff-check"].startswith(".venv/bin/ruff check")
    assert entries["ruff-format"].startswith(".venv/bin/ruff format --check")
    assert entries["mypy"] == ".venv/bin/mypy"
    header = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    pins = _pins()
    assert f"ruff=={pins['ruff']}" in header and f"mypy=={pins['mypy']}" in header
