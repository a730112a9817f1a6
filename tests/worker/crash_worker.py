"""The real worker process for the crash tests: `python -m tests.worker.crash_worker [args]`.

The same `worker` command an operator runs, with test-only differences: the crash-test
job kind is registered, and no recurring schedules are planned (a test database with a
campaign would otherwise have the worker issue every bulletin of the campaign first). With
HUAJIE_TEST_HOLD_AFTER_ROWS=N a ledger import stops still once its progress file says N rows
are applied, so that a test kills it there and not after it has gone on to commit (the bulk
import applies the rest of a small sheet in less than the test's polling interval).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from huajie.worker import schedule
    from tests.worker import crash_jobs  # noqa: F401  (registers the job kind)

    schedule._SCHEDULES.clear()
    hold = os.environ.get("HUAJIE_TEST_HOLD_AFTER_ROWS")
    if hold:
        from tests.ledger.held_import import hold_background_after

        hold_background_after(int(hold))
    call_command("worker", *argv)


if __name__ == "__main__":
    main(sys.argv[1:])
