"""The layout by data flow holds: no module reaches into another stage's private parts.

A stage subpackage (rules/, recommend/, planning/, synth/, learn/) shares what others need
through its ``__init__``; the top-level private modules (``_caseload``, ``_fields`` ...) are
the common data layer every stage may use. Users, docs and notebooks import public names only.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import matchkit as mk

SRC = Path(mk.__file__).parent
ROOT = Path(__file__).parents[1]


def _package(module: str) -> str:
    """The stage subpackage a dotted module name belongs to ("" for the top-level modules)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (SRC / parts[1]).is_dir() else ""


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(SRC.parent).with_suffix("").parts)


def private_imports() -> list[str]:
    """Imports of another stage's private module, or of a private name from another package."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        here = _package(_module_name(path))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [(node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [(alias.name, "") for alias in node.names]
            else:
                continue
            for module, name in targets:
                if module.split(".")[0] != "matchkit":
                    continue
                there = _package(module)
                inner = module.split(".")[2:] if there else []
                if there not in ("", here) and any(p.startswith("_") for p in inner):
                    found.append(f"{_module_name(path)}:{node.lineno} imports {module}")
                elif name.startswith("_") and there != here:
                    found.append(f"{_module_name(path)}:{node.lineno} imports {module}.{name}")
    return found


def test_no_module_imports_a_private_name_across_subpackages():
    assert private_imports() == []


def _code_of_docs() -> list[tuple[str, str]]:
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "docs").glob("*.md"))]
    texts.append(("README.md", (ROOT / "README.md").read_text(encoding="utf-8")))
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        texts.append((nb.name, code))
    return texts


def test_docs_readme_and_notebooks_import_public_names_only():
    private = re.compile(
        r"^\s*(from|import)\s+matchkit(\.[a-z]\w*)*\._\w+"  # a private module
        r"|^\s*from\s+matchkit\S*\s+import\s+.*\b_\w+"  # a private name
    )
    offenders = [
        f"{name}: {line.strip()}"
        for name, text in _code_of_docs()
        for line in text.splitlines()
        if private.search(line)
    ]
    assert offenders == []
