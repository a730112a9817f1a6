"""A generated province for the supervision tests: the test world with every court staffed,
many cases walked day by day through the real services (under `clock.travel`), so they end
in every status, with returns, re-petitions, escalations, visits and nominal-leadership flags.

One rule keeps the tests' plain recounts simple: a case is escalated only while it has never
been returned or reopened, so every returned acceptance and every re-petition happened at the
court that holds the case now.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from huajie.accounts.models import Scope, User
from huajie.cases import services
from huajie.cases.models import (
    ActivityKind,
    CaseStatus,
    PetitionCase,
    PetitionType,
    VisitLevel,
)
from huajie.core import clock
from huajie.courts.models import Court
from tests.cases.world import Staff, World, build_world, promise_document, staff_court

FEB = dt.date(2019, 2, 20)


@dataclass
class Province:
    world: World
    staff: dict[int, Staff]
    rng: random.Random
    cases: list[PetitionCase] = field(default_factory=list)

    @property
    def courts(self) -> list[Court]:
        return [s.court for s in self.staff.values()]

    def office(self, court: Court) -> User:
        return self.staff[court.pk].office

    def reviewer(self, court: Court) -> User:
        return self.staff[(court.parent or court).pk].office


def build_province(world: World | None = None, *, stock: int = 48, new: int = 6) -> Province:
    """The world plus staffed 市中法院 and 青岛中院, `stock` cases allocated on 25 February
    over the six courts, and `new` new petitions registered at basic courts."""
    world = world or build_world()
    tree = world.tree
    staffs = [
        world.high,
        world.jinan,
        world.lixia,
        staff_court(tree.shizhong),
        staff_court(tree.qingdao, office_scope=Scope.SUBTREE),
        world.shinan,
    ]
    province = Province(world, {s.court.pk: s for s in staffs}, random.Random(2019))
    with clock.travel(FEB):
        for n in range(stock):
            province.cases.append(_stock_case(world, n))
    with clock.travel(FEB + dt.timedelta(days=5)):
        for n, case in enumerate(province.cases):
            court = staffs[n % len(staffs)].court
            services.case_allocate(
                actor=world.province_office, case=case, court=court, reason="测试交办"
            )
        basics = [world.lixia, world.shinan]
        for n in range(new):
            owner = basics[n % 2].president
            province.cases.append(
                services.new_petition_register(
                    actor=basics[n % 2].office,
                    campaign=world.campaign,
                    owner=owner,
                    received_on=clock.today(),
                    data=services.CaseInput(
                        petition_type=PetitionType.PROVINCE,
                        petitioners=[services.PetitionerInput(name=f"新访人{n}")],
                    ),
                )
            )
    return province


def _stock_case(world: World, n: int) -> PetitionCase:
    return services.case_create(
        actor=world.province_office,
        campaign=world.campaign,
        holding_court=world.tree.high,
        data=services.CaseInput(
            petition_type=PetitionType.BEIJING if n % 3 else PetitionType.PROVINCE,
            petitioners=[services.PetitionerInput(name=f"信访人{n}")],
            ledger_no=f"2019-S{n + 1:03d}",
        ),
    )


def play(province: Province, start: dt.date, end: dt.date, share: float = 0.3) -> None:
    """Every day from `start` to `end`: some cases take one step; then the daily rules."""
    day = start
    while day <= end:
        with clock.travel(day):
            for case in province.cases:
                if province.rng.random() < share:
                    _step(province, case)
            services.tick(as_of=day)
        day += dt.timedelta(days=1)


def _step(p: Province, case: PetitionCase) -> None:
    case.refresh_from_db()
    roll = p.rng.random()
    actions = {
        CaseStatus.ALLOCATED: _allocated,
        CaseStatus.IN_RESOLUTION: _in_resolution,
        CaseStatus.OBSERVATION: _observation,
        CaseStatus.MET_STANDARD: _met_standard,
        CaseStatus.SUBMITTED: _submitted,
        CaseStatus.ACCEPTED: _accepted,
    }
    action = actions.get(CaseStatus(case.status))
    if action is not None:
        action(p, case, roll)


def _may_escalate(case: PetitionCase) -> bool:
    return case.court.parent_id is not None and not case.return_count and not case.reopen_count


def _escalate(p: Province, case: PetitionCase) -> None:
    parent = case.court.parent
    assert parent is not None
    services.case_take_up(actor=p.office(parent), case=case, reason="下级法院化解困难，提级办理")


def _allocated(p: Province, case: PetitionCase, roll: float) -> None:
    if roll < 0.08 and _may_escalate(case):
        _escalate(p, case)
        return
    if roll < 0.8:
        staff = p.staff[case.court_id]
        services.team_assign(actor=staff.office, case=case, members=dict(staff.team))


def _upward_visit(p: Province, case: PetitionCase) -> None:
    level = VisitLevel.BEIJING if p.rng.random() < 0.5 else VisitLevel.PROVINCE
    services.visit_record(
        actor=p.office(case.court),
        case=case,
        data=services.VisitInput(visited_on=clock.today(), level=level),
    )


def _in_resolution(p: Province, case: PetitionCase, roll: float) -> None:
    staff = p.staff[case.court_id]
    today = clock.today()
    if roll < 0.3:
        services.resolution_written(
            actor=staff.office,
            case=case,
            promise_on=today,
            document=promise_document(p.world, case, staff.office),
        )
    elif roll < 0.4:
        services.resolution_oral(actor=staff.office, case=case, promise_on=today)
    elif roll < 0.5:
        # An oral promise made long ago: its observation year ends within days.
        promised = today - dt.timedelta(days=360 + int(p.rng.random() * 6))
        services.resolution_oral(actor=staff.office, case=case, promise_on=promised)
    elif roll < 0.6:
        _upward_visit(p, case)
    elif roll < 0.75 and case.leader is not None:
        services.leader_activity_record(
            actor=staff.office,
            case=case,
            happened_on=today,
            kind=ActivityKind.RECEPTION,
            summary="包案领导接访",
        )
    elif roll < 0.8 and _may_escalate(case):
        _escalate(p, case)


def _observation(p: Province, case: PetitionCase, roll: float) -> None:
    if roll < 0.15:
        _upward_visit(p, case)  # inside the observation year: back to resolution, no reopening


def _met_standard(p: Province, case: PetitionCase, roll: float) -> None:
    if roll < 0.6:
        services.acceptance_submit(actor=p.office(case.court), case=case, note="已达化解标准")
    elif roll < 0.66:
        _upward_visit(p, case)  # a re-petition


def _submitted(p: Province, case: PetitionCase, roll: float) -> None:
    if roll < 0.75:
        request = case.acceptance_requests.get(decision="pending")
        accept = roll < 0.55
        services.acceptance_decide(
            actor=p.reviewer(case.court),
            request=request,
            accept=accept,
            reason="" if accept else "材料不全，退回补充",
        )
    elif roll < 0.8:
        _upward_visit(p, case)


def _accepted(p: Province, case: PetitionCase, roll: float) -> None:
    if roll < 0.06:
        _upward_visit(p, case)
