"""A small staffed province for case tests: courts with the people each rule needs, accounts,
a campaign, and helpers that bring a case to any status through the real services."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from huajie.accounts.models import Role, Scope, User
from huajie.cases import services
from huajie.cases.models import (
    Attachment,
    AttachmentPurpose,
    Campaign,
    CaseStatus,
    PetitionCase,
    PetitionType,
    VisitLevel,
)
from huajie.core import clock
from huajie.courts.models import Court, DepartmentKind, Person, PositionKind
from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    Tree,
    UserFactory,
    add_position,
    build_tree,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Staff:
    """The people of one court, by what they can do."""

    court: Court
    president: Person
    leader: Person  # vice-president in the judge quota
    leader_outside_quota: Person
    committee: Person
    division_leader: Person
    staff: Person
    judge: Person
    contact: Person
    # accounts
    office: User  # petition office, own court
    leader_user: User
    president_user: User
    judge_user: User
    team: dict[str, Person] = field(init=False)

    def __post_init__(self) -> None:
        self.team = {
            "leader": self.leader,
            "division_leader": self.division_leader,
            "staff": self.staff,
            "petition_contact": self.contact,
        }


def staff_court(court: Court, office_scope: str = Scope.COURT) -> Staff:
    petition = DepartmentFactory(court=court, name="诉讼服务中心", kind=DepartmentKind.PETITION)
    trial = DepartmentFactory(court=court, name="民事审判第一庭", kind=DepartmentKind.TRIAL)

    def person(kind: str, title: str, quota: bool = True, dept: object = None) -> Person:
        p = PersonFactory(court=court, in_judge_quota=quota, department=dept)
        add_position(p, kind, title)
        return p

    president = person(PositionKind.PRESIDENT, "院长")
    leader = person(PositionKind.COURT_LEADER, "副院长")
    outside = person(PositionKind.COURT_LEADER, "政治部主任", quota=False)
    committee = person(PositionKind.COMMITTEE_MEMBER, "审判委员会专职委员")
    division_leader = person(PositionKind.DIVISION_LEADER, "庭长", dept=trial)
    staff = person(PositionKind.STAFF, "法官助理", quota=False, dept=trial)
    judge = person(PositionKind.JUDGE, "审判员", dept=trial)
    contact = person(PositionKind.PETITION_CONTACT, "信访联系人", quota=False, dept=petition)
    office = UserFactory(person=contact, role=Role.PETITION_OFFICE, scope=office_scope)
    leader_user = UserFactory(person=leader, role=Role.COURT_LEADER, scope=Scope.COURT)
    president_user = UserFactory(person=president, role=Role.COURT_LEADER, scope=Scope.COURT)
    judge_user = UserFactory(person=judge, role=Role.JUDGE, scope=Scope.COURT)
    return Staff(
        court,
        president,
        leader,
        outside,
        committee,
        division_leader,
        staff,
        judge,
        contact,
        office,
        leader_user,
        president_user,
        judge_user,
    )


@dataclass
class World:
    tree: Tree
    campaign: Campaign
    high: Staff
    jinan: Staff
    lixia: Staff
    shinan: Staff
    province_office: User  # 省法院信访办, whole province

    def staff_of(self, court: Court) -> Staff:
        for s in (self.high, self.jinan, self.lixia, self.shinan):
            if s.court == court:
                return s
        raise KeyError(court)


def build_world() -> World:
    tree = build_tree()
    high = staff_court(tree.high, office_scope=Scope.PROVINCE)
    high.office.role = Role.PROVINCE_OFFICE
    high.office.save(update_fields=["role"])
    jinan = staff_court(tree.jinan, office_scope=Scope.SUBTREE)
    lixia = staff_court(tree.lixia)
    shinan = staff_court(tree.shinan)
    campaign = services.campaign_create(year=2019)
    return World(tree, campaign, high, jinan, lixia, shinan, high.office)


def new_case(
    world: World,
    *,
    number: str = "(2017)鲁0102民初1234号",
    judge: str = "",
    is_major: bool = False,
    domicile: str = "山东省济南市历下区文化东路1号",
    ledger_no: str = "",
    id_number: str = "",
    phone: str = "",
) -> PetitionCase:
    """A stock case held by the high court, not yet allocated; its petitioner 张三 (the same
    person for every case given the same `id_number`)."""
    originals = (
        [services.OriginalCaseInput(number=number, trial_judge_name=judge, cause="民间借贷纠纷")]
        if number
        else []
    )
    return services.case_create(
        actor=world.province_office,
        campaign=world.campaign,
        holding_court=world.tree.high,
        data=services.CaseInput(
            petition_type=PetitionType.BEIJING,
            petitioners=[
                services.PetitionerInput(
                    name="张三", id_number=id_number, phone=phone, domicile=domicile
                )
            ],
            claims="要求重新审理",
            is_major=is_major,
            ledger_no=ledger_no,
            original_cases=originals,
            visits=[services.VisitInput(visited_on=dt.date(2018, 12, 1), level=VisitLevel.BEIJING)],
        ),
    )


def promise_document(world: World, case: PetitionCase, user: User | None = None) -> Attachment:
    return services.attachment_add(
        actor=user or world.lixia.office,
        case=case,
        purpose=AttachmentPurpose.PROMISE,
        name="承诺书.pdf",
        stream=io.BytesIO(PDF),
    )


def case_in(world: World, status: CaseStatus, **kwargs: object) -> PetitionCase:
    """A case at 历下法院 brought to `status` through the services (as of today)."""
    case = new_case(world, **kwargs)  # type: ignore[arg-type]
    if status == CaseStatus.UNALLOCATED:
        return case
    case = services.case_allocate(actor=world.province_office, case=case)
    if status == CaseStatus.ALLOCATED:
        return case
    staff = world.staff_of(case.court)
    members = dict(staff.team)
    if case.is_major:
        members["leader"] = staff.president
    case = services.team_assign(actor=staff.office, case=case, members=members)
    if status == CaseStatus.IN_RESOLUTION:
        return case
    today = clock.today()
    if status == CaseStatus.OBSERVATION:
        return services.resolution_oral(actor=staff.office, case=case, promise_on=today)
    case = services.resolution_written(
        actor=staff.office, case=case, promise_on=today, document=promise_document(world, case)
    )
    if status == CaseStatus.MET_STANDARD:
        return case
    services.acceptance_submit(actor=staff.office, case=case, note="已书面承诺")
    case.refresh_from_db()
    if status == CaseStatus.SUBMITTED:
        return case
    reviewer = world.staff_of(case.court.parent or case.court).office
    request = case.acceptance_requests.get(decision="pending")
    services.acceptance_decide(actor=reviewer, request=request, accept=True, reason="")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    return case
