"""README.md and docs/*.md run as written: every python and bash block, from a clean directory.

The rules for blocks (languages, the skip marker) are in :mod:`tests.docs.blocks`. A doc's
blocks run in order as one script in an empty temporary directory that holds only the shipped
examples (``profiles/examples/``), so every other file a block names must be made by an
earlier block.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import matchkit as mk
from tests.docs.blocks import LANGUAGES, blocks, script

ROOT = Path(__file__).parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ALLOWED_SKIPS = 3  # make demo/test in the README, and two runs on a million clients


def _run(doc: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    shutil.copytree(ROOT / "profiles" / "examples", tmp_path / "profiles" / "examples")
    (tmp_path / "doc_blocks.py").write_text(script(blocks(doc)), encoding="utf-8")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "doc_blocks.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_block_has_a_known_language(doc):
    for block in blocks(doc):
        assert block.lang in LANGUAGES, (
            f"{block.where}: a fenced block needs a language, one of {', '.join(LANGUAGES)}"
        )


def test_skipped_blocks_are_few_and_give_a_reason():
    skipped = [b for doc in DOCS for b in blocks(doc) if b.skip is not None]
    assert len(skipped) <= ALLOWED_SKIPS, [b.where for b in skipped]
    assert all(len(b.skip or "") >= 10 for b in skipped)


@pytest.mark.slow
@pytest.mark.parametrize(
    "doc",
    [d for d in DOCS if any(b.lang in ("python", "bash") and not b.skip for b in blocks(d))],
    ids=lambda p: p.name,
)
def test_code_blocks_run_in_order_from_a_clean_directory(doc, tmp_path):
    done = _run(doc, tmp_path)
    assert done.returncode == 0, (
        f"{doc.name} does not run as written:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    for block in blocks(doc):
        if block.lang in ("python", "bash") and not block.skip:
            assert f"--- {block.where}" in done.stdout


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_yaml_blocks_parse(doc):
    for block in blocks(doc):
        if block.lang == "yaml" and not block.skip:
            assert isinstance(yaml.safe_load(block.code), dict), block.where


def test_catalog_doc_example_is_a_valid_approach(tmp_path):
    (example,) = [b for b in blocks(ROOT / "docs" / "catalog.md") if b.lang == "yaml"]
    (tmp_path / "example.yaml").write_text(example.code, encoding="utf-8")
    catalog = mk.load_catalog(tmp_path)
    assert catalog.ids == ["energiebox"]


def test_a_failing_block_fails_the_doc(tmp_path):
    doc = tmp_path / "bad.md"
    doc.write_text("```python\nx = 1\n```\n\n```bash\ntest -f missing.csv\n```\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    done = _run(doc, run_dir)
    assert done.returncode != 0
    assert "bad.md:5: the bash block exited 1" in done.stderr
