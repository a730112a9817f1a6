"""R19: `huajie audit verify` finds a row changed directly in the database."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huajie.audit.models import AuditEvent, AuditImmutable
from huajie.cases.models import CaseStatus
from tests.cases.world import World, case_in
from tests.factories import tamper_audit

pytestmark = pytest.mark.django_db


def test_verify_passes_on_a_whole_chain_and_names_the_first_broken_event(world: World) -> None:
    case_in(world, CaseStatus.ACCEPTED)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "完整" in out.getvalue()

    events = list(AuditEvent.objects.order_by("id"))
    target = events[len(events) // 2]
    tamper_audit(
        "UPDATE {table} SET after = %s WHERE id = %s",
        '{"status": "accepted", "forged": true}',
        target.pk,
    )
    with pytest.raises(CommandError, match=f"第 {target.pk} 号记录"):
        call_command("audit", "verify")


def test_verify_notices_a_deleted_event(world: World) -> None:
    case_in(world, CaseStatus.IN_RESOLUTION)
    events = list(AuditEvent.objects.order_by("id"))
    tamper_audit("DELETE FROM {table} WHERE id = %s", events[2].pk)
    with pytest.raises(CommandError, match=f"第 {events[3].pk} 号记录"):
        call_command("audit", "verify")


def test_the_application_only_appends(world: World) -> None:
    """R19: no code path can change or delete an event through the ORM."""
    case_in(world, CaseStatus.ALLOCATED)
    event = AuditEvent.objects.order_by("id").first()
    assert event is not None
    event.summary = "改写"
    for attempt in (
        event.save,
        event.delete,
        lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="改写"),
        lambda: AuditEvent.objects.all().delete(),
    ):
        with pytest.raises(AuditImmutable, match="只能追加"):
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).summary != "改写"
