from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import matchkit as mk


def test_all_is_sorted_and_names_every_public_attribute():
    public = {n for n in vars(mk) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(mk, n)).__name__ == "module"}
    # ruff's RUF022 order: constants (SCORE_SCALE) first, then the rest alphabetically.
    assert mk.__all__ == sorted(mk.__all__, key=lambda n: (not n.isupper(), n))
    assert set(mk.__all__) == public - modules


def test_every_public_name_has_a_docstring():
    for name in mk.__all__:
        assert getattr(mk, name).__doc__, name


def _modules():
    yield "matchkit"
    for info in pkgutil.walk_packages(mk.__path__, "matchkit."):
        if not info.name.startswith("matchkit.profiles"):
            yield info.name


@pytest.mark.parametrize("module_name", list(_modules()))
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_no_source_file_evaluates_or_executes_text():
    src = Path(mk.__file__).parent
    pattern = re.compile(r"(^|[^.\w])(eval|exec)\(|pickle\.loads?\(|yaml\.load\(|\.query\(")
    offenders = [
        f"{p.name}:{i}"
        for p in src.rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_the_logistic_function_is_written_once():
    # One implementation per fact: matchkit._math.expit; a second copy could drift.
    src = Path(mk.__file__).parent
    pattern = re.compile(r"1(\.0)? / \(1(\.0)? \+ np\.exp\(|def _?(expit|sigmoid|logistic)\(")
    found = [
        f"{p.relative_to(src)}:{i}"
        for p in sorted(src.rglob("*.py"))
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == ["_math.py:12", "_math.py:20"]
