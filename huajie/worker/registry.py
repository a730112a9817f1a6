"""Job kinds. Each room registers its own handlers with `@job_kind("name")`.

A handler takes the job's payload and returns a JSON-able result. It runs inside one
transaction with the job's completion, so a crash midway leaves nothing half written and the
job is offered again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], dict[str, Any] | None]

_HANDLERS: dict[str, Handler] = {}


class UnknownJobKind(LookupError):
    pass


def job_kind(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in _HANDLERS and _HANDLERS[name] is not handler:
            raise ValueError(f"job kind {name!r} is registered twice")
        _HANDLERS[name] = handler
        return handler

    return register


def handler_for(name: str) -> Handler:
    try:
        return _HANDLERS[name]
    except KeyError:
        raise UnknownJobKind(name) from None


def kinds() -> list[str]:
    return sorted(_HANDLERS)
