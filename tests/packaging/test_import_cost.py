"""`import matchkit` stays light: heavy optional machinery loads where it is used."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.slow
def test_importing_matchkit_does_not_import_scikit_learn():
    # scikit-learn took over half of `import matchkit`, so of every command-line call,
    # while only effect estimation uses it.
    code = "import sys, matchkit; print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
