"""The demo 2019 campaign (R3–R15): the 1,241 stock cases of the notice and a few dozen new
petitions, as Shandong's courts would have them on 15 July 2019, in the middle of the
concentrated-resolution phase.

Everything is written through `huajie.cases.services`, exactly as users write it, so the demo
is validated and audited like real data. Each case has a story replayed at realistic dates with
`clock.travel`: the ledger is entered on 25 February and allocated in one step on 26 February,
teams are assembled over March, leaders receive petitioners, measures are taken, promises are
signed, acceptance is asked for and decided, a few petitioners go to Beijing again, a few cases
are taken up by the intermediate court. The steps of all cases are played in date order, so the
audit chain reads as one chronological history. Last, the time rules run for the demo day.

Deterministic (one `random.Random("demo-2019")`) and idempotent: a campaign that already has
cases is left as it is.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import io
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from operator import itemgetter

from django.db import transaction
from reportlab.lib.pagesizes import A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from huajie.accounts.models import Role, Scope, User
from huajie.cases import services
from huajie.cases.allocation import DomicileIndex
from huajie.cases.identity import compute_check_char
from huajie.cases.jobs import run_tick
from huajie.cases.models import (
    AcceptanceRequest,
    ActivityKind,
    Attachment,
    AttachmentPurpose,
    Campaign,
    CaseStatus,
    MeasureKind,
    Origin,
    PetitionCase,
    PetitionType,
    RiskLevel,
    Stage,
    VisitLevel,
)
from huajie.core import clock
from huajie.core.names import person_name
from huajie.core.planner import refresh_statistics
from huajie.courts import shandong
from huajie.courts.models import Court, CourtKind, CourtLevel, DepartmentKind, Person, PositionKind

YEAR = 2019
STOCK_CASES = 1241
NEW_PETITIONS = 36
LEDGER_DAY = dt.date(2019, 2, 25)  # the province office enters the ledger
ALLOCATION_DAY = dt.date(2019, 2, 26)  # and allocates it in one step
DEMO_DAY = dt.date(2019, 7, 15)  # the time rules run for this day, last
LAST_DAY = DEMO_DAY - dt.timedelta(days=1)  # the stories end the day before
SEED = "demo-2019"

# Relative share of the ledger per city (intermediate court code): the big cities carry most.
CITY_WEIGHTS: dict[str, float] = {
    "鲁01": 12,  # 济南
    "鲁02": 11,  # 青岛
    "鲁03": 6,  # 淄博
    "鲁04": 4,  # 枣庄
    "鲁05": 2,  # 东营
    "鲁06": 8,  # 烟台
    "鲁07": 9,  # 潍坊
    "鲁08": 8,  # 济宁
    "鲁09": 5,  # 泰安
    "鲁10": 2,  # 威海
    "鲁11": 2,  # 日照
    "鲁12": 1.5,  # 莱芜
    "鲁13": 10,  # 临沂
    "鲁14": 5,  # 德州
    "鲁15": 5,  # 聊城
    "鲁16": 4,  # 滨州
    "鲁17": 8,  # 菏泽
}


class Outcome(StrEnum):
    """Where a case's story has got to on the demo day."""

    UNALLOCATABLE = "unallocatable"  # no known court, no recognisable domicile: 待交办
    NO_TEAM = "no_team"  # allocated, nobody named yet
    PARTIAL_TEAM = "partial_team"  # allocated, team incomplete
    WORKING = "working"  # in resolution, leader active
    NOMINAL = "nominal"  # in resolution, leader silent for over 30 days
    OBSERVATION = "observation"  # oral promise in 2019
    OBSERVATION_VISIT = "observation_visit"  # oral promise, then a Beijing visit: back to work
    OBSERVATION_PASSED = "observation_passed"  # oral promise in 2018: the tick meets the standard
    MET_WRITTEN = "met_written"
    MET_TERMINATION = "met_termination"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"  # returned once, resolved again and re-submitted (half accepted)
    REOPENED = "reopened"  # accepted, then a Beijing visit reopened it
    ESCALATED = "escalated"  # taken up by the intermediate court


# Stock cases per outcome; WORKING takes the rest. Roughly: 2% 待交办, 3% 待组建专班,
# 48% 化解中, 8% 观察期, 11% 已达化解标准, 6% 待验收, 22% 已验收.
STOCK_QUOTAS: dict[Outcome, int] = {
    Outcome.UNALLOCATABLE: 25,
    Outcome.NO_TEAM: 17,
    Outcome.PARTIAL_TEAM: 20,
    Outcome.NOMINAL: 72,
    Outcome.OBSERVATION: 100,
    Outcome.OBSERVATION_VISIT: 6,
    Outcome.OBSERVATION_PASSED: 14,
    Outcome.MET_WRITTEN: 92,
    Outcome.MET_TERMINATION: 30,
    Outcome.SUBMITTED: 68,
    Outcome.ACCEPTED: 262,
    Outcome.RETURNED: 24,
    Outcome.REOPENED: 12,
    Outcome.ESCALATED: 10,
}
NEW_QUOTAS: dict[Outcome, int] = {
    Outcome.ACCEPTED: 8,
    Outcome.SUBMITTED: 4,
    Outcome.MET_WRITTEN: 4,
    Outcome.OBSERVATION: 3,
}
DOMICILE_ONLY = 150  # ~12%: no original case, the domicile decides (属地)
HIGH_COURT_CASES = 18  # a handful end at the high court (latest case a 申 there)
INTERMEDIATE_SHARE = 0.2
RAILWAY_CASES = 4
MARITIME_CASES = 3
MAJOR_SHARE = 0.04
GUIDANCE_NOTES = 45
PENDING_ESCALATIONS = 3
TRIAL_SUPERVISIONS = 6
SHARED_PETITIONERS = 8
ACTIVITY_GAP_DAYS = (22, 30)  # a leader active about once a month
DUPLICATE_PAIRS = 6

# --- texts ------------------------------------------------------------------------------

CIVIL_CAUSES: dict[str, int] = {
    "民间借贷纠纷": 15,
    "房屋买卖合同纠纷": 8,
    "劳动争议": 8,
    "机动车交通事故责任纠纷": 8,
    "离婚纠纷": 5,
    "土地承包经营权纠纷": 6,
    "建设工程施工合同纠纷": 5,
    "追索劳动报酬纠纷": 5,
    "医疗损害责任纠纷": 4,
    "继承纠纷": 4,
    "相邻关系纠纷": 3,
    "宅基地使用权纠纷": 3,
    "房屋租赁合同纠纷": 3,
    "提供劳务者受害责任纠纷": 3,
    "买卖合同纠纷": 4,
    "物业服务合同纠纷": 2,
}
CRIMINAL_CAUSES: dict[str, int] = {
    "故意伤害罪": 5,
    "诈骗罪": 3,
    "交通肇事罪": 3,
    "非法吸收公众存款罪": 3,
    "集资诈骗罪": 1,
    "寻衅滋事罪": 2,
}
ADMINISTRATIVE_CAUSES: dict[str, int] = {
    "行政强制": 4,
    "行政征收": 4,
    "行政赔偿": 2,
    "工伤认定": 2,
    "行政登记": 1,
    "行政处罚": 2,
}
MARITIME_CAUSES = ("海上货物运输合同纠纷", "船员劳务合同纠纷", "船舶碰撞损害责任纠纷")
RAILWAY_CAUSES = ("铁路旅客运输合同纠纷", "铁路运输人身损害责任纠纷")

CLAIMS: dict[str, tuple[str, ...]] = {
    "trial": (
        "认为{number}判决认定事实错误、适用法律不当，要求再审改判",
        "要求撤销原判决，支持其全部诉讼请求",
        "要求追究原审承办法官责任，赔偿其经济损失",
        "认为原审程序违法，未让其充分举证，要求重新审理",
    ),
    "enforcement": (
        "反映{number}案件执行不到位，要求尽快执行到位",
        "认为执行法院消极执行，要求更换执行法官并追究责任",
        "要求拍卖被执行人房产，兑现生效判决确定的款项",
    ),
    "filing": (
        "对管辖权异议裁定不服，要求由其住所地法院审理",
        "反映起诉后法院长期不予立案，要求依法受理",
    ),
    "criminal": (
        "认为被告人量刑畸轻，要求重新审理并从重处罚",
        "认为其亲属无罪，要求再审改判",
        "要求落实刑事附带民事赔偿款",
    ),
    "administrative": (
        "要求确认行政强制拆除行为违法并赔偿损失",
        "对征收补偿标准不服，要求提高补偿",
        "要求撤销被诉行政行为，恢复原状",
    ),
}
HARDSHIP_CLAIM = "家庭生活困难，要求给予救助"

BEIJING_BODIES = (
    "国家信访局",
    "国家信访局",
    "最高人民法院",
    "最高人民法院",
    "最高人民检察院",
    "全国人大常委会办公厅信访局",
)
PROVINCE_BODIES = (
    "山东省信访局",
    "山东省高级人民法院",
    "山东省高级人民法院",
    "中共山东省委政法委员会",
    "山东省人民检察院",
)
VISIT_SUMMARIES = ("到{body}反映{cause}案件问题", "到{body}上访，要求解决{cause}案件诉求")

ACTIVITY_TEXTS: dict[ActivityKind, tuple[str, ...]] = {
    ActivityKind.RECEPTION: (
        "亲自接访信访人{name}，听取其对{cause}案件的诉求，释法明理",
        "约见信访人{name}及其家属，逐项答复其反映的问题",
        "在诉讼服务中心接待信访人{name}，耐心疏导，信访人情绪趋于平稳",
        "与原审承办法官共同接访信访人{name}，当面解释{number}案裁判理由",
    ),
    ActivityKind.FILE_REVIEW: (
        "调阅{number}案卷宗，审查原审认定事实和适用法律情况",
        "阅卷并听取原审合议庭汇报，梳理信访人诉求中的合理部分",
        "审阅专班提交的化解方案，提出修改意见",
    ),
    ActivityKind.MEETING: (
        "主持召开专班会议，研究{cause}案件化解方案，明确分工和时限",
        "召集立案、审判、执行部门会商，研究解决信访人合理诉求的办法",
        "与信访人户籍地党委政府协调，共同研究帮扶救助措施",
    ),
    ActivityKind.VISIT: (
        "带队到信访人{name}家中走访，了解其家庭生活困难情况",
        "到信访人所在村（社区）走访，协调基层组织共同做好疏导工作",
        "回访信访人{name}，了解思想动态，巩固化解成果",
    ),
}
ACTIVITY_KINDS = (
    ActivityKind.RECEPTION,
    ActivityKind.FILE_REVIEW,
    ActivityKind.MEETING,
    ActivityKind.VISIT,
)
ACTIVITY_WEIGHTS = (4, 2, 2, 2)
RECEPTION_TEXTS = (
    "专班工作人员接谈信访人{name}，制作接谈笔录",
    "信访联系人电话联系信访人{name}，告知案件办理进展",
    "专班工作人员约谈信访人{name}，宣讲涉法涉诉信访法律政策",
)
GUIDANCE_TEXTS = (
    "该案信访人多次进京，请包案领导亲自接访，每半月报送一次化解进展。",
    "请专班查明信访人实际困难，符合条件的依法给予司法救助。",
    "请核实原审执行款发放情况，必要时启动执行监督程序。",
    "请加强与信访人户籍地党委政府的协调，落实属地稳控责任。",
    "该案原审裁判存在瑕疵的，请依法启动审判监督程序纠正。",
)
RETURN_REASONS = (
    "承诺书未附信访人身份证复印件，无法核实系本人签字，请补充后重新报送。",
    "经电话回访，信访人表示诉求尚未解决，仍有进京意向，化解不实，退回继续化解。",
    "化解材料中缺少包案领导接访记录，请补充完善。",
)
ACCEPT_REASONS = (
    "材料齐全，经电话回访信访人确认息诉罢访，同意验收。",
    "化解措施到位，信访人已签字承诺息诉罢访，同意验收。",
    "",
)
HANDOVER_TO = ("{district}信访局", "{district}公安局", "信访人户籍地街道办事处")
ESCALATION_REASONS = (
    "案情复杂，涉及多个部门，基层法院化解难度大，由中院提级办理",
    "信访人多次进京，原审法院化解工作进展缓慢，中院决定提级办理",
)

STREETS = ("城关", "东关", "西关", "南关", "北关", "文化路", "人民路", "建设路", "新华路", "府前")
TOWNS = ("城关", "北集", "南庄", "大王", "官庄", "辛店", "马集", "王村", "新安", "柳林")
COMMUNITIES = ("幸福", "阳光", "和谐", "锦绣", "金色", "翡翠", "春晖", "丽景")
# Petitioners the rules cannot place: an address outside the province, and where they had a
# court case, it was in another province's court (court codes that are not in the tree).
FOREIGN_HOMES: tuple[tuple[str, str, str], ...] = (
    ("河北省沧州市运河区", "130903", "冀0903"),
    ("河南省商丘市梁园区", "411402", "豫1402"),
    ("江苏省徐州市铜山区", "320312", "苏0312"),
    ("安徽省宿州市埇桥区", "341302", "皖1302"),
    ("辽宁省大连市甘井子区", "210211", "辽0211"),
)

# --- small helpers ----------------------------------------------------------------------


def _weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day in [first, last]; `first` when the window is empty."""
    span = (last - first).days
    return first + dt.timedelta(days=rng.randint(0, span)) if span > 0 else first


def _monthly(rng: random.Random, first: dt.date, last: dt.date) -> list[dt.date]:
    """Days from `first` to `last`, about a month apart, the last within 25 days of `last`
    (an active leader: never 30 days without a record, R8)."""
    days: list[dt.date] = []
    day = first
    while day <= last:
        days.append(day)
        day += dt.timedelta(days=rng.randint(*ACTIVITY_GAP_DAYS))
    if days and (last - days[-1]).days > 25:
        days.append(_day_between(rng, last - dt.timedelta(days=20), last))
    return days


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _city_of(court: Court) -> str:
    """济南市 for 济南中院 (the city an intermediate court serves)."""
    return court.name.removeprefix(shandong.PROVINCE_NAME).removesuffix("中级人民法院")


def _district_of(court: Court) -> str:
    """Where a court's local authorities are: 济南市历下区, 济南市, 山东省."""
    if court.level == CourtLevel.BASIC and court.kind == CourtKind.ORDINARY:
        return _region_of(court)
    if court.level == CourtLevel.INTERMEDIATE and court.kind == CourtKind.ORDINARY:
        return _city_of(court)
    return shandong.PROVINCE_NAME


def _region_of(court: Court) -> str:
    """济南市历下区 / 龙口市 (a basic court's region as named in its name)."""
    return court.name.removeprefix(shandong.PROVINCE_NAME).removesuffix("人民法院")


# --- the province as the demo needs it --------------------------------------------------


@dataclass
class CourtStaff:
    """The people of one court by what they can do in a team (R5, R6) or as trial judges."""

    court: Court
    president: Person | None = None
    leaders: list[Person] = field(default_factory=list)  # may lead, besides the president
    division_leaders: dict[str, list[Person]] = field(default_factory=dict)  # by dept kind
    members: dict[str, list[Person]] = field(default_factory=dict)  # staff/judges by dept kind
    judges: dict[str, list[Person]] = field(default_factory=dict)  # by department name
    contacts: list[Person] = field(default_factory=list)
    heads: list[Person] = field(default_factory=list)  # 庭长 (first receipt of new petitions)

    def add(self, person: Person) -> None:
        kinds = {p.kind for p in person.positions.all()}
        dept = person.department
        dept_kind = dept.kind if dept else ""
        if PositionKind.PRESIDENT in kinds:
            self.president = person
        elif self._may_lead(person, kinds):
            self.leaders.append(person)
        if PositionKind.DIVISION_LEADER in kinds:
            self.division_leaders.setdefault(dept_kind, []).append(person)
            if dept and dept.kind != DepartmentKind.OFFICE and "副" not in person_title(person):
                self.heads.append(person)
        if (
            kinds & {PositionKind.STAFF, PositionKind.JUDGE}
            and PositionKind.PETITION_CONTACT not in kinds
        ):
            self.members.setdefault(dept_kind, []).append(person)
        if PositionKind.JUDGE in kinds and dept is not None:
            self.judges.setdefault(dept.name, []).append(person)
        if PositionKind.PETITION_CONTACT in kinds:
            self.contacts.append(person)

    def _may_lead(self, person: Person, kinds: set[str]) -> bool:
        if PositionKind.COMMITTEE_MEMBER in kinds:
            return True
        if PositionKind.COURT_LEADER not in kinds:
            return False
        return self.court.is_high or person.in_judge_quota

    def judge_for(self, rng: random.Random, type_code: str) -> Person | None:
        """A judge of the department that hears cases of `type_code`."""
        wanted = _department_words(type_code)
        pool = [
            p
            for name, people in self.judges.items()
            if any(w in name for w in wanted)
            for p in people
        ]
        pool = pool or [p for people in self.judges.values() for p in people]
        return rng.choice(pool) if pool else None


def person_title(person: Person) -> str:
    return next((p.title for p in person.positions.all()), "")


def _department_words(type_code: str) -> tuple[str, ...]:
    if type_code.startswith("执"):
        return ("执行",)
    if "辖" in type_code:
        return ("立案",)
    if "申" in type_code or "再" in type_code:
        return ("审判监督",)
    if type_code.startswith("刑"):
        return ("刑事",)
    if type_code.startswith("行"):
        return ("行政",)
    return ("民事", "海事", "海商")


@dataclass
class Province:
    """The demo province's courts and staff, loaded once (a few queries, no query per case)."""

    high: Court
    courts: dict[int, Court]
    by_code: dict[str, Court]
    staff: dict[int, CourtStaff]
    domiciles: DomicileIndex

    @classmethod
    def load(cls, high: Court) -> Province:
        courts = {c.pk: c for c in Court.objects.subtree_of(high)}
        staff = {pk: CourtStaff(court) for pk, court in courts.items()}
        people = (
            Person.objects.filter(court__path__startswith=high.path, is_active=True)
            .select_related("department")
            .prefetch_related("positions")
            .order_by("id")
        )
        for person in people:
            person.court = courts[person.court_id]  # cached: no query when a service asks
            staff[person.court_id].add(person)
        by_code = {c.code: c for c in courts.values()}
        return cls(high, courts, by_code, staff, DomicileIndex(high))

    def parent(self, court: Court) -> Court | None:
        return self.courts.get(court.parent_id) if court.parent_id else None

    def reviewer(self, court: Court) -> Court:
        """R11: the superior court reviews; the high court reviews its own cases."""
        return self.parent(court) or court

    def cities(self) -> list[Court]:
        return [self.by_code[code] for code in CITY_WEIGHTS]

    def basic_courts(self, city: Court) -> list[Court]:
        return [c for c in self.courts.values() if c.parent_id == city.pk]

    def random_city(self, rng: random.Random) -> Court:
        return rng.choices(self.cities(), weights=list(CITY_WEIGHTS.values()))[0]

    def random_basic(self, rng: random.Random, city: Court | None = None) -> Court:
        return rng.choice(self.basic_courts(city or self.random_city(rng)))


class Offices:
    """The account that acts for each court: its (first) petition-office contact.

    Services need a `User` as actor (submitting and deciding acceptance, escalation,
    guidance), and the work of a court is recorded by its petition office. Where a demo account
    already maps to that person (sfy_xf, jn_xf, qd_xf, lx_xf, sn_xf) it is reused, so those
    logins find their court's history as their own. For the other courts a system account is
    created for the contact person, with no usable password and inactive: nobody can log in
    with it and no notification is addressed to it, but the audit trail names the real person
    of that court who did the work. One account per court that acts, none for the others."""

    def __init__(self, province: Province) -> None:
        self.province = province
        contacts = [s.contacts[0] for s in province.staff.values() if s.contacts]
        self._users = {u.person_id: u for u in User.objects.filter(person__in=contacts)}

    def of(self, court: Court) -> User:
        contact = self.province.staff[court.pk].contacts[0]
        user = self._users.get(contact.pk)
        if user is None:
            user = self._create(court, contact)
            self._users[contact.pk] = user
        user.person = contact  # the cached person (and court): no query per audit event
        return user

    def _create(self, court: Court, contact: Person) -> User:
        if court.is_high:
            role, scope = Role.PROVINCE_OFFICE, Scope.PROVINCE
        elif court.level == CourtLevel.INTERMEDIATE:
            role, scope = Role.PETITION_OFFICE, Scope.SUBTREE
        else:
            role, scope = Role.PETITION_OFFICE, Scope.COURT
        user = User(
            username=f"demo_xf_{court.code.replace('鲁', 'lu')}",
            person=contact,
            role=role,
            scope=scope,
            is_active=False,
        )
        user.set_unusable_password()
        user.save()
        return user


# --- the ledger's records ---------------------------------------------------------------


@dataclass(frozen=True)
class Original:
    """An original court case as the ledger names it."""

    court: Court
    year: int
    type_code: str
    serial: int
    judge: Person | None
    cause: str

    @property
    def number(self) -> str:
        return f"({self.year}){self.court.code}{self.type_code}{self.serial}号"

    def as_input(self) -> services.OriginalCaseInput:
        judge = self.judge.name if self.judge else ""
        return services.OriginalCaseInput(
            number=self.number, trial_judge_name=judge, cause=self.cause
        )


@dataclass
class Spec:
    """One case before it is entered: its record and where its story goes."""

    data: services.CaseInput
    court: Court | None  # where the allocation rules will send it (None: manual)
    originals: list[Original]
    cause: str
    stage: str
    outcome: Outcome = Outcome.WORKING
    promise_2018: dt.date | None = None  # OBSERVATION_PASSED: the oral promise of 2018
    owner: Person | None = None  # new petitions: the first-receipt owner (R14)
    received_on: dt.date | None = None

    @property
    def name(self) -> str:
        return self.data.petitioners[0].name

    @property
    def number(self) -> str:
        return self.originals[-1].number if self.originals else ""

    @property
    def last_visit(self) -> dt.date | None:
        return max((v.visited_on for v in self.data.visits), default=None)


_SERIAL_MAX = {"初": 9000, "终": 6000, "申": 4000, "执": 6000, "辖": 900}


class Ledger:
    """Generates the records: petitioners, original cases, visits, claims, risk."""

    def __init__(self, province: Province, rng: random.Random) -> None:
        self.p = province
        self.rng = rng
        self.ids: set[str] = set()

    # petitioners

    def address(self, home: Court) -> str:
        """A domicile in the region of basic court `home` that the 属地 rule finds."""
        city = _city_of(self.p.parent(home) or home)
        region = _region_of(home)
        district = region.removeprefix(city)
        for _ in range(20):
            address = f"{shandong.PROVINCE_NAME}{city}{district}{self._street()}"
            if self.p.domiciles.court_for(address) == home:
                return address
        raise RuntimeError(f"no recognisable address for {home.name}")

    def _street(self) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            return (
                f"{rng.choice(STREETS)}街道{rng.choice(COMMUNITIES)}小区"
                f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
                f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
            )
        surname = person_name(rng)[0]
        return f"{rng.choice(TOWNS)}镇{surname}家庄村{rng.randint(1, 300)}号"

    def id_number(self, division: str) -> str:
        rng = self.rng
        while True:
            born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(46 * 365))
            body = f"{division}{born:%Y%m%d}{rng.randrange(1000):03d}"
            number = body + compute_check_char(body)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def petitioner(self, home: Court | None, *, surname: str = "") -> services.PetitionerInput:
        rng = self.rng
        name = person_name(rng)
        if surname and len(name) <= 3:
            name = surname + name[1:]
        if home is None:  # from outside the province, or nobody knows where
            foreign, division, _code = rng.choice(FOREIGN_HOMES)
            return services.PetitionerInput(
                name=name,
                id_number=self.id_number(division) if rng.random() < 0.3 else "",
                phone=_phone(rng),
                domicile=f"{foreign}{self._street()}" if rng.random() < 0.7 else "",
            )
        with_id = rng.random() < 0.85 and bool(home.division_code)
        address = self.address(home)
        by_residence = rng.random() < 0.08  # the domicile unknown, where they live is known
        return services.PetitionerInput(
            name=name,
            id_number=self.id_number(home.division_code) if with_id else "",
            phone=_phone(rng),
            domicile="" if by_residence else address,
            residence=address if by_residence else "",
        )

    def petitioners(self, home: Court | None) -> list[services.PetitionerInput]:
        first = self.petitioner(home)
        if self.rng.random() < 0.1:  # a spouse or a relative petitions together
            surname = first.name[0] if self.rng.random() < 0.6 else ""
            return [first, self.petitioner(home, surname=surname)]
        return [first]

    # original cases

    def original(self, court: Court, year: int, type_code: str, cause: str) -> Original:
        top = next((n for mark, n in _SERIAL_MAX.items() if mark in type_code), 3000)
        if court.level != CourtLevel.BASIC and type_code.endswith("初"):
            top = 600
        judge = self.p.staff[court.pk].judge_for(self.rng, type_code)
        return Original(court, year, type_code, self.rng.randint(10, top), judge, cause)

    def chain(self, court: Court, kind: str, stage: str, cause: str) -> list[Original]:
        """Original cases, oldest first, whose latest was handled by `court` (谁办案)."""
        level = court.level
        if court.kind != CourtKind.ORDINARY:
            return [self.original(court, self._year(1), f"{kind}初", cause)]
        if level == CourtLevel.BASIC:
            return self._chain_basic(court, kind, stage, cause)
        if level == CourtLevel.INTERMEDIATE:
            return self._chain_intermediate(court, kind, stage, cause)
        city = self.p.random_city(self.rng)
        basic = self.p.random_basic(self.rng, city)
        y = self._year(3)
        return [
            self.original(basic, y, f"{kind}初", cause),
            self.original(city, y + 1, f"{kind}终", cause),
            self.original(court, y + 2, f"{kind}申", cause),
        ]

    def _year(self, length: int) -> int:
        return self.rng.randint(2016, 2019 - length)

    def _chain_basic(self, court: Court, kind: str, stage: str, cause: str) -> list[Original]:
        rng = self.rng
        city = self.p.parent(court)
        assert city is not None
        if stage == Stage.ENFORCEMENT:
            if rng.random() < 0.5:
                y = self._year(3)
                middle = [self.original(city, y + 1, "民终", cause)]
            else:
                y, middle = self._year(2), []
            enforce = rng.choice(("执", "执", "执恢", "执异"))
            last = y + 1 + len(middle)
            return [
                self.original(court, y, "民初", cause),
                *middle,
                self.original(court, last, enforce, cause),
            ]
        roll = rng.random()
        if roll < 0.15:  # remanded: first instance again after the appeal
            y = self._year(3)
            return [
                self.original(court, y, f"{kind}初", cause),
                self.original(city, y + 1, f"{kind}终", cause),
                self.original(court, y + 2, f"{kind}初", cause),
            ]
        if roll < 0.3:
            y = self._year(2)
            other = self.rng.choice(list(CIVIL_CAUSES))
            return [
                self.original(court, y, "民初", other),
                self.original(court, y + 1, f"{kind}初", cause),
            ]
        return [self.original(court, self._year(1), f"{kind}初", cause)]

    def _chain_intermediate(
        self, court: Court, kind: str, stage: str, cause: str
    ) -> list[Original]:
        basic = self.rng.choice(self.p.basic_courts(court))
        if stage == Stage.ENFORCEMENT:
            y = self._year(2)
            return [
                self.original(court, y, "民初", cause),
                self.original(court, y + 1, "执", cause),
            ]
        if stage == Stage.FILING:
            y = self._year(2)
            return [
                self.original(basic, y, "民初", cause),
                self.original(court, y + 1, "民辖终", cause),
            ]
        if self.rng.random() < 0.15:  # first instance at the intermediate court
            return [self.original(court, self._year(1), f"{kind}初", cause)]
        y = self._year(2)
        return [
            self.original(basic, y, f"{kind}初", cause),
            self.original(court, y + 1, f"{kind}终", cause),
        ]

    # the rest of the record

    def visits(
        self, petition_type: str, since: int, cause: str, count: int = 0
    ) -> list[services.VisitInput]:
        rng = self.rng
        count = count or rng.choices((1, 2, 3, 4, 5, 6), weights=(36, 28, 16, 10, 6, 4))[0]
        first = max(dt.date(2016, 1, 1), dt.date(since, 3, 1))
        days = sorted(_day_between(rng, first, dt.date(2018, 12, 28)) for _ in range(count))
        return [self.visit(day, self._level(petition_type, n), cause) for n, day in enumerate(days)]

    def visit(self, day: dt.date, level: VisitLevel, cause: str) -> services.VisitInput:
        bodies = BEIJING_BODIES if level == VisitLevel.BEIJING else PROVINCE_BODIES
        body = self.rng.choice(bodies)
        summary = self.rng.choice(VISIT_SUMMARIES).format(body=body, cause=cause)
        return services.VisitInput(
            visited_on=day, level=level, receiving_body=body, summary=summary
        )

    def _level(self, petition_type: str, n: int) -> VisitLevel:
        if petition_type == PetitionType.BEIJING:
            return VisitLevel.BEIJING
        if petition_type == PetitionType.PROVINCE:
            return VisitLevel.PROVINCE
        return VisitLevel.PROVINCE if n == 0 or self.rng.random() < 0.5 else VisitLevel.BEIJING

    def petition_type(self) -> PetitionType:
        return self.rng.choices(
            (PetitionType.BEIJING, PetitionType.PROVINCE, PetitionType.BOTH), weights=(40, 40, 20)
        )[0]

    def claims(self, kind: str, stage: str, number: str) -> str:
        group = {"刑": "criminal", "行": "administrative"}.get(kind, str(stage))
        texts = [t for t in CLAIMS[group] if number or "{number}" not in t]
        claims = [self.rng.choice(texts).format(number=number)]
        if self.rng.random() < 0.2:
            claims.append(HARDSHIP_CLAIM)
        return "；".join(claims)

    def risk(self) -> tuple[RiskLevel, bool]:
        level = self.rng.choices(
            (RiskLevel.NORMAL, RiskLevel.ELEVATED, RiskLevel.HIGH), weights=(62, 28, 10)
        )[0]
        return level, level == RiskLevel.HIGH and self.rng.random() < 0.3

    def cause(self, kind: str) -> str:
        table = {"民": CIVIL_CAUSES, "刑": CRIMINAL_CAUSES, "行": ADMINISTRATIVE_CAUSES}[kind]
        return _weighted(self.rng, table)

    def kind_and_stage(self) -> tuple[str, str]:
        kind = self.rng.choices(("民", "刑", "行"), weights=(80, 10, 10))[0]
        if kind != "民":
            return kind, Stage.TRIAL
        return kind, self.rng.choices((Stage.TRIAL, Stage.ENFORCEMENT), weights=(62, 38))[0]

    def spec(
        self,
        court: Court | None,
        originals: list[Original],
        home: Court | None,
        kind: str,
        stage: str,
        cause: str,
    ) -> Spec:
        petition_type = self.petition_type()
        since = min((o.year for o in originals), default=2016)
        risk, extreme = self.risk()
        number = originals[-1].number if originals else ""
        data = services.CaseInput(
            petition_type=petition_type,
            petitioners=self.petitioners(home),
            claims=self.claims(kind, stage, number),
            risk_level=risk,
            extreme_tendency=extreme,
            is_major=self.rng.random() < MAJOR_SHARE,
            remarks="曾扬言采取极端方式，需重点稳控" if extreme else "",
            source_stage=stage,
            original_cases=[o.as_input() for o in originals],
            visits=self.visits(petition_type, since, cause),
        )
        return Spec(data, court, originals, cause, stage)


# --- the stock ledger -------------------------------------------------------------------


def _target_kinds(rng: random.Random, total: int) -> list[str]:
    """How each stock case will be placed, in a shuffled order of exact counts."""
    fixed = {
        "unallocatable": STOCK_QUOTAS[Outcome.UNALLOCATABLE],
        "domicile": DOMICILE_ONLY,
        "high": HIGH_COURT_CASES,
        "railway": RAILWAY_CASES,
        "maritime": MARITIME_CASES,
    }
    rest = total - sum(fixed.values())
    fixed["intermediate"] = round(rest * INTERMEDIATE_SHARE)
    fixed["basic"] = rest - fixed["intermediate"]
    kinds = [kind for kind, n in fixed.items() for _ in range(n)]
    rng.shuffle(kinds)
    return kinds


def stock_specs(ledger: Ledger, total: int = STOCK_CASES) -> list[Spec]:
    rng, p = ledger.rng, ledger.p
    specs = [_stock_spec(ledger, target) for target in _target_kinds(rng, total)]
    _share_petitioners(rng, specs)
    assign_outcomes(rng, specs, p)
    return specs


def _stock_spec(ledger: Ledger, target: str) -> Spec:
    rng, p = ledger.rng, ledger.p
    kind, stage = ledger.kind_and_stage()
    cause = ledger.cause(kind)
    if target == "unallocatable":
        return _unallocatable_spec(ledger, cause)
    if target == "domicile":
        home = p.random_basic(rng)
        return ledger.spec(home, [], home, kind, Stage.TRIAL if kind != "民" else stage, cause)
    if target == "railway":
        court = p.by_code[rng.choice(("鲁7101", "鲁7102"))]
        cause = rng.choice(RAILWAY_CAUSES)
        return ledger.spec(
            court,
            ledger.chain(court, "民", Stage.TRIAL, cause),
            p.random_basic(rng),
            "民",
            Stage.TRIAL,
            cause,
        )
    if target == "maritime":
        court = p.by_code["鲁72"]
        cause = rng.choice(MARITIME_CAUSES)
        return ledger.spec(
            court,
            ledger.chain(court, "民", Stage.TRIAL, cause),
            p.random_basic(rng),
            "民",
            Stage.TRIAL,
            cause,
        )
    city = p.random_city(rng)
    if target == "high":
        court, stage = p.high, Stage.TRIAL
    elif target == "intermediate":
        court = city
        if kind == "民" and rng.random() < 0.12:
            stage = Stage.FILING
    else:
        court = p.random_basic(rng, city)
    home = (
        court
        if court.level == CourtLevel.BASIC and rng.random() < 0.8
        else p.random_basic(rng, city)
    )
    return ledger.spec(court, ledger.chain(court, kind, stage, cause), home, kind, stage, cause)


def _unallocatable_spec(ledger: Ledger, cause: str) -> Spec:
    rng = ledger.rng
    spec = ledger.spec(None, [], None, "民", Stage.TRIAL, cause)
    while any(_placed(ledger.p, x) for x in spec.data.petitioners):
        spec = ledger.spec(None, [], None, "民", Stage.TRIAL, cause)
    if rng.random() < 0.4:  # a case in another province's court, outside the tree
        _home, _division, code = rng.choice(FOREIGN_HOMES)
        number = f"({rng.randint(2016, 2018)}){code}民初{rng.randint(10, 3000)}号"
        spec.data.original_cases.append(services.OriginalCaseInput(number=number, cause=cause))
    spec.data.remarks = "原审法院及户籍地信息不全，待核实后人工交办"
    return spec


def _placed(p: Province, petitioner: services.PetitionerInput) -> bool:
    addresses = (petitioner.domicile, petitioner.residence)
    return any(p.domiciles.court_for(a) for a in addresses if a)


def _share_petitioners(rng: random.Random, specs: list[Spec]) -> None:
    """A few petitioners in two cases; a few likely duplicates without an ID number."""
    placed = [s for s in specs if s.originals]
    picks = rng.sample(placed, 2 * (SHARED_PETITIONERS + DUPLICATE_PAIRS))
    for n in range(SHARED_PETITIONERS):
        first, second = picks[2 * n], picks[2 * n + 1]
        person = next((x for x in first.data.petitioners if x.id_number), None)
        if person is not None:
            second.data.petitioners[0] = person  # same ID number: one petitioner, two cases
    for n in range(SHARED_PETITIONERS, SHARED_PETITIONERS + DUPLICATE_PAIRS):
        first, second = picks[2 * n], picks[2 * n + 1]
        one = first.data.petitioners[0]
        nameless = services.PetitionerInput(name=one.name, phone=one.phone, domicile=one.domicile)
        first.data.petitioners[0] = nameless
        second.data.petitioners[0] = services.PetitionerInput(
            name=one.name, phone=one.phone, domicile=one.domicile.removeprefix("山东省")
        )


def assign_outcomes(rng: random.Random, specs: list[Spec], p: Province) -> None:
    """Give every stock case its outcome by exact quotas (WORKING takes the rest)."""
    for spec in specs:
        spec.outcome = Outcome.UNALLOCATABLE if spec.court is None else Outcome.WORKING
    free = [s for s in specs if s.court is not None]
    rng.shuffle(free)
    escalatable = [
        s
        for s in free
        if s.court and s.court.level == CourtLevel.BASIC and s.court.kind == CourtKind.ORDINARY
    ]
    for spec in escalatable[: STOCK_QUOTAS[Outcome.ESCALATED]]:
        spec.outcome = Outcome.ESCALATED
    early = [
        s
        for s in free
        if s.outcome == Outcome.WORKING and (s.last_visit or dt.date.min) < dt.date(2018, 5, 1)
    ]
    for spec in early[: STOCK_QUOTAS[Outcome.OBSERVATION_PASSED]]:
        spec.outcome = Outcome.OBSERVATION_PASSED
        last = spec.last_visit or dt.date(2018, 1, 1)
        spec.promise_2018 = _day_between(rng, last + dt.timedelta(days=20), dt.date(2018, 6, 30))
    rest = [s for s in free if s.outcome == Outcome.WORKING]
    quotas = [
        outcome
        for outcome, n in STOCK_QUOTAS.items()
        if outcome not in (Outcome.UNALLOCATABLE, Outcome.ESCALATED, Outcome.OBSERVATION_PASSED)
        for _ in range(n)
    ]
    for spec, outcome in zip(rest, quotas, strict=False):
        spec.outcome = outcome


# --- the stories ------------------------------------------------------------------------

Step = Callable[[], object]


@dataclass
class World:
    """What every story shares."""

    province: Province
    offices: Offices
    campaign: Campaign
    province_office: User


_PROMISE_FONT = "STSong-Light"


@functools.cache
def _promise_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(_PROMISE_FONT))
    return _PROMISE_FONT


def promise_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A small signed-document PDF (deterministic bytes, Chinese text)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5, invariant=1)
    font = _promise_font()
    pdf.setFont(font, 16)
    pdf.drawCentredString(A5[0] / 2, A5[1] - 60, title)
    pdf.setFont(font, 10)
    for n, line in enumerate(lines):
        pdf.drawString(40, A5[1] - 100 - 18 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class Story:
    """One case's steps: (day, action) pairs planned up front, played in date order."""

    def __init__(self, world: World, spec: Spec, rng: random.Random) -> None:
        self.world = world
        self.spec = spec
        self.rng = rng
        self.agenda: list[tuple[dt.date, Step]] = []
        self.last = clock.start_of_day(ALLOCATION_DAY) + dt.timedelta(hours=18)
        self.case: PetitionCase | None = None
        self.court: Court = spec.court or world.province.high
        self.request: AcceptanceRequest | None = None
        self.promise: Attachment | None = None
        self.evidence: list[Attachment] = []

    # playing

    def add(self, day: dt.date, action: Callable[..., object], *args: object) -> None:
        assert day <= LAST_DAY, (self.spec.outcome, day)
        self.agenda.append((day, functools.partial(action, *args)))

    def play(self) -> Iterator[dt.datetime]:
        for day, step in sorted(self.agenda, key=itemgetter(0)):  # stable: same-day order kept
            yield self.moment(day)
            step()

    def moment(self, day: dt.date) -> dt.datetime:
        """A working-hours moment on `day`, after this story's previous step."""
        start = clock.start_of_day(day) + dt.timedelta(minutes=510 + self.rng.randrange(540))
        moment = max(start, self.last + dt.timedelta(minutes=self.rng.randint(3, 40)))
        self.last = moment
        return moment

    # who

    @property
    def staff(self) -> CourtStaff:
        return self.world.province.staff[self.court.pk]

    @property
    def office(self) -> User:
        return self.world.offices.of(self.court)

    @property
    def ledger_case(self) -> PetitionCase:
        assert self.case is not None
        return self.case

    def team(self, *, keep: dict[str, Person] | None = None) -> dict[str, Person | None]:
        """A full, eligible team of the responsible court (R5, R6)."""
        rng, staff = self.rng, self.staff
        roll = rng.random()
        assert staff.president is not None
        if self.spec.data.is_major or roll < 0.1 or not staff.leaders:
            leader = staff.president  # 重大疑难：院长亲自包案
        else:
            leader = rng.choice(staff.leaders)
        dept = _team_department(rng, self.spec.stage)
        division = rng.choice(staff.division_leaders[dept])
        colleagues = [
            m for m in staff.members.get(dept, []) if m.department_id == division.department_id
        ]
        team: dict[str, Person | None] = {
            "leader": leader,
            "division_leader": division,
            "staff": rng.choice(colleagues or staff.members[dept]),
            "petition_contact": rng.choice(staff.contacts),
        }
        team.update(keep or {})
        return team

    # actions (each one service call, as the court's petition office would make it)

    def assign(self, members: dict[str, Person | None]) -> None:
        self.case = services.team_assign(actor=self.office, case=self.ledger_case, members=members)

    def classify(self) -> None:
        cls = self.classes
        services.case_classify(actor=self.office, case=self.ledger_case, **cls)

    @functools.cached_property
    def classes(self) -> dict[str, bool]:
        rng = self.rng
        hardship = HARDSHIP_CLAIM in self.spec.data.claims
        cls = {
            "solve": rng.random() < 0.35,
            "educate": rng.random() < 0.55,
            "aid": hardship or rng.random() < 0.12,
            "lawful": self.spec.data.extreme_tendency or rng.random() < 0.04,
        }
        if not any(cls.values()):
            cls["educate"] = True
        return cls

    def activity(self, day: dt.date, kind: ActivityKind | None = None, text: str = "") -> None:
        if kind is None:
            kind = self.rng.choices(ACTIVITY_KINDS, weights=ACTIVITY_WEIGHTS)[0]
        summary = text or self._text(ACTIVITY_TEXTS[kind])
        services.leader_activity_record(
            actor=self.office, case=self.ledger_case, happened_on=day, kind=kind, summary=summary
        )

    def _text(self, templates: Sequence[str]) -> str:
        spec = self.spec
        usable = [t for t in templates if spec.number or "{number}" not in t]
        return self.rng.choice(usable).format(name=spec.name, cause=spec.cause, number=spec.number)

    def measure(self, data: services.MeasureInput) -> None:
        services.measure_record(actor=self.office, case=self.ledger_case, data=data)

    def attach(
        self, purpose: AttachmentPurpose, name: str, title: str, lines: Sequence[str]
    ) -> Attachment:
        return services.attachment_add(
            actor=self.office,
            case=self.ledger_case,
            purpose=purpose,
            name=name,
            stream=io.BytesIO(promise_pdf(title, lines)),
        )

    def written(self, day: dt.date) -> None:
        case = self.ledger_case
        self.promise = self.attach(
            AttachmentPurpose.PROMISE,
            "息诉罢访承诺书.pdf",
            "息诉罢访承诺书",
            [
                f"承诺人：{self.spec.name}",
                f"案件：{case.ledger_no}",
                "本人对法院的答复和处理意见表示认可，",
                "自愿承诺今后不再就此事赴省进京上访。",
                f"承诺人（签字）：{self.spec.name}",
                f"{day.year}年{day.month}月{day.day}日",
            ],
        )
        self.evidence = [self.promise]
        services.resolution_written(
            actor=self.office, case=case, promise_on=day, document=self.promise
        )

    def oral(self, promise_on: dt.date) -> None:
        services.resolution_oral(actor=self.office, case=self.ledger_case, promise_on=promise_on)

    def termination(self, step: str, day: dt.date) -> None:
        if step == "review":
            self.evidence = [
                self.attach(
                    AttachmentPurpose.TERMINATION_REVIEW,
                    "信访终结审查意见.pdf",
                    "涉法涉诉信访终结审查意见",
                    [
                        f"案件：{self.ledger_case.ledger_no}",
                        f"信访人：{self.spec.name}",
                        "经审查，该信访事项已穷尽法律程序，依法终结。",
                    ],
                )
            ]
        department = ""
        if step == "handover":
            department = self.rng.choice(HANDOVER_TO).format(district=_district_of(self.court))
        services.termination_step(
            actor=self.office, case=self.ledger_case, step=step, done_on=day, department=department
        )

    def submit(self) -> None:
        note = "化解工作已完成，附承诺书等材料，申请验收。"
        self.request = services.acceptance_submit(
            actor=self.office, case=self.ledger_case, note=note, evidence=self.evidence
        )

    def decide(self, accept: bool) -> None:
        assert self.request is not None
        reviewer = self.world.offices.of(self.world.province.reviewer(self.court))
        reason = self.rng.choice(ACCEPT_REASONS if accept else RETURN_REASONS)
        services.acceptance_decide(
            actor=reviewer, request=self.request, accept=accept, reason=reason
        )

    def visit(self, day: dt.date, level: VisitLevel, body: str, summary: str) -> None:
        petitioner = self.ledger_case.petitioners.order_by("pk").first()
        services.visit_record(
            actor=self.office,
            case=self.ledger_case,
            data=services.VisitInput(
                visited_on=day, level=level, receiving_body=body, summary=summary
            ),
            petitioner=petitioner,
        )

    def take_up(self) -> None:
        superior = self.world.province.parent(self.court)
        assert superior is not None
        actor = self.world.offices.of(superior)
        services.case_take_up(
            actor=actor, case=self.ledger_case, reason=self.rng.choice(ESCALATION_REASONS)
        )
        self.court = superior

    def guide(self) -> None:
        superior = self.world.province.parent(self.court)
        assert superior is not None
        if superior.parent_id and self.rng.random() < 0.2:
            superior = self.world.province.high
        actor = self.world.offices.of(superior)
        services.guidance_add(
            actor=actor, case=self.ledger_case, text=self.rng.choice(GUIDANCE_TEXTS)
        )

    def ask_escalation(self) -> None:
        reason = "信访人诉求涉及多个县区，本院协调难度大，申请中院提级办理。"
        services.escalation_request(actor=self.office, case=self.ledger_case, reason=reason)

    # planning blocks

    def plan_team(self, day: dt.date) -> None:
        team = self.team()
        if self.rng.random() < 0.1:  # the petition office names its contact first
            early = _day_between(
                self.rng, ALLOCATION_DAY + dt.timedelta(days=1), day - dt.timedelta(days=1)
            )
            self.add(early, self.assign, {"petition_contact": team["petition_contact"]})
        self.add(day, self.assign, team)

    def plan_groundwork(self, start: dt.date, until: dt.date) -> None:
        """Classification and the measures of the first weeks (R7)."""
        rng = self.rng
        self.add(
            _day_between(rng, start + dt.timedelta(days=1), start + dt.timedelta(days=8)),
            self.classify,
        )
        if rng.random() < 0.7:  # the staff's own talk with the petitioner
            text = RECEPTION_TEXTS[rng.randrange(len(RECEPTION_TEXTS))].format(name=self.spec.name)
            day = min(_day_between(rng, _after(start, 2), _after(start, 10)), until)
            self.add(day, self.measure, services.MeasureInput(MeasureKind.RECEPTION, day, text))
        later = _day_between(rng, min(start + dt.timedelta(days=12), until), until)
        cls = self.classes
        if cls["aid"] and rng.random() < 0.5:
            amount = Decimal(rng.randrange(3, 61) * 1000)
            text = (
                f"信访人因{self.spec.cause}案件生活陷入困难，经审查符合司法救助条件，"
                f"发放救助金{amount}元"
            )
            self.add(
                later,
                self.measure,
                services.MeasureInput(MeasureKind.JUDICIAL_AID, later, text, aid_amount=amount),
            )
        if cls["lawful"]:
            text = "信访人多次缠访闹访，协调公安机关依法予以训诫，检察机关同步跟进"
            self.add(
                later,
                self.measure,
                services.MeasureInput(MeasureKind.POLICE_COORDINATION, later, text),
            )
        if cls["educate"] and rng.random() < 0.1:
            text = "协调信访人户籍地街道（乡镇）将其纳入网格化社会管理，落实稳控责任"
            self.add(
                later,
                self.measure,
                services.MeasureInput(MeasureKind.SOCIAL_MANAGEMENT, later, text),
            )
        if rng.random() < 0.015 and self.spec.outcome != Outcome.NOMINAL:
            self.plan_hearing(later)  # the leader chairs it: not for a silent leader

    def plan_hearing(self, day: dt.date) -> None:
        rng = self.rng
        participants = [
            {"name": person_name(rng), "identity": "人大代表"},
            {"name": person_name(rng), "identity": "政协委员"},
        ]
        if rng.random() < 0.5:
            participants.append({"name": person_name(rng), "identity": "人民陪审员"})
        text = (
            f"就信访人{self.spec.name}反映的{self.spec.cause}案件召开公开听证会，"
            "信访人到场陈述意见，与会代表、委员发表评议意见"
        )
        self.add(
            day,
            self.measure,
            services.MeasureInput(MeasureKind.PUBLIC_HEARING, day, text, participants),
        )
        self.add(
            day,
            self.activity,
            day,
            ActivityKind.HEARING,
            "主持公开听证会，听取各方意见，当场释法说理",
        )

    def plan_supervision(self, day: dt.date) -> None:
        """R7, R15: the original judgment corrected on retrial, flagged against its judge."""
        latest = self.spec.originals[-1]
        retrial_court = self.world.province.parent(latest.court) or latest.court
        number = f"(2019){retrial_court.code}民再{self.rng.randint(5, 60)}号"
        self.add(
            day,
            self.measure,
            services.MeasureInput(
                MeasureKind.TRIAL_SUPERVISION,
                day,
                f"经审判委员会讨论决定，对{latest.number}案依法再审",
                retrial_case_number=number,
                retrial_outcome="撤销原判决，改判支持信访人部分诉讼请求",
            ),
        )
        self.add(day, self.flag_original, latest)

    def flag_original(self, latest: Original) -> None:
        original = self.ledger_case.original_cases.get(number=latest.number)
        services.original_case_flag(
            actor=self.office, original=original, flawed=True, note="原审认定事实不清，经再审改判"
        )
        services.source_judge_set(
            actor=self.office, case=self.ledger_case, judge=latest.judge, stage=Stage.TRIAL
        )

    def plan_activities(self, first: dt.date, last: dt.date) -> None:
        for day in _monthly(self.rng, first, last):
            self.add(day, self.activity, day)

    def plan_written(self, day: dt.date) -> dt.date:
        self.add(day, self.written, day)
        return day

    def plan_termination(self, first: dt.date) -> dt.date:
        filing = first + dt.timedelta(days=self.rng.randint(3, 12))
        handover = filing + dt.timedelta(days=self.rng.randint(2, 10))
        self.add(first, self.termination, "review", first)
        self.add(filing, self.termination, "filing", filing)
        self.add(handover, self.termination, "handover", handover)
        return handover

    def plan_resolution(
        self, first: dt.date, last: dt.date, termination_share: float = 0.25
    ) -> dt.date:
        """Meet the standard in [first, last] (a written promise, or the three termination
        steps); returns the day it is met."""
        if self.rng.random() < termination_share and (last - first).days > 25:
            return self.plan_termination(
                _day_between(self.rng, first, last - dt.timedelta(days=22))
            )
        return self.plan_written(_day_between(self.rng, first, last))

    def plan_acceptance(self, met: dt.date, accept: bool | None) -> dt.date:
        """Submit after `met`; decide when `accept` is not None. Returns the last day."""
        submit = min(met + dt.timedelta(days=self.rng.randint(1, 8)), LAST_DAY)
        self.add(submit, self.submit)
        if accept is None:
            return submit
        decided = min(submit + dt.timedelta(days=self.rng.randint(3, 15)), LAST_DAY)
        self.add(decided, self.decide, accept)
        return decided


def _team_department(rng: random.Random, stage: str) -> DepartmentKind:
    """The department whose head and staff join the team: where the grievance arose."""
    if stage == Stage.ENFORCEMENT:
        return DepartmentKind.ENFORCEMENT
    if stage == Stage.FILING:
        return DepartmentKind.FILING
    return DepartmentKind.TRIAL if rng.random() < 0.8 else DepartmentKind.TRIAL_SUPERVISION


def _after(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


class StockStory(Story):
    """A stock case from its team to where it stands on the demo day."""

    def plan(self) -> None:
        rng, outcome = self.rng, self.spec.outcome
        if outcome in (Outcome.UNALLOCATABLE, Outcome.NO_TEAM):
            return
        team_day = dt.date(2019, 3, 1) + dt.timedelta(days=min(int(rng.triangular(0, 29, 2)), 28))
        if outcome == Outcome.PARTIAL_TEAM:
            team = self.team()
            partial = {role: team[role] for role in ("leader", "petition_contact")}
            self.add(_day_between(rng, team_day, dt.date(2019, 4, 30)), self.assign, partial)
            return
        self.plan_team(team_day)
        handler: Callable[[dt.date], None] = getattr(self, f"plan_{outcome.value}")
        handler(team_day)

    def _work(self, start: dt.date, until: dt.date) -> None:
        self.plan_groundwork(start, until)
        self.plan_activities(_day_between(self.rng, _after(start, 1), _after(start, 8)), until)

    def plan_working(self, start: dt.date) -> None:
        self._work(start, LAST_DAY)

    def plan_nominal(self, start: dt.date) -> None:
        self.plan_groundwork(start, LAST_DAY)  # the staff work, the leader does not
        if self.rng.random() < 0.66:
            stop = _day_between(self.rng, _after(start, 10), dt.date(2019, 6, 5))
            self.plan_activities(_after(start, 2), stop)

    def plan_observation(self, start: dt.date) -> None:
        promise = _day_between(
            self.rng, max(_after(start, 15), dt.date(2019, 4, 1)), dt.date(2019, 7, 10)
        )
        self._work(start, LAST_DAY)
        self.add(promise, self.oral, promise)

    def plan_observation_visit(self, start: dt.date) -> None:
        promise = _day_between(
            self.rng, max(_after(start, 15), dt.date(2019, 4, 1)), dt.date(2019, 5, 20)
        )
        visit = _day_between(self.rng, _after(promise, 20), dt.date(2019, 7, 5))
        self._work(start, LAST_DAY)
        self.add(promise, self.oral, promise)
        level = self.rng.choice((VisitLevel.BEIJING, VisitLevel.PROVINCE))
        body = BEIJING_BODIES[0] if level == VisitLevel.BEIJING else PROVINCE_BODIES[0]
        self.add(visit, self.visit, visit, level, body, f"观察期内再次到{body}反映原诉求")

    def plan_observation_passed(self, start: dt.date) -> None:
        assert self.spec.promise_2018 is not None
        recorded = _day_between(self.rng, _after(start, 3), _after(start, 20))
        self._work(start, LAST_DAY)
        self.add(recorded, self.oral, self.spec.promise_2018)

    def plan_met_written(self, start: dt.date) -> None:
        met = self.plan_written(
            _day_between(
                self.rng, max(_after(start, 15), dt.date(2019, 4, 10)), dt.date(2019, 7, 12)
            )
        )
        self._work(start, _after(met, -1))

    def plan_met_termination(self, start: dt.date) -> None:
        met = self.plan_termination(_day_between(self.rng, _after(start, 20), dt.date(2019, 6, 20)))
        self._work(start, _after(met, -1))

    def plan_submitted(self, start: dt.date) -> None:
        met = self.plan_resolution(
            max(_after(start, 15), dt.date(2019, 4, 20)), dt.date(2019, 7, 3)
        )
        self._work(start, _after(met, -1))
        self.plan_acceptance(met, None)

    def plan_accepted(self, start: dt.date) -> None:
        met = self.plan_resolution(_after(start, 12), dt.date(2019, 6, 20))
        self._work(start, _after(met, -1))
        self.plan_acceptance(met, True)

    def plan_returned(self, start: dt.date) -> None:
        met = self.plan_written(_day_between(self.rng, _after(start, 12), dt.date(2019, 5, 10)))
        self._work(start, _after(met, -1))
        returned = self.plan_acceptance(met, False)
        again = self.plan_written(returned + dt.timedelta(days=self.rng.randint(7, 20)))
        self.plan_activities(_after(returned, 1), _after(again, -1))
        self.plan_acceptance(again, True if self.rng.random() < 0.5 else None)

    def plan_reopened(self, start: dt.date) -> None:
        met = self.plan_written(_day_between(self.rng, _after(start, 10), dt.date(2019, 5, 10)))
        self._work(start, _after(met, -1))
        accepted = self.plan_acceptance(met, True)
        visit = _day_between(self.rng, _after(accepted, 15), dt.date(2019, 7, 8))
        self.add(
            visit,
            self.visit,
            visit,
            VisitLevel.BEIJING,
            "国家信访局",
            "息诉后再次到国家信访局反映原诉求",
        )
        self.plan_activities(_day_between(self.rng, _after(visit, 1), _after(visit, 5)), LAST_DAY)

    def plan_escalated(self, start: dt.date) -> None:
        taken = _day_between(self.rng, dt.date(2019, 4, 20), dt.date(2019, 6, 10))
        self._work(start, _after(taken, -1))
        self.add(taken, self.take_up)
        new_team = _after(taken, self.rng.randint(2, 8))
        self.add(new_team, self.assign_new_team)
        self.plan_activities(_after(new_team, self.rng.randint(1, 5)), LAST_DAY)

    def assign_new_team(self) -> None:
        self.assign(self.team())


class NewPetitionStory(Story):
    """R14: a new petition received by a president or division head, who keeps it."""

    def plan(self) -> None:
        spec, rng = self.spec, self.rng
        assert spec.received_on is not None and spec.owner is not None
        received = spec.received_on
        self.add(received, self.register)
        team_day = _after(received, rng.randint(1, 6))
        owner = spec.owner
        role = (
            "leader" if owner in (self.staff.president, *self.staff.leaders) else "division_leader"
        )
        self.add(team_day, self.assign_owner_team, role)
        outcome = spec.outcome
        if outcome == Outcome.WORKING:
            self._work(team_day, LAST_DAY)
            return
        if outcome == Outcome.OBSERVATION:
            promise = _day_between(rng, _after(team_day, 10), dt.date(2019, 7, 10))
            self._work(team_day, LAST_DAY)
            self.add(promise, self.oral, promise)
            return
        last = {Outcome.ACCEPTED: dt.date(2019, 6, 20), Outcome.SUBMITTED: dt.date(2019, 7, 3)}
        met = self.plan_written(
            _day_between(rng, _after(team_day, 10), last.get(outcome, dt.date(2019, 7, 12)))
        )
        self._work(team_day, _after(met, -1))
        if outcome != Outcome.MET_WRITTEN:
            self.plan_acceptance(met, True if outcome == Outcome.ACCEPTED else None)

    def _work(self, start: dt.date, until: dt.date) -> None:
        self.plan_groundwork(start, until)
        self.plan_activities(_day_between(self.rng, _after(start, 1), _after(start, 6)), until)

    def register(self) -> None:
        spec = self.spec
        assert spec.owner is not None and spec.received_on is not None
        self.case = services.new_petition_register(
            actor=self.office,
            campaign=self.world.campaign,
            owner=spec.owner,
            received_on=spec.received_on,
            data=spec.data,
        )

    def assign_owner_team(self, role: str) -> None:
        assert self.spec.owner is not None
        self.assign(self.team(keep={role: self.spec.owner}))


def new_petition_specs(ledger: Ledger, total: int = NEW_PETITIONS) -> list[Spec]:
    """New 2019 petitions, received by presidents and division heads across the province."""
    rng, p = ledger.rng, ledger.p
    outcomes = [o for o, n in NEW_QUOTAS.items() for _ in range(n)]
    outcomes += [Outcome.WORKING] * (total - len(outcomes))
    rng.shuffle(outcomes)
    specs = []
    for n, outcome in enumerate(outcomes):
        court = p.by_code["鲁0102"] if n < 2 else p.random_basic(rng)
        if n >= 2 and rng.random() < 0.2:
            court = p.parent(court) or court
        specs.append(_new_petition_spec(ledger, court, outcome))
    return specs


def _new_petition_spec(ledger: Ledger, court: Court, outcome: Outcome) -> Spec:
    rng, p = ledger.rng, ledger.p
    staff = p.staff[court.pk]
    assert staff.president is not None
    owner = staff.president if rng.random() < 0.3 else rng.choice(staff.heads)
    kind, stage = ledger.kind_and_stage()
    cause = ledger.cause(kind)
    originals = ledger.chain(court, kind, stage, cause)
    home = court if court.level == CourtLevel.BASIC else rng.choice(p.basic_courts(court))
    spec = ledger.spec(court, originals, home, kind, stage, cause)
    latest = {Outcome.ACCEPTED: dt.date(2019, 5, 15), Outcome.SUBMITTED: dt.date(2019, 6, 10)}
    received = _day_between(rng, dt.date(2019, 3, 4), latest.get(outcome, dt.date(2019, 6, 25)))
    spec.received_on, spec.owner, spec.outcome = received, owner, outcome
    spec.data.is_major = False
    first_visit = _day_between(
        rng, max(dt.date(2019, 1, 2), _after(received, -20)), _after(received, -1)
    )
    level = (
        VisitLevel.BEIJING
        if spec.data.petition_type == PetitionType.BEIJING
        else VisitLevel.PROVINCE
    )
    spec.data.visits = [ledger.visit(first_visit, level, cause)]
    return spec


# --- playing ----------------------------------------------------------------------------


def play(stories: Iterable[Story]) -> int:
    """Play every story's steps in date order across all stories; returns the steps run."""
    heap: list[tuple[dt.datetime, int, Iterator[dt.datetime]]] = []
    for seq, story in enumerate(stories):
        steps = story.play()
        first = next(steps, None)
        if first is not None:
            heap.append((first, seq, steps))
    heapq.heapify(heap)
    count = 0
    while heap:
        moment, seq, steps = heapq.heappop(heap)
        with clock.travel(moment):
            following = next(steps, None)
        count += 1
        if following is not None:
            heapq.heappush(heap, (following, seq, steps))
    return count


def enter_ledger(world: World, specs: Sequence[Spec]) -> list[PetitionCase]:
    """The province office enters the stock ledger on LEDGER_DAY, held by the high court."""
    cases = []
    start = clock.start_of_day(LEDGER_DAY) + dt.timedelta(hours=8, minutes=30)
    for n, spec in enumerate(specs, start=1):
        spec.data.ledger_no = f"{YEAR}-{n:04d}"
        with clock.travel(start + dt.timedelta(seconds=20 * n)):
            case = services.case_create(
                actor=world.province_office,
                campaign=world.campaign,
                holding_court=world.province.high,
                data=spec.data,
            )
        cases.append(case)
    return cases


def allocate(world: World) -> services.CampaignAllocation:
    moment = clock.start_of_day(ALLOCATION_DAY) + dt.timedelta(hours=9, minutes=30)
    with clock.travel(moment):
        return services.campaign_allocate(
            actor=world.province_office, campaign=world.campaign, province=world.province.high
        )


def _stock_stories(
    world: World, specs: Sequence[Spec], cases: Sequence[PetitionCase], rng: random.Random
) -> list[Story]:
    allocated = PetitionCase.objects.in_bulk([c.pk for c in cases])
    stories: list[Story] = []
    for spec, case in zip(specs, cases, strict=True):
        fresh = allocated[case.pk]
        story = StockStory(world, spec, random.Random(rng.getrandbits(64)))  # noqa: S311
        story.case = fresh
        story.court = world.province.courts[fresh.court_id]
        placed = story.court if fresh.status != CaseStatus.UNALLOCATED else None
        if placed != spec.court:  # the generator and the rules disagree: a bug here
            raise RuntimeError(f"{fresh.ledger_no}：交办至{placed}，应为{spec.court}")
        story.plan()
        stories.append(story)
    _plan_extras(rng, stories)
    return stories


def _plan_extras(rng: random.Random, stories: Sequence[Story]) -> None:
    """Guidance from superior courts, pending escalation requests, trial supervision."""
    working = [
        s
        for s in stories
        if s.spec.outcome in (Outcome.WORKING, Outcome.NOMINAL, Outcome.OBSERVATION)
        and not s.court.is_high
    ]
    picks = rng.sample(working, GUIDANCE_NOTES + PENDING_ESCALATIONS + TRIAL_SUPERVISIONS)
    for story in picks[:GUIDANCE_NOTES]:
        story.add(_day_between(rng, dt.date(2019, 4, 10), LAST_DAY), story.guide)
    rest = picks[GUIDANCE_NOTES:]
    basic = [
        s for s in rest if s.court.level == CourtLevel.BASIC and s.spec.outcome == Outcome.WORKING
    ]
    for story in basic[:PENDING_ESCALATIONS]:
        story.add(_day_between(rng, dt.date(2019, 7, 1), LAST_DAY), story.ask_escalation)
    civil = [s for s in rest[PENDING_ESCALATIONS:] if s.spec.number and s.spec.stage == Stage.TRIAL]
    for story in civil:
        if story.spec.originals[-1].type_code.startswith("民"):
            story.plan_supervision(_day_between(rng, dt.date(2019, 4, 15), dt.date(2019, 6, 30)))


def campaign_counts(campaign: Campaign, added: int = 0) -> dict[str, int]:
    cases = PetitionCase.objects.filter(campaign=campaign)
    counts = {
        "stock_cases": cases.filter(origin=Origin.STOCK).count(),
        "new_petitions": cases.filter(origin=Origin.NEW).count(),
        "cases_added": added,
    }
    by_status = Counter(cases.values_list("status", flat=True))
    counts.update({f"status_{status}": by_status.get(status, 0) for status in CaseStatus.values})
    return counts


@transaction.atomic
def load_demo_campaign() -> dict[str, int]:
    """Create the 2019 campaign with its stock and new cases unless it has cases already."""
    campaign = services.campaign_create(year=YEAR)
    if campaign.cases.exists():
        return campaign_counts(campaign)
    high = Court.objects.get(code=shandong.HIGH_COURT_CODE)
    province = Province.load(high)
    offices = Offices(province)
    world = World(province, offices, campaign, offices.of(high))
    rng = random.Random(SEED)  # noqa: S311  (demo data, not secrets)
    ledger = Ledger(province, rng)
    specs = stock_specs(ledger)
    cases = enter_ledger(world, specs)
    refresh_statistics()
    allocate(world)
    stories = _stock_stories(world, specs, cases, rng)
    for spec in new_petition_specs(ledger):
        story = NewPetitionStory(world, spec, random.Random(rng.getrandbits(64)))  # noqa: S311
        story.court = spec.owner.court if spec.owner else high
        story.plan()
        stories.append(story)
    play(stories)
    run_tick(DEMO_DAY)
    return campaign_counts(campaign, added=PetitionCase.objects.filter(campaign=campaign).count())
