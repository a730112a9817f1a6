"""Rows of the tables of cases (the ledger list, the workbench's lists), their values ready
to show: the templates only lay them out.

Asked of the cases by the template (a url tag, a date filter, a display method, a related
manager per row), the list's 50 rows took 5 ms to render; given, 1 ms. The rows' columns are
read as values: building each case with its court and leader cost another millisecond a
page (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from huajie.cases.models import CaseStatus
from huajie.cases.templatetags.cases import status_tone
from huajie.core.urls import url_with_id


@dataclass(frozen=True, slots=True)
class CaseRow:
    """What every table of cases shows of a case."""

    url: str
    ledger_no: str
    court: str
    status: str
    tone: str  # the status badge's colour
    leader: str


STATUS_LABELS: dict[str, str] = dict(CaseStatus.choices)


def cells(
    pk: int,
    ledger_no: str,
    court: str,
    status: str,
    leader: str | None,
    detail: Callable[[int], str],
) -> dict[str, Any]:
    """`CaseRow`'s values of a case's columns, as read by a query of values."""
    return {
        "url": detail(pk),
        "ledger_no": ledger_no,
        "court": court,
        "status": STATUS_LABELS[status],
        "tone": status_tone(status),
        "leader": leader or "—",
    }


def detail_urls() -> Callable[[int], str]:
    return url_with_id("cases:detail")


def local_day(moment: dt.datetime) -> str:
    """The day of `moment` in China, as the tables write it."""
    return timezone.localdate(moment).isoformat()
