"""A job kind for the crash tests: a real case change, then a pause the test controls.

The handler records a visit through the service (a write and an audit event, inside the
job's transaction), says it has started by appending to a file (the database write is not
visible to anyone until it commits), and then waits for the test's "go" file. The test kills
the worker while the handler waits: midway, deterministically, without guessing a sleep.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from huajie.cases import services
from huajie.cases.models import PetitionCase, VisitLevel
from huajie.core import clock
from huajie.worker.registry import job_kind

KIND = "test.crash.visit"
GO_WAIT_SECONDS = 60.0


def summary_of(n: int) -> str:
    return f"崩溃测试任务{n}"


@job_kind(KIND)
def visit_then_wait(payload: dict[str, Any]) -> dict[str, Any]:
    n = int(payload["n"])
    signals = Path(payload["signals"])
    services.visit_record(
        actor=None,
        case=PetitionCase.objects.get(pk=payload["case"]),
        data=services.VisitInput(
            visited_on=clock.today(), level=VisitLevel.LOCAL, summary=summary_of(n)
        ),
    )
    with (signals / f"started-{n}").open("a") as handle:
        handle.write("started\n")
    go = signals / f"go-{n}"
    deadline = time.monotonic() + GO_WAIT_SECONDS
    while not go.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no go signal for job {n}")
        time.sleep(0.02)
    return {"n": n}
