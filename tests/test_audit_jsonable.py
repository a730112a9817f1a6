"""`audit.services.jsonable` converts a flat dict directly; it must give exactly what the
JSON round trip gives (the stored before/after of every audit event, and so the chain's
hashes, depend on it)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from huajie.audit.services import jsonable
from huajie.cases.models import CaseStatus, ResolutionMethod


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
