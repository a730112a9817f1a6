"""The world of the permission matrix (issue #8): one province with every kind of object owned
by 历下法院 (basic court A), and one account at each scope that must or must not reach them.

    high (鲁, 省法院信访办) ─ jinan (鲁01, 中院信访办, subtree) ─ lixia (A: owner, judge, admin)
                          │                                    └ shizhong (B: sibling basic)
                          └ qingdao (鲁02) ─ shinan (basic court of the other city)
    other_high (苏) ─ nanjing ─ xuanwu (a basic court of another province)
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import connection

from huajie.accounts.models import Role, Scope, User
from huajie.bulletins.models import Bulletin
from huajie.bulletins.services import bulletin_issue
from huajie.cases import services
from huajie.cases.models import (
    AcceptanceRequest,
    Attachment,
    AttachmentPurpose,
    CaseStatus,
    EscalationRequest,
    Notification,
    OriginalCase,
    PetitionCase,
    Petitioner,
    PetitionType,
    VisitLevel,
)
from huajie.core import clock
from huajie.courts.models import Person, Position
from huajie.ledger.imports import import_upload
from huajie.ledger.models import LedgerImport
from huajie.supervision.models import CourtVeto
from huajie.supervision.services import veto_set
from tests.cases.world import PDF, Staff, World, build_world, case_in, staff_court
from tests.factories import UserFactory, user_at
from tests.ledger.sheets import row, write_sheet

# The day the matrix runs on: inside the 2019 campaign, so dashboards, vetoes and bulletins
# have a campaign in force.
DAY = dt.date(2019, 7, 15)
FIRST_BULLETIN = dt.date(2019, 3, 14)  # end of the campaign's first bi-weekly period

# Who the matrix asks, by the name its test ids use.
OWNER = "owner"  # petition office of 历下法院, the court that owns every object
WEAKEST = "weakest"  # a judge of 历下法院, not on any team: sees, may do nothing
COURT_ADMIN = "court-admin"  # 历下法院's 本院管理员: people and positions only
SIBLING = "sibling-basic"  # petition office of 市中区法院, same city
OTHER_CITY = "other-city"  # petition office of 市南区法院 (青岛)
INTERMEDIATE = "intermediate"  # 济南中院's petition office, supervises A (subtree)
HIGH = "high"  # the high court's petition office (province)
OTHER_PROVINCE = "other-province"  # petition office of a basic court in 江苏
NATION = "nation"  # national supervision (issue #7): sees every province, changes nothing
ANONYMOUS = "anonymous"

USERS: tuple[str, ...] = (
    OWNER,
    WEAKEST,
    COURT_ADMIN,
    SIBLING,
    OTHER_CITY,
    INTERMEDIATE,
    HIGH,
    OTHER_PROVINCE,
    NATION,
    ANONYMOUS,
)
LOGGED_IN = frozenset(USERS) - {ANONYMOUS}
# Everyone who sees 历下法院 and what it owns.
SEES_A = frozenset({OWNER, WEAKEST, COURT_ADMIN, INTERMEDIATE, HIGH, NATION})
# Everyone with a court in the province (bulletins are published to all of them).
IN_PROVINCE = LOGGED_IN - {OTHER_PROVINCE}
PETITION_OFFICES = frozenset({OWNER, SIBLING, OTHER_CITY, INTERMEDIATE, HIGH, OTHER_PROVINCE})

PETITIONER = "张三"  # every case of the world is his: no refused answer may name him


@dataclass
class MatrixWorld:
    world: World
    shizhong: Staff
    xuanwu: Staff
    users: dict[str, User | None]
    case: PetitionCase  # in resolution at 历下法院, with records, files and a team
    unallocated: PetitionCase  # held by the high court, waiting to be allocated
    met: PetitionCase  # met the standard, ready to submit for acceptance
    submitted: PetitionCase  # acceptance request pending at 济南中院
    escalating: PetitionCase  # escalation request pending at 济南中院
    accepted: PetitionCase
    attachment: Attachment
    petitioner: Petitioner
    original: OriginalCase
    acceptance: AcceptanceRequest
    escalation: EscalationRequest
    notification: Notification  # the owner's, unread
    person: Person  # a judge of 历下法院
    position: Position
    ledger_import: LedgerImport  # 历下法院's refused import, with its marked copy
    veto: CourtVeto  # on 历下法院
    bulletin: Bulletin
    other_city_case: PetitionCase  # 市南区法院's own case, for ids that mix two cases
    # Session keys by account, made once with the world (each test's logins would cost more
    # than its request); a test's own session changes roll back with it.
    sessions: dict[str, str] = field(default_factory=dict)

    @property
    def ledger_numbers(self) -> list[str]:
        cases = (self.case, self.unallocated, self.met, self.submitted, self.escalating)
        return [c.ledger_no for c in (*cases, self.accepted)]

    def staff_for(self, who: str) -> Staff:
        w = self.world
        return {
            OWNER: w.lixia,
            WEAKEST: w.lixia,
            COURT_ADMIN: w.lixia,
            SIBLING: self.shizhong,
            OTHER_CITY: w.shinan,
            INTERMEDIATE: w.jinan,
            HIGH: w.high,
            OTHER_PROVINCE: self.xuanwu,
            NATION: w.lixia,  # no court of its own; the forms it is refused name A's people
        }[who]


def build_matrix_world(media: Path) -> MatrixWorld:
    """Everything through the real services, on `DAY` (bulletin: on its own day)."""
    with clock.travel(FIRST_BULLETIN + dt.timedelta(days=1)):
        world = build_world()
        bulletin = bulletin_issue(
            province=world.tree.high, campaign=world.campaign, as_of=FIRST_BULLETIN, actor=None
        )
    with clock.travel(DAY):
        return _populate(world, bulletin, media)


def _populate(world: World, bulletin: Bulletin, media: Path) -> MatrixWorld:
    tree = world.tree
    shizhong = staff_court(tree.shizhong)
    xuanwu = staff_court(tree.xuanwu)
    services.campaign_create(year=2020)  # a target for the carry-over
    lixia = world.lixia
    users: dict[str, User | None] = {
        OWNER: lixia.office,
        WEAKEST: lixia.judge_user,
        COURT_ADMIN: user_at(tree.lixia, role=Role.COURT_ADMIN, scope=Scope.COURT),
        SIBLING: shizhong.office,
        OTHER_CITY: world.shinan.office,
        INTERMEDIATE: world.jinan.office,
        HIGH: world.province_office,
        OTHER_PROVINCE: xuanwu.office,
        NATION: UserFactory(person=None, role=Role.NATION_OFFICE, scope=Scope.NATION),
        ANONYMOUS: None,
    }
    case = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-M001")
    attachment = services.attachment_add(
        actor=lixia.office,
        case=case,
        purpose=AttachmentPurpose.PROMISE,
        name="承诺书.pdf",
        stream=io.BytesIO(PDF),
    )
    submitted = case_in(world, CaseStatus.SUBMITTED, ledger_no="2019-M004")
    escalating = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-M005")
    escalation = services.escalation_request(
        actor=lixia.office, case=escalating, reason="案情复杂，需上级法院协调"
    )
    accepted = case_in(world, CaseStatus.ACCEPTED, ledger_no="2019-M006")
    veto = veto_set(
        actor=world.province_office, campaign=world.campaign, court=tree.lixia, reason="数据造假"
    )
    notification = Notification.objects.filter(recipient=lixia.office, read_at__isnull=True)
    person = lixia.judge
    return MatrixWorld(
        world=world,
        shizhong=shizhong,
        xuanwu=xuanwu,
        users=users,
        case=case,
        unallocated=case_in(world, CaseStatus.UNALLOCATED, ledger_no="2019-M002"),
        met=case_in(world, CaseStatus.MET_STANDARD, ledger_no="2019-M003"),
        submitted=submitted,
        escalating=escalating,
        accepted=accepted,
        attachment=attachment,
        petitioner=case.petitioners.get(),
        original=case.original_cases.get(),
        acceptance=submitted.acceptance_requests.get(decision="pending"),
        escalation=escalation,
        notification=notification.filter(case=case).order_by("pk").first()
        or notification.order_by("pk").first()
        or _no_notification(),
        person=person,
        position=person.positions.get(),
        ledger_import=_refused_import(world, media),
        veto=veto,
        bulletin=bulletin,
        other_city_case=_case_at_shinan(world),
    )


def _case_at_shinan(world: World) -> PetitionCase:
    """A case of the other city's basic court, of another petitioner, in resolution."""
    case = services.case_create(
        actor=world.province_office,
        campaign=world.campaign,
        holding_court=world.tree.high,
        data=services.CaseInput(
            petition_type=PetitionType.PROVINCE,
            petitioners=[services.PetitionerInput(name="周五", domicile="山东省青岛市市南区")],
            claims="要求执行到位",
            ledger_no="2019-Q001",
            original_cases=[services.OriginalCaseInput(number="(2017)鲁0202民初77号")],
            visits=[
                services.VisitInput(visited_on=dt.date(2018, 12, 1), level=VisitLevel.PROVINCE)
            ],
        ),
    )
    case = services.case_allocate(actor=world.province_office, case=case)
    assert case.court == world.tree.shinan
    members: dict[str, Person | None] = dict(world.shinan.team)
    return services.team_assign(actor=world.shinan.office, case=case, members=members)


def _no_notification() -> Notification:
    raise AssertionError("the world's owner should have been notified of the team")


def _refused_import(world: World, media: Path) -> LedgerImport:
    """An import of 历下法院 that the dry run refused, so it has a marked copy."""
    sheet = write_sheet(media / "refused.xlsx", [row(信访类型="不知道", 信访人="李四")])
    with sheet.open("rb") as handle:
        record = import_upload(
            user=world.lixia.office, campaign=world.campaign, stream=handle, name="历下台账.xlsx"
        )
    record.refresh_from_db()
    return record


# --- the fingerprint of the database -----------------------------------------------------

# Fields that move without anything being changed by a request: logging in.
VOLATILE = {"accounts.User": {"last_login"}, "accounts.ApiToken": {"last_used_at"}}
# The session table is written by logging in, before the request; never by a refusal.
SKIPPED = {"sessions.Session"}


@functools.cache
def _statements() -> tuple[tuple[str, str], ...]:
    """One plain SELECT per model of every column (but the volatile ones), by primary key."""

    def quote(name: str | None) -> str:
        assert name is not None
        return connection.ops.quote_name(name)

    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.label in SKIPPED or not meta.managed or meta.proxy:
            continue
        columns = [
            quote(f.column)
            for f in meta.concrete_fields
            if f.name not in VOLATILE.get(meta.label, ())
        ]
        # Names from the models' own metadata, quoted by the backend: nothing from outside.
        sql = (
            f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} "  # noqa: S608
            f"ORDER BY {quote(meta.pk.column)}"
        )
        found.append((meta.label, sql))
    return tuple(found)


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row of every model (audit events included): stricter
    than counts with max(version) and max(updated_at), and it sees a field changed in place."""
    result = {}
    with connection.cursor() as cursor:
        for label, sql in _statements():
            cursor.execute(sql)
            rows = cursor.fetchall()
            result[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))
