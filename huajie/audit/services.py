"""Writing and verifying the audit chain. The only code that creates AuditEvent rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from huajie.audit.models import AuditEvent
from huajie.core import clock

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    body = {
        # In UTC: the database hands times back in UTC whatever zone they were written in.
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "court_id": event.court_id,
        "case_id": event.case_id,
        "summary": event.summary,
        "before": event.before,
        "after": event.after,
        "prev": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()


def _lock_chain_head() -> None:
    """Serialise appends so two writers never chain onto the same predecessor.

    SQLite already serialises writers (IMMEDIATE transactions); PostgreSQL takes a
    transaction-scoped advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x48554A4945])  # "HUAJIE"


def audit_record(
    *,
    actor: Any,
    verb: str,
    obj: Model,
    court_id: int | None,
    case_id: int | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call inside the transaction of the change it describes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the change's transaction")
    _lock_chain_head()
    previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    event = AuditEvent(
        at=clock.now(),
        actor=actor if is_user else None,
        actor_name=(getattr(actor, "display_name", "") if is_user else "系统"),
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        court_id=court_id,
        case_id=case_id,
        summary=summary[:255],
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
        prev_hash=previous or GENESIS,
    )
    event.hash = hashlib.sha256(_canonical(event)).hexdigest()
    event.save(force_insert=True)
    return event


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def audit_verify(batch: int = 2000) -> ChainBreak | None:
    """Recompute the chain; return the first broken event, or None when it is whole."""
    expected_prev = GENESIS
    for event in _iterate(batch):
        if event.prev_hash != expected_prev:
            return ChainBreak(event.pk, "与前一事件的链接不符（事件被删除或插入）")
        if hashlib.sha256(_canonical(event)).hexdigest() != event.hash:
            return ChainBreak(event.pk, "内容与其哈希不符（事件被修改）")
        expected_prev = event.hash
    return None


def _iterate(batch: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last_id = rows[-1].pk
