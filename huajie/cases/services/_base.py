"""Shared plumbing of the services: locking, saving with a version, audit, notifications."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from huajie.accounts.models import User
from huajie.audit.services import audit_record
from huajie.cases import transitions
from huajie.cases.eligibility import TEAM_ROLES
from huajie.cases.models import (
    Notification,
    NotificationKind,
    PetitionCase,
)
from huajie.cases.transitions import Event
from huajie.core import clock
from huajie.courts.models import Court, Person

log = logging.getLogger(__name__)

Actor = User | None  # None: the system itself (the daily tick)


def _lock(case: PetitionCase) -> PetitionCase:
    """Re-read the case under a row lock: concurrent actions on one case queue up here.

    Only the case's row (`of=("self",)`): without it PostgreSQL also locks the joined court
    row, so every action in a court queued behind the others, and a transaction adding a
    row that refers to that court (a case moved there, its tally) waited for one that in
    turn waited for it on the audit chain's lock — a deadlock."""
    return (
        PetitionCase.objects.select_for_update(of=("self",)).select_related("court").get(pk=case.pk)
    )


def _snapshot(case: PetitionCase, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(case, name) for name in fields}


def _save(case: PetitionCase, fields: Iterable[str]) -> None:
    names = set(fields) | {"version", "updated_at"}
    case.version = F("version") + 1
    case.updated_at = clock.now()
    case.save(update_fields=sorted(names))
    case.refresh_from_db(fields=["version"])


def _audit(
    actor: Actor,
    verb: str,
    case: PetitionCase,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    obj: Any = None,
) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        obj=obj if obj is not None else case,
        court_id=case.court_id,
        case_id=case.pk,
        summary=summary,
        before=before,
        after=after,
    )


def _move(
    actor: Actor, case: PetitionCase, event: Event, summary: str, extra_fields: Sequence[str] = ()
) -> None:
    """Apply a status transition, save the status and `extra_fields`, audit both."""
    before = _snapshot(case, ["status", *extra_fields])
    old, new = transitions.apply(case, event)
    _save(case, ["status", *extra_fields])
    after = _snapshot(case, ["status", *extra_fields])
    before["status"], after["status"] = str(old), str(new)
    _audit(actor, f"case.{event.value}", case, summary, before, after)


def accounts_of(people: Iterable[Person | None]) -> list[User]:
    ids = {p.pk for p in people if p is not None}
    return list(User.objects.filter(person_id__in=ids, is_active=True))


def notify(
    people: Iterable[Person | None], case: PetitionCase, kind: NotificationKind, text: str
) -> int:
    """Notify the accounts of `people`: in the app, and by email to those with an address.

    Mail goes out only once the change commits, so a rolled-back action sends nothing."""
    now = clock.now()
    users = accounts_of(people)
    Notification.objects.bulk_create(
        Notification(recipient=user, case=case, kind=kind, text=text, created_at=now)
        for user in users
    )
    addresses = [user.email for user in users if user.email]
    if addresses:
        subject = f"【化解】{kind.label}：{case.ledger_no}"
        transaction.on_commit(lambda: send_notification_mail(subject, text, addresses))
    return len(users)


def send_notification_mail(subject: str, body: str, addresses: list[str]) -> None:
    # One message per recipient so addresses are not disclosed to each other. A mail server
    # that is down must not undo the action: the in-app notification is already there.
    for address in addresses:
        try:
            send_mail(subject, body, None, [address])
        except OSError:
            log.exception("could not send notification mail to %s", address)


def _clear_team(case: PetitionCase) -> None:
    for role in TEAM_ROLES:
        setattr(case, role, None)
    case.team_since = None
    case.leader_since = None


def _court_contacts(court: Court) -> list[Person]:
    return list(Person.objects.filter(court=court, positions__kind="petition_contact"))


def _pass_observation(actor: Actor, case: PetitionCase) -> None:
    """R9.2: the observation year ran out without a visit; the case meets the standard on
    the day after its last day (see periods.py)."""
    last_day = case.observation_last_day
    assert last_day is not None, "only a case in observation has a last day"
    case.met_standard_on = last_day + dt.timedelta(days=1)
    _move(
        actor,
        case,
        Event.OBSERVATION_PASSED,
        f"口头承诺后一年内未赴省进京上访（观察期至{last_day}），达到化解标准",
        ["met_standard_on"],
    )
    notify(
        [case.leader, case.petition_contact],
        case,
        NotificationKind.OBSERVATION_PASSED,
        f"案件{case.ledger_no}观察期届满，已达到化解标准，可以提交验收。",
    )
