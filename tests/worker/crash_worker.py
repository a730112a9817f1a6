"""The real worker process for the crash tests: `python -m tests.worker.crash_worker [args]`.

The same `worker` command an operator runs, with two test-only differences: the crash-test
job kind is registered, and no recurring schedules are planned (a test database with a
campaign would otherwise have the worker issue every bulletin of the campaign first).
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
    call_command("worker", *argv)


if __name__ == "__main__":
    main(sys.argv[1:])
