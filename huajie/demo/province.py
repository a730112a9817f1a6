"""The demo province: Shandong's real court tree, staffed with generated people, and the
demo accounts. Loading is idempotent: what exists is kept, what is missing is added.

People are generated deterministically from each court's code, so every machine shows the
same names, and a court's staff never changes when the loader runs again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.test.utils import override_settings

from huajie.accounts.models import Role, Scope, User
from huajie.core.names import person_names
from huajie.core.planner import refresh_statistics
from huajie.courts import shandong
from huajie.courts.models import (
    Court,
    CourtKind,
    CourtLevel,
    Department,
    DepartmentKind,
    Person,
    Position,
    PositionKind,
)
from huajie.courts.services import court_create
from huajie.demo.cases import load_demo_campaign

# --- the tree ---------------------------------------------------------------------------


def load_court_tree() -> Court:
    """Create the high court, the intermediate courts and the basic courts that are missing."""
    existing = {court.code: court for court in Court.objects.all()}

    def ensure(
        code: str,
        name: str,
        short: str,
        level: CourtLevel,
        parent: Court | None,
        kind: str = CourtKind.ORDINARY,
        division_code: str = "",
    ) -> Court:
        if code in existing:
            return existing[code]
        court = court_create(
            name=name,
            short_name=short,
            code=code,
            level=level,
            parent=parent,
            kind=CourtKind(kind),
            division_code=division_code,
        )
        existing[code] = court
        return court

    high = ensure(
        shandong.HIGH_COURT_CODE,
        shandong.HIGH_COURT_NAME,
        shandong.HIGH_COURT_SHORT_NAME,
        CourtLevel.HIGH,
        None,
        division_code="370000",
    )
    for spec in shandong.INTERMEDIATE_COURTS:
        middle = ensure(
            spec.code, spec.name, spec.short_name, CourtLevel.INTERMEDIATE, high, kind=spec.kind
        )
        for basic in spec.basic_courts:
            ensure(
                basic.code,
                basic.name,
                basic.short_name,
                CourtLevel.BASIC,
                middle,
                kind=spec.kind,
                division_code=basic.division_code,
            )
    return high


# --- departments and people -------------------------------------------------------------


@dataclass(frozen=True)
class DeptPlan:
    name: str
    kind: DepartmentKind
    head_title: str  # 庭长 / 局长 / 主任
    judges: int = 2


_PETITION = DeptPlan("诉讼服务中心（信访办）", DepartmentKind.PETITION, "主任", judges=1)
_SUPERVISION = DeptPlan("审判监督庭", DepartmentKind.TRIAL_SUPERVISION, "庭长")
_ENFORCEMENT = DeptPlan("执行局", DepartmentKind.ENFORCEMENT, "局长")
_OFFICE = DeptPlan("办公室", DepartmentKind.OFFICE, "主任", judges=0)

DEPARTMENTS: dict[str, tuple[DeptPlan, ...]] = {
    "high": (
        DeptPlan("立案一庭", DepartmentKind.FILING, "庭长"),
        DeptPlan("立案二庭", DepartmentKind.FILING, "庭长"),
        DeptPlan("民事审判第一庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("刑事审判第一庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("行政审判庭", DepartmentKind.TRIAL, "庭长"),
        _SUPERVISION,
        _ENFORCEMENT,
        _PETITION,
        _OFFICE,
    ),
    "intermediate": (
        DeptPlan("立案庭", DepartmentKind.FILING, "庭长"),
        DeptPlan("民事审判第一庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("民事审判第二庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("刑事审判第一庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("行政审判庭", DepartmentKind.TRIAL, "庭长"),
        _SUPERVISION,
        _ENFORCEMENT,
        _PETITION,
        _OFFICE,
    ),
    "basic": (
        DeptPlan("立案庭", DepartmentKind.FILING, "庭长"),
        DeptPlan("民事审判第一庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("民事审判第二庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("刑事审判庭", DepartmentKind.TRIAL, "庭长"),
        _SUPERVISION,
        _ENFORCEMENT,
        _PETITION,
        _OFFICE,
    ),
    "maritime": (
        DeptPlan("立案庭", DepartmentKind.FILING, "庭长"),
        DeptPlan("海事审判庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("海商审判庭", DepartmentKind.TRIAL, "庭长"),
        _SUPERVISION,
        _ENFORCEMENT,
        _PETITION,
        _OFFICE,
    ),
    "railway": (
        DeptPlan("立案庭", DepartmentKind.FILING, "庭长"),
        DeptPlan("刑事审判庭", DepartmentKind.TRIAL, "庭长"),
        DeptPlan("民事审判庭", DepartmentKind.TRIAL, "庭长"),
        _SUPERVISION,
        _ENFORCEMENT,
        _PETITION,
        _OFFICE,
    ),
}

# (vice presidents in the quota, leaders outside the quota, full-time committee members)
LEADERSHIP: dict[str, tuple[int, int, int]] = {
    "high": (5, 1, 2),
    "intermediate": (4, 1, 2),
    "basic": (3, 1, 1),
}


def _plan_key(court: Court) -> str:
    if court.kind == CourtKind.MARITIME:
        return "maritime"
    if court.kind == CourtKind.RAILWAY:
        return "railway"
    return court.level


@dataclass
class _Staffing:
    """People and positions of one court, built in memory and bulk-inserted."""

    court: Court
    names: list[str]
    rng: random.Random
    people: list[Person]
    positions: list[tuple[Person, PositionKind, str, Department | None]]

    def add(self, dept: Department | None, quota: bool, *roles: tuple[PositionKind, str]) -> Person:
        person = Person(
            court=self.court,
            department=dept,
            name=self.names[len(self.people)],
            in_judge_quota=quota,
            phone=_phone(self.rng),
        )
        self.people.append(person)
        for kind, title in roles:
            self.positions.append((person, kind, title, dept))
        return person


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def staff_court(court: Court) -> int:
    """Give `court` its departments and people unless it has people already."""
    plans = DEPARTMENTS[_plan_key(court)]
    departments = {
        plan.name: Department.objects.get_or_create(
            court=court, name=plan.name, defaults={"kind": plan.kind, "sort": index}
        )[0]
        for index, plan in enumerate(plans)
    }
    if Person.objects.filter(court=court).exists():
        return 0
    staffing = _Staffing(
        court=court,
        names=person_names(f"court:{court.code}", 120),
        rng=random.Random(f"phone:{court.code}"),  # noqa: S311  (demo data, not secrets)
        people=[],
        positions=[],
    )
    level = "basic" if court.level == CourtLevel.BASIC else court.level
    vice_quota, outside_quota, committee = LEADERSHIP[level]
    staffing.add(None, True, (PositionKind.PRESIDENT, "院长"))
    for _ in range(vice_quota):
        staffing.add(None, True, (PositionKind.COURT_LEADER, "副院长"))
    for title in ("政治部主任", "纪检组长")[:outside_quota]:
        staffing.add(None, False, (PositionKind.COURT_LEADER, title))
    for _ in range(committee):
        staffing.add(None, True, (PositionKind.COMMITTEE_MEMBER, "审判委员会专职委员"))
    for plan in plans:
        dept = departments[plan.name]
        staffing.add(
            dept,
            plan.kind != DepartmentKind.OFFICE,
            (PositionKind.DIVISION_LEADER, plan.head_title),
        )
        staffing.add(
            dept,
            plan.kind != DepartmentKind.OFFICE,
            (PositionKind.DIVISION_LEADER, f"副{plan.head_title}"),
        )
        for _ in range(plan.judges):
            staffing.add(dept, True, (PositionKind.JUDGE, "审判员"))
        if plan.kind == DepartmentKind.PETITION:
            for _ in range(2):
                staffing.add(
                    dept,
                    False,
                    (PositionKind.STAFF, "工作人员"),
                    (PositionKind.PETITION_CONTACT, "信访联系人"),
                )
        else:
            staffing.add(dept, False, (PositionKind.STAFF, "法官助理"))
    Person.objects.bulk_create(staffing.people)
    Position.objects.bulk_create(
        Position(person=person, kind=kind, title=title, department=dept)
        for person, kind, title, dept in staffing.positions
    )
    return len(staffing.people)


# --- accounts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    court_code: str
    position: PositionKind
    role: Role
    scope: Scope
    what: str  # shown in the README and on start-up
    nth: int = 0  # which holder of the position (0 = first)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "admin",
        "鲁",
        PositionKind.STAFF,
        Role.ADMIN,
        Scope.PROVINCE,
        "省法院 系统管理员（全省）",
        nth=-1,
    ),
    DemoAccount(
        "sfy_xf",
        "鲁",
        PositionKind.PETITION_CONTACT,
        Role.PROVINCE_OFFICE,
        Scope.PROVINCE,
        "省法院 信访办（全省：交办、验收、通报）",
    ),
    DemoAccount(
        "sfy_ld",
        "鲁",
        PositionKind.COURT_LEADER,
        Role.COURT_LEADER,
        Scope.PROVINCE,
        "省法院 副院长（院领导）",
    ),
    DemoAccount(
        "jn_xf",
        "鲁01",
        PositionKind.PETITION_CONTACT,
        Role.PETITION_OFFICE,
        Scope.SUBTREE,
        "济南中院 信访办（督导辖区基层法院）",
    ),
    DemoAccount(
        "jn_ld",
        "鲁01",
        PositionKind.COURT_LEADER,
        Role.COURT_LEADER,
        Scope.SUBTREE,
        "济南中院 副院长",
    ),
    DemoAccount(
        "lx_xf",
        "鲁0102",
        PositionKind.PETITION_CONTACT,
        Role.PETITION_OFFICE,
        Scope.COURT,
        "历下法院 信访联系人",
    ),
    DemoAccount(
        "lx_yz", "鲁0102", PositionKind.PRESIDENT, Role.COURT_LEADER, Scope.COURT, "历下法院 院长"
    ),
    DemoAccount(
        "lx_ld",
        "鲁0102",
        PositionKind.COURT_LEADER,
        Role.COURT_LEADER,
        Scope.COURT,
        "历下法院 副院长（入额）",
    ),
    DemoAccount(
        "lx_tz",
        "鲁0102",
        PositionKind.DIVISION_LEADER,
        Role.DIVISION_LEADER,
        Scope.COURT,
        "历下法院 庭长",
    ),
    DemoAccount("lx_fg", "鲁0102", PositionKind.JUDGE, Role.JUDGE, Scope.COURT, "历下法院 审判员"),
    DemoAccount(
        "lx_gly",
        "鲁0102",
        PositionKind.STAFF,
        Role.COURT_ADMIN,
        Scope.COURT,
        "历下法院 本院管理员（人员与职务）",
        nth=-1,
    ),
    DemoAccount(
        "qd_xf",
        "鲁02",
        PositionKind.PETITION_CONTACT,
        Role.PETITION_OFFICE,
        Scope.SUBTREE,
        "青岛中院 信访办（另一地市）",
    ),
    DemoAccount(
        "sn_xf",
        "鲁0202",
        PositionKind.PETITION_CONTACT,
        Role.PETITION_OFFICE,
        Scope.COURT,
        "市南法院 信访联系人（另一地市）",
    ),
)


def _holder(account: DemoAccount) -> Person:
    holders = list(
        Person.objects.filter(
            court__code=account.court_code, positions__kind=account.position
        ).order_by("id")
    )
    return holders[account.nth]


def load_accounts(password: str) -> list[User]:
    """Create the demo accounts that do not exist yet; existing ones are left as they are."""
    users = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(
                username=account.username,
                email=f"{account.username}@huajie.invalid",  # the demo's mail goes to the console
                person=_holder(account),
                role=account.role,
                scope=account.scope,
                is_staff=account.role == Role.ADMIN,
            )
            user.set_password(password)
            user.save()
        users.append(user)
    return users


def load_demo_province(password: str, *, with_campaign: bool = True) -> dict[str, int]:
    """The court tree, its staff, the demo accounts and (unless `with_campaign` is False, for
    tests that need only the province) the 2019 campaign, in one transaction.

    The campaign replays 2019: its notifications stay in the app, but they are not mailed now
    (the demo's console backend would print every one of them over the command's output)."""
    no_mail = "django.core.mail.backends.dummy.EmailBackend"
    with override_settings(EMAIL_BACKEND=no_mail), transaction.atomic():
        high = load_court_tree()
        people = sum(staff_court(court) for court in Court.objects.subtree_of(high))
        users = load_accounts(password)
        refresh_statistics()
        campaign = load_demo_campaign() if with_campaign else {}
        refresh_statistics()  # for the sizes loaded, not those half-way
    return {
        "courts": Court.objects.subtree_of(high).count(),
        "people_added": people,
        "accounts": len(users),
        **campaign,
    }
