"""Per-request template context of the ledger: the unread-notification count in the header."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest

from huajie.cases.models import Notification
from huajie.core.prepared import PreparedQuery

# Asked on every page: compiled once (`PreparedQuery`). Grouped by the recipient, so the
# count is one row, or none for nobody's unread notifications.
_UNREAD = PreparedQuery(
    lambda user_id: (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("*"))
        .values_list("n")
        .order_by()
    )
)


def unread_count(user_id: int) -> int:
    rows = _UNREAD(user_id)
    return rows[0][0] if rows else 0


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": unread_count(user.pk)}
