"""R19: `huajie audit verify` finds a row changed directly in the database."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huajie.audit.models import AuditEvent
from huajie.cases.models import CaseStatus
from tests.cases.world import World, case_in

pytestmark = pytest.mark.django_db


def test_verify_passes_on_a_whole_chain_and_names_the_first_broken_event(world: World) -> None:
    case_in(world, CaseStatus.ACCEPTED)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "完整" in out.getvalue()

    events = list(AuditEvent.objects.order_by("id"))
    target = events[len(events) // 2]
    AuditEvent.objects.filter(pk=target.pk).update(after={"status": "accepted", "forged": True})
    with pytest.raises(CommandError, match=f"第 {target.pk} 号记录"):
        call_command("audit", "verify")


def test_verify_notices_a_deleted_event(world: World) -> None:
    case_in(world, CaseStatus.IN_RESOLUTION)
    events = list(AuditEvent.objects.order_by("id"))
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    with pytest.raises(CommandError, match=f"第 {events[3].pk} 号记录"):
        call_command("audit", "verify")
