"""The `huajie` command: help in Chinese for the command and every subcommand."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings

from huajie.cli import COMMANDS


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huajie.cli", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_bare_command_lists_subcommands() -> None:
    result = run()
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_has_help(name: str) -> None:
    result = run(name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"huajie {name}" in result.stdout
