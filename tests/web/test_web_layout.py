"""The web page uses the library by its public names; the core never imports Django."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import matchkit as mk

SRC = Path(mk.__file__).parent
# What the web package may import from matchkit: the facade, its errors, the public
# subpackage ``recommend`` (``field_label``) and itself.
ALLOWED = {"matchkit", "matchkit.errors", "matchkit.recommend"}


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
    return found


def test_the_web_package_imports_public_names_only():
    bad = [
        f"{p.relative_to(SRC)}: {m}"
        for p in sorted((SRC / "web").rglob("*.py"))
        for m in _imports(p)
        if m.split(".")[0] == "matchkit" and m not in ALLOWED and not m.startswith("matchkit.web")
    ]
    assert bad == []


def test_nothing_outside_the_web_package_imports_django_at_module_level():
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        if "web" in path.relative_to(SRC).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only: cli.py imports the web lazily
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            bad += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in ("django", "django_htmx")
            ]
            bad += [f"{path.name}: {n}" for n in names if n.startswith("matchkit.web")]
    assert bad == []


@pytest.mark.slow
def test_import_matchkit_works_without_django():
    code = (
        "import sys; sys.modules['django'] = None; sys.modules['django_htmx'] = None\n"
        "import matchkit, matchkit.cli\n"
        "print(len(matchkit.load_catalog()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) > 0


@pytest.mark.django_db
def test_the_web_tests_run_on_the_database_asked_for():
    from django.db import connection

    asked = os.environ.get("MATCHKIT_DB", "sqlite")
    expected = "postgresql" if asked.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def test_vendored_htmx_runs_no_eval_and_no_inline_scripts():
    """htmx can evaluate text (``hx-vars``, ``js:``, its ``eval`` helper) only when
    ``allowEval`` is on; every page turns it off, with inline scripts and other hosts."""
    base = (SRC / "web" / "templates" / "web" / "base.html").read_text(encoding="utf-8")
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert meta is not None, "base.html must configure htmx"
    config = json.loads(meta.group(1))
    assert config == {"allowEval": False, "allowScriptTags": False, "selfRequestsOnly": True}
