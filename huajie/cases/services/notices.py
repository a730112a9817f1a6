"""Reading what concerns a person: notifications marked read, identities revealed (audited)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import Http404

from huajie.accounts.models import User
from huajie.audit.services import audit_record
from huajie.cases.models import Notification, PetitionCase, Petitioner
from huajie.core import clock


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of `user`'s notifications read; anyone else's does not exist for them."""
    note = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if note is None:
        raise Http404("通知不存在")
    if note.read_at is None:
        note.read_at = clock.now()
        note.save(update_fields=["read_at"])
    return note


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=clock.now()
    )


@transaction.atomic
def identity_reveal(*, actor: User, case: PetitionCase, petitioners: Iterable[Petitioner]) -> None:
    """Record that `actor` saw the full ID-card and phone numbers of `petitioners`. Who may
    is the policy's question (Action.REVEAL_IDENTITY); that it is on record is this one's."""
    names = "、".join(p.name for p in petitioners)
    audit_record(
        actor=actor,
        verb="petitioner.reveal",
        obj=case,
        court_id=case.court_id,
        case_id=case.pk,
        summary=f"查看信访人{names}的完整身份证号和电话",
    )
