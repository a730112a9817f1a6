"""New petitions and first receipt (R14)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from huajie.accounts.models import User
from huajie.cases import transitions
from huajie.cases.models import (
    AllocationRule,
    Campaign,
    Origin,
    PetitionCase,
)
from huajie.cases.services._base import _audit, _save
from huajie.cases.services.records import CaseInput, case_create
from huajie.cases.transitions import Event, Refused
from huajie.core import clock
from huajie.courts.models import Person


@transaction.atomic
def new_petition_register(
    *, actor: User, campaign: Campaign, owner: Person, received_on: dt.date, data: CaseInput
) -> PetitionCase:
    """A new petition received by a president or division head: that person keeps it to the
    end (首接负责制); it is counted as new (增量), apart from the stock."""
    if not owner.has_position("president", "court_leader", "division_leader"):
        raise Refused(f"{owner.name}不是院长、院领导或庭长，首接负责人须为院庭长。")
    if received_on > clock.today():
        raise Refused("接访日期不能晚于今天。")
    case = case_create(
        actor=actor, campaign=campaign, holding_court=owner.court, data=data, origin=Origin.NEW
    )
    case.first_receipt_owner, case.received_on = owner, received_on
    case.allocation_rule = AllocationRule.FIRST_RECEIPT
    case.allocation_reason = f"{owner.name}首次接访，一办到底"
    case.allocated_at = clock.now()
    transitions.apply(case, Event.ALLOCATE)
    _save(
        case,
        [
            "first_receipt_owner",
            "received_on",
            "allocation_rule",
            "allocation_reason",
            "allocated_at",
            "status",
        ],
    )
    _audit(
        actor,
        "case.first_receipt",
        case,
        f"首接负责人：{owner.name}",
        None,
        {"owner": owner.pk, "received_on": received_on},
    )
    return case
