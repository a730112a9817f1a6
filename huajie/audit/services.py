"""Writing and verifying the audit chain. The only code that creates AuditEvent rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _string  # what `JSON` uses for texts
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from huajie.audit.models import AuditEvent
from huajie.core import clock
from huajie.core.bulk import JSON, EncodedJSON, Ids, Writer

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    return _canonical_body(
        at=event.at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        verb=event.verb,
        object_type=event.object_type,
        object_id=event.object_id,
        court_id=event.court_id,
        case_id=event.case_id,
        summary=event.summary,
        before_json=JSON.encode(event.before),
        after_json=JSON.encode(event.after),
        prev=event.prev_hash,
    )


def _canonical_body(
    *,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    verb: str,
    object_type: str,
    object_id: str,
    court_id: int | None,
    case_id: int | None,
    summary: str,
    before_json: str,
    after_json: str,
    prev: str,
) -> bytes:
    """What is hashed: byte for byte `JSON.encode` of the event as a dict (keys sorted),
    with `before` and `after` given already encoded with `JSON` (the bulk writer stores
    those same texts, so each is encoded once). tests/test_audit_jsonable.py holds the two
    spellings equal."""
    # The time in UTC: the database hands times back in UTC whatever zone they were written in.
    text = (
        f'{{"actor": {_number(actor_id)}, "actor_name": {_string(actor_name)}, '
        f'"after": {after_json}, "at": {_string(at.astimezone(dt.UTC).isoformat())}, '
        f'"before": {before_json}, "case_id": {_number(case_id)}, '
        f'"court_id": {_number(court_id)}, "object_id": {_string(object_id)}, '
        f'"object_type": {_string(object_type)}, "prev": {_string(prev)}, '
        f'"summary": {_string(summary)}, "verb": {_string(verb)}}}'
    )
    return text.encode()


def _number(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def lock_chain_head() -> None:
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
    lock_chain_head()
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
        before=jsonable(before or {}),
        after=jsonable(after or {}),
        prev_hash=previous or GENESIS,
    )
    event.hash = hashlib.sha256(_canonical(event)).hexdigest()
    event.save(force_insert=True)
    return event


_PLAIN = (str, int, float, bool, type(None))


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """`data` as the event stores it: dates, enums and decimals as their text. A flat dict
    (what the services record) is converted directly, as a JSON round trip would, without
    one (the bulk import records hundreds of thousands)."""
    converted: dict[str, Any] = {}
    for key, value in data.items():
        if type(key) is not str or isinstance(value, dict | list | tuple | float):
            return dict(json.loads(json.dumps(data, ensure_ascii=False, default=str)))
        converted[key] = value if type(value) in _PLAIN else _json_scalar(value)
    return converted


def _json_scalar(value: Any) -> Any:
    """What json.loads(json.dumps(value, default=str)) gives for a scalar that is not a
    float: a str or int subclass (a choices member) as its plain value, others as str()."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    return str(value)


class Chain:
    """Appends audit events for a bulk writer exactly as `audit_record` does (the same
    canonical JSON, hashed with the previous event's hash), for `huajie synth` and the
    ledger import's new cases. The caller holds the chain (`lock_chain_head`) and writes
    the writer's rows before anyone else may append."""

    def __init__(self, writer: Writer, ids: Ids | None) -> None:
        """Without `ids` the database numbers the events in the order they are written
        (`Writer(database_ids=[AuditEvent])`), which is the chain's order."""
        self.writer = writer
        self.ids = ids
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        self.head = last or GENESIS

    def append(self, **event: Any) -> None:
        """Buffer the next event in the writer (see `next_line` for the fields)."""
        self.writer.add(AuditEvent, self.next_row(**event))

    def next_line(self, **event: Any) -> list[Any]:
        """The next event as the writer's column values, for `Writer.stream`: events
        streamed must be written in the order they are made (the database numbers them)."""
        return self.writer.line(AuditEvent, self.next_row(**event))

    def next_row(
        self,
        *,
        at: dt.datetime,
        actor: tuple[int, str] | None,
        verb: str,
        object_type: str,
        object_id: int,
        court_id: int,
        case_id: int,
        summary: str,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> dict[str, Any]:
        """The next event, chained onto the last one made. `actor` is (user id, display
        name), or None for the system; `before` and `after` must already be JSON values
        (`jsonable`)."""
        actor_id, actor_name = actor if actor is not None else (None, "系统")
        before_json, after_json = JSON.encode(before), JSON.encode(after)
        row: dict[str, Any] = {
            "at": at,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "verb": verb,
            "object_type": object_type,
            "object_id": str(object_id),
            "court_id": court_id,
            "case_id": case_id,
            "summary": summary[:255],
        }
        body = _canonical_body(
            **row, before_json=before_json, after_json=after_json, prev=self.head
        )
        digest = hashlib.sha256(body).hexdigest()
        row |= {
            "before": EncodedJSON(before_json),
            "after": EncodedJSON(after_json),
            "prev_hash": self.head,
            "hash": digest,
        }
        if self.ids is not None:
            row["id"] = self.ids.take(AuditEvent)
        self.head = digest
        return row


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
