"""The web commands check every option before Django starts: one line on stderr, exit 2."""

from __future__ import annotations

import pytest

from matchkit.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["decisions", "export", "--out", "history.txt"],
        ["decisions", "export", "--db", "mysql://u@h/db", "--out", "h.jsonl"],
        ["decisions", "purge", "--db", "oracle://x"],
        ["decisions", "purge", "--days", "0"],
        ["serve", "--host", "example host"],
    ],
)
def test_bad_web_options_exit_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("matchkit") or err[0].startswith("usage:")
    assert "Traceback" not in "\n".join(err)
