"""Ledger imports that stop still once they report N rows applied, for the crash tests.

The bulk import applies the rest of a small sheet and commits in less than a test's polling
interval, so "kill it when it reports the first chunk" raced with its finishing. Held here,
the process is killed where the test means: a chunk written, nothing committed.

    python -m tests.ledger.held_import N ledger import …   (the `huajie` command, held)

The crash worker holds background imports the same way (HUAJIE_TEST_HOLD_AFTER_ROWS).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

HOLD_SECONDS = 3600  # until the test kills the process


def hold_command_after(rows: int) -> None:
    """`huajie ledger import` holds after printing the progress of `rows` rows."""
    from huajie.ledger.management.commands.ledger import Command

    report = Command._progress

    def report_then_hold(self: Command, done: int, total: int) -> None:
        report(self, done, total)
        if done >= rows:
            self.stderr.flush()
            time.sleep(HOLD_SECONDS)

    Command._progress = report_then_hold  # type: ignore[method-assign]


def hold_background_after(rows: int) -> None:
    """A worker's import job holds after its progress file says `rows` rows are applied."""
    from huajie.ledger import imports

    write: Callable[[int, dict[str, Any]], None] = imports.write_progress

    def write_then_hold(import_id: int, data: dict[str, Any]) -> None:
        write(import_id, data)
        if data.get("phase") == "导入" and data.get("done", 0) >= rows:
            time.sleep(HOLD_SECONDS)

    imports.write_progress = write_then_hold


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from huajie.cli import main as huajie

    hold_command_after(int(argv[0]))
    huajie(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
