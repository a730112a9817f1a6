"""gunicorn's hooks for `huajie serve` (huajie/core/management/commands/serve.py)."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Freeze what a worker has loaded (modules, classes, models, settings: about 150,000
    objects that live as long as the process), so that the cyclic collector's full passes
    no longer walk it. On national supervision's case list one request in seven ran a full
    pass of 60-80 ms: p95 132-154 ms, 86-92 ms frozen, at 1,000,000 cases
    (docs/performance.md). Each worker loads the application after its fork, so each
    freezes its own heap."""
    gc.freeze()
