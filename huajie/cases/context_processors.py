"""Per-request template context of the ledger: the unread-notification count in the header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from huajie.cases.models import Notification


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    }
