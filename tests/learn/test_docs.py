"""The worked example of docs/learning.md runs as written (every python block, in order)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).parents[2] / "docs" / "learning.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def test_the_page_has_a_worked_example():
    assert len(BLOCK.findall(DOC.read_text(encoding="utf-8"))) >= 3


@pytest.mark.slow
def test_the_worked_example_runs(tmp_path):
    code = "\n".join(BLOCK.findall(DOC.read_text(encoding="utf-8")))
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "TOP:" in done.stdout
    assert (tmp_path / "history.csv").exists()
