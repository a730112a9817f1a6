"""Running Huajie's own processes (the worker, the `huajie` command) against the test
database, and waiting on them without guessing sleeps."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.db import connection

WAIT_SECONDS = 180.0  # a bound for a hung process, never a measure of speed


def database_url_of_test_db() -> str:
    """DATABASE_URL of the database this test process uses (SQLite file or PostgreSQL)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start(args: Sequence[str], log: Path, **env: str) -> subprocess.Popen[bytes]:
    """Start `python <args>` in the project with the test database; output goes to `log`
    (a file, so a chatty process never blocks on a full pipe)."""
    environment = {**os.environ, "DATABASE_URL": database_url_of_test_db(), **env}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *args],
            env=environment,
            cwd=settings.BASE_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until(
    condition: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    """Poll `condition` until it holds; fail (with the process's output) if the process
    exits first or nothing happens within the bound."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"process exited ({proc.returncode}) before {what}:\n{tail(log)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{tail(log)}")
        time.sleep(0.05)


def tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Make sure a process the test started is gone (it is ours: killed by its own pid)."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)
