"""The worker's own job kinds."""

from __future__ import annotations

import time
from typing import Any

from huajie.core import clock
from huajie.worker.registry import job_kind


@job_kind("worker.heartbeat")
def heartbeat(payload: dict[str, Any]) -> dict[str, Any]:
    """A diagnostic job: proves a worker is alive and claiming. `seconds` makes it take a
    while, which is how an operator (or a test) checks that SIGTERM lets it finish."""
    seconds = float(payload.get("seconds", 0))
    time.sleep(min(max(seconds, 0.0), 60.0))
    return {"at": clock.now().isoformat()}
