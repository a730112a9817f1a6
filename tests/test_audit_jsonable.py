"""`audit.services.jsonable` converts a flat dict directly; it must give exactly what the
JSON round trip gives (the stored before/after of every audit event, and so the chain's
hashes, depend on it)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from huajie.audit.services import _canonical_body, jsonable
from huajie.cases.models import CaseStatus, ResolutionMethod
from huajie.core.bulk import JSON


class _Level(models.IntegerChoices):
    LOW = 1, "低"
    HIGH = 2, "高"


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.floats(allow_nan=False),
    st.dates(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.sampled_from(list(CaseStatus) + list(ResolutionMethod) + list(_Level)),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.text(), SCALARS))


def _round_trip(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


@given(st.dictionaries(st.text(max_size=8), VALUES, max_size=6))
def test_jsonable_equals_the_json_round_trip(data: dict[str, Any]) -> None:
    result = jsonable(data)
    expected = _round_trip(data)
    assert result == expected
    assert list(result.items()) == list(expected.items())  # the order too, as shown
    assert {k: type(v) for k, v in result.items()} == {k: type(v) for k, v in expected.items()}


def test_a_choices_member_becomes_its_plain_value() -> None:
    converted = jsonable({"status": CaseStatus.ALLOCATED, "level": _Level.HIGH})
    assert converted == {"status": "allocated", "level": 2}
    assert type(converted["status"]) is str and type(converted["level"]) is int


def _dict_spelling(
    *, at: dt.datetime, before: dict[str, Any], after: dict[str, Any], prev: str, **fields: Any
) -> bytes:
    """The canonical text as it was first written: the event as one dict, encoded whole."""
    body = {
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor": fields["actor_id"],
        "actor_name": fields["actor_name"],
        "verb": fields["verb"],
        "object_type": fields["object_type"],
        "object_id": fields["object_id"],
        "court_id": fields["court_id"],
        "case_id": fields["case_id"],
        "summary": fields["summary"],
        "before": before,
        "after": after,
        "prev": prev,
    }
    return JSON.encode(body).encode()


IDS = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1))
BODIES = st.dictionaries(st.text(), SCALARS).map(jsonable)


@given(
    at=st.datetimes(timezones=st.sampled_from([dt.UTC, ZoneInfo("Asia/Shanghai")])),
    actor_id=IDS,
    court_id=IDS,
    case_id=IDS,
    texts=st.lists(st.text(), min_size=6, max_size=6),
    before=BODIES,
    after=BODIES,
)
def test_the_hashed_text_is_the_event_encoded_whole(
    at: dt.datetime,
    actor_id: int | None,
    court_id: int | None,
    case_id: int | None,
    texts: list[str],
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """R19: `_canonical_body` composes the text from before/after encoded once (the bulk
    writer stores those texts); every chain ever written was hashed from the whole-dict
    spelling, so the two must agree byte for byte or `audit verify` breaks old chains."""
    actor_name, verb, object_type, object_id, summary, prev = texts
    fields: dict[str, Any] = {
        "at": at,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "verb": verb,
        "object_type": object_type,
        "object_id": object_id,
        "court_id": court_id,
        "case_id": case_id,
        "summary": summary,
        "prev": prev,
    }
    composed = _canonical_body(
        **fields, before_json=JSON.encode(before), after_json=JSON.encode(after)
    )
    assert composed == _dict_spelling(**fields, before=before, after=after)
