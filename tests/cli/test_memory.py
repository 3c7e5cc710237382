"""The command line's allocator settings: applied in its own process, never on import."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

_GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"


def _applied(env: dict[str, str]) -> str:
    code = "import matchkit._memory as m; print(m.keep_freed_memory())"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.strip()


def _clean_env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"
    }


@pytest.mark.skipif(not _GLIBC, reason="the settings are glibc's")
def test_the_settings_are_applied_on_glibc():
    assert _applied(_clean_env()) == "True"


@pytest.mark.parametrize(
    "variable", ["MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"]
)
def test_a_user_who_tuned_glibc_keeps_their_settings(variable):
    env = _clean_env() | {variable: "glibc.malloc.arena_max=2" if variable[0] == "G" else "2"}
    assert _applied(env) == "False"


def test_importing_matchkit_or_its_command_line_leaves_the_allocator_alone(monkeypatch):
    import matchkit._memory as memory

    calls: list[int] = []

    def spy() -> bool:
        calls.append(1)
        return True

    monkeypatch.setattr(memory, "keep_freed_memory", spy)
    import matchkit.cli as cli

    monkeypatch.setattr(cli, "keep_freed_memory", spy)
    assert cli.main(["--version"]) == 0
    assert calls == []


def test_the_program_entry_point_tunes_then_exits_with_mains_code(monkeypatch):
    import matchkit.cli as cli

    calls: list[str] = []

    def tune() -> bool:
        calls.append("tuned")
        return True

    def fake_main() -> int:
        calls.append("main")
        return 2

    monkeypatch.setattr(cli, "keep_freed_memory", tune)
    monkeypatch.setattr(cli, "main", fake_main)
    with pytest.raises(SystemExit) as exit_info:
        cli.run()
    assert exit_info.value.code == 2
    assert calls == ["tuned", "main"]
