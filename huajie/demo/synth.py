"""`huajie synth`: a deterministic national dataset for benchmarks and load tests (issue #7).

About 3,500 courts in 32 high-court trees (31 provinces and the XPCC branch), staffed so that
every team place can be filled, two accounts per court, one campaign, and up to a million
petition cases with petitioners, visits, original cases, teams, leader activities, measures,
acceptance requests and new petitions (增量).

The demo loader writes through the services, which is exact but takes minutes for a thousand
cases. Here every case's story is planned in Python and replayed by a small simulator that
writes exactly the rows and audit events the services would have written for that story
(same verbs, same before/after, the responsible court on every event, the version bumped where
the services save the case), then streamed to the database in batches: COPY on PostgreSQL,
executemany on SQLite. Memory stays bounded by the batch, not by the number of cases.

Deterministic: one `random.Random(seed)` per concern, fixed timestamps on the campaign's days,
ids assigned here from the tables' current maxima. The same seed on an empty database gives
identical rows (and so the same audit chain head).

The audit chain is appended case by case (a case's events in date order); it is not one
chronological history across cases, which nothing relies on: the metrics take a case's last
event by id among those recorded by a day, and `huajie audit verify` checks the links.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import hashlib
import io
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from huajie.accounts.models import Role, Scope, User
from huajie.audit.models import AuditEvent
from huajie.audit.services import Chain
from huajie.cases import search, tally
from huajie.cases.attachments import store_file
from huajie.cases.models import (
    AcceptanceRequest,
    ActivityKind,
    Attachment,
    Campaign,
    CaseStatus,
    CaseTally,
    EscalationRequest,
    LeaderActivity,
    Measure,
    MeasureKind,
    OriginalCase,
    PetitionCase,
    Petitioner,
    Visit,
)
from huajie.cases.periods import observation_last_day
from huajie.cases.services import campaign_create
from huajie.core.bulk import Ids, Row, Writer
from huajie.core.names import person_name
from huajie.core.planner import refresh_statistics
from huajie.courts.models import (
    Court,
    CourtLevel,
    Department,
    DepartmentKind,
    Person,
    Position,
    PositionKind,
)

ADMIN_USERNAME = "synth_admin"  # the superuser; also marks a database made here
NATION_USERNAME = "synth_nation"  # national supervision (全国督导): sees all, changes nothing
MIN_COURTS = 96  # every province needs a high, an intermediate and a basic court
MAX_CASES = 1_000_000


class SynthError(Exception):
    """Bad options or a database that cannot take the dataset; str() is Chinese."""


# --- provinces ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Province:
    name: str  # 山东省
    abbr: str  # 鲁: the case-number court code of the high court
    login: str  # sd: the prefix of the accounts' usernames
    division: str  # 37: the first two digits of the region codes
    weight: int  # roughly how many courts the province has


PROVINCES: tuple[Province, ...] = (
    Province("北京市", "京", "bj", "11", 23),
    Province("天津市", "津", "tj", "12", 20),
    Province("河北省", "冀", "he", "13", 197),
    Province("山西省", "晋", "sx", "14", 136),
    Province("内蒙古自治区", "蒙", "nm", "15", 118),
    Province("辽宁省", "辽", "ln", "21", 133),
    Province("吉林省", "吉", "jl", "22", 93),
    Province("黑龙江省", "黑", "hl", "23", 160),
    Province("上海市", "沪", "sh", "31", 20),
    Province("江苏省", "苏", "js", "32", 126),
    Province("浙江省", "浙", "zj", "33", 104),
    Province("安徽省", "皖", "ah", "34", 128),
    Province("福建省", "闽", "fj", "35", 97),
    Province("江西省", "赣", "jx", "36", 113),
    Province("山东省", "鲁", "sd", "37", 168),
    Province("河南省", "豫", "ha", "41", 185),
    Province("湖北省", "鄂", "hb", "42", 131),
    Province("湖南省", "湘", "hn", "43", 138),
    Province("广东省", "粤", "gd", "44", 145),
    Province("广西壮族自治区", "桂", "gx", "45", 127),
    Province("海南省", "琼", "hi", "46", 27),
    Province("重庆市", "渝", "cq", "50", 46),
    Province("四川省", "川", "sc", "51", 211),
    Province("贵州省", "黔", "gz", "52", 100),
    Province("云南省", "滇", "yn", "53", 146),
    Province("西藏自治区", "藏", "xz", "54", 82),
    Province("陕西省", "陕", "sn", "61", 125),
    Province("甘肃省", "甘", "gs", "62", 106),
    Province("青海省", "青", "qh", "63", 53),
    Province("宁夏回族自治区", "宁", "nx", "64", 29),
    Province("新疆维吾尔自治区", "新", "xj", "65", 128),
    Province("新疆生产建设兵团", "兵", "bt", "66", 45),
)

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals: 1 一, 10 十, 12 十二, 20 二十, 35 三十五."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{_CN_DIGITS[tens]}十")
    return head + (_CN_DIGITS[ones] if ones else "")


# --- the plan of the court tree -------------------------------------------------------------


@dataclass
class CourtPlan:
    id: int
    province: Province
    name: str
    short_name: str
    code: str
    level: str
    parent_id: int | None
    path: str
    division_code: str
    login: str  # username prefix: sd, sd03, sd0312


def _split(total: int, weights: list[int]) -> list[int]:
    """`total` split by `weights` (largest remainders), deterministic."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    result = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - result[i]), i))
    for i in order[: total - sum(result)]:
        result[i] += 1
    return result


def plan_courts(total: int, first_id: int) -> list[CourtPlan]:
    """32 high courts and, under each, intermediate and basic courts up to `total` in all,
    in tree order (a parent before its children)."""
    if total < MIN_COURTS:
        raise SynthError(f"法院数至少为 {MIN_COURTS}（32 个高级法院各需中级、基层法院）。")
    # Two courts below each high court first, the rest by the provinces' sizes.
    extra = _split(total - MIN_COURTS, [p.weight for p in PROVINCES])
    below = [2 + n for n in extra]
    plans: list[CourtPlan] = []
    next_id = first_id
    for number, (province, share) in enumerate(zip(PROVINCES, below, strict=True), start=1):
        intermediates = max(1, round(share / 8.5))
        basics = _split(share - intermediates, [1] * intermediates)
        if max(basics) > 99 or intermediates > 99:  # codes have two digits per level
            raise SynthError("法院数过多：每个中级法院下最多 99 个基层法院。")
        high_name = (
            "新疆维吾尔自治区高级人民法院生产建设兵团分院"
            if province.abbr == "兵"
            else f"{province.name}高级人民法院"
        )
        high = CourtPlan(
            next_id,
            province,
            high_name,
            "兵团分院" if province.abbr == "兵" else f"{province.abbr}高院",
            province.abbr,
            CourtLevel.HIGH,
            None,
            f"{number:04d}/",
            f"{province.division}0000",
            province.login,
        )
        plans.append(high)
        next_id += 1
        for i in range(1, intermediates + 1):
            middle_name = (
                f"新疆生产建设兵团第{cn_number(i)}师中级人民法院"
                if province.abbr == "兵"
                else f"{province.name}第{cn_number(i)}中级人民法院"
            )
            middle = CourtPlan(
                next_id,
                province,
                middle_name,
                f"{province.abbr}{i}中院",
                f"{province.abbr}{i:02d}",
                CourtLevel.INTERMEDIATE,
                high.id,
                f"{high.path}{i:04d}/",
                f"{province.division}{i:02d}00",
                f"{province.login}{i:02d}",
            )
            plans.append(middle)
            next_id += 1
            for j in range(1, basics[i - 1] + 1):
                plans.append(
                    CourtPlan(
                        next_id,
                        province,
                        f"{middle_name.removesuffix('中级人民法院')}中院辖区第{cn_number(j)}基层人民法院",
                        f"{province.abbr}{i}-{j}法院",
                        f"{province.abbr}{i:02d}{j:02d}",
                        CourtLevel.BASIC,
                        middle.id,
                        f"{middle.path}{j:04d}/",
                        f"{province.division}{i:02d}{j:02d}",
                        f"{province.login}{i:02d}{j:02d}",
                    )
                )
                next_id += 1
    return plans


# --- staff ----------------------------------------------------------------------------------

# (name, kind, head title, judges, assistants)
DEPARTMENTS: tuple[tuple[str, DepartmentKind, str, int, int], ...] = (
    ("立案庭", DepartmentKind.FILING, "庭长", 1, 1),
    ("民事审判庭", DepartmentKind.TRIAL, "庭长", 2, 1),
    ("刑事审判庭", DepartmentKind.TRIAL, "庭长", 2, 1),
    ("审判监督庭", DepartmentKind.TRIAL_SUPERVISION, "庭长", 1, 1),
    ("执行局", DepartmentKind.ENFORCEMENT, "局长", 2, 1),
    ("诉讼服务中心（信访办）", DepartmentKind.PETITION, "主任", 0, 0),
    ("办公室", DepartmentKind.OFFICE, "主任", 0, 1),
)


@dataclass
class Staff:
    """The people of one court by what they may be in a team (person ids)."""

    president: int = 0
    leaders: list[int] = field(default_factory=list)  # eligible case leaders (in the quota)
    division_leaders: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)  # judges and assistants
    contacts: list[int] = field(default_factory=list)  # petition contacts
    judges: list[tuple[int, str]] = field(default_factory=list)  # (id, name)
    owners: list[int] = field(default_factory=list)  # may receive new petitions (R14)
    names: dict[int, str] = field(default_factory=dict)
    office_user: int = 0
    leader_user: int = 0


# --- the options and the generator ------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    courts: int = 3500
    cases: int = 1_000_000
    seed: int = 1
    year: int = 2019
    as_of: dt.date | None = None  # default: 30 September of the campaign year
    batch: int = 5000  # cases per transaction
    new_share: float = 0.03  # new petitions (增量) among the cases

    @property
    def day(self) -> dt.date:
        return self.as_of or dt.date(self.year, 9, 30)


def moment(day: dt.date, minute: int) -> dt.datetime:
    """A fixed time on `day` (Beijing time): 09:00 plus `minute` minutes."""
    return _nine_oclock(day) + dt.timedelta(minutes=minute)


@functools.lru_cache(maxsize=4096)
def _nine_oclock(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def id_number(region: str, k: int) -> str:
    """The k-th synthetic ID-card number: valid (GB 11643) and unique for k < 25,000,000.

    Birth dates run over 1940-2008 by a bijection of k mod 25,000 (7919 is prime to 25,000)
    and the sequence code is k // 25,000, so two different k never give the same body."""
    from huajie.cases.identity import compute_check_char

    born = dt.date(1940, 1, 1) + dt.timedelta(days=(k * 7919) % 25_000)
    body = f"{region}{born:%Y%m%d}{k // 25_000:03d}"
    return body + compute_check_char(body)


PROMISE_PDF = (
    b"%PDF-1.4\n% huajie synth: a signed written promise (synthetic)\n"
    b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)

CAUSES = (
    "民间借贷纠纷",
    "劳动争议",
    "房屋买卖合同纠纷",
    "机动车交通事故责任纠纷",
    "离婚纠纷",
    "建设工程施工合同纠纷",
    "土地承包经营权纠纷",
    "故意伤害罪",
    "行政强制拆除",
    "医疗损害责任纠纷",
)
CLAIMS = (
    "要求再审改判{cause}案件",
    "要求执行到位{cause}案件判决款项",
    "认为{cause}案件承办法官枉法裁判，要求追责",
    "{cause}案件执行不到位，家庭生活困难，要求给予救助",
)
TYPE_CODES = {
    CourtLevel.BASIC: ("民初", "民初", "刑初", "行初", "执"),
    CourtLevel.INTERMEDIATE: ("民终", "民终", "刑终", "行终", "执复"),
    CourtLevel.HIGH: ("民申", "民再", "行申", "执监"),
}
ACTIVITY_KINDS = (
    ActivityKind.RECEPTION,
    ActivityKind.FILE_REVIEW,
    ActivityKind.MEETING,
    ActivityKind.VISIT,
)
ACTIVITY_POOL = (ActivityKind.RECEPTION,) * 2 + ACTIVITY_KINDS  # receptions twice as often
ACTIVITY_TEXTS = {
    ActivityKind.RECEPTION: "接待信访人，听取诉求并释法明理",
    ActivityKind.FILE_REVIEW: "调阅原审卷宗，梳理案件争议焦点",
    ActivityKind.MEETING: "召集专班研究会商化解方案",
    ActivityKind.VISIT: "走访信访人家庭，了解实际困难",
}
RETURN_REASONS = (
    "书面承诺书缺少信访人签字",
    "化解材料不完整，请补充接谈记录",
    "救助款发放凭证缺失",
)
HANDOVER_TO = ("信访人户籍地街道办事处", "当地信访局", "当地公安局")
PETITION_TYPES = (("beijing", 3), ("province", 5), ("both", 2))
RULE_LABELS = {"who_handled": "谁办案、谁负责", "domicile": "属地管理"}


class Stop(Exception):
    """The story has reached the as-of day: nothing later happened yet."""


@dataclass
class Context:
    """What every case's story reads: the tree, the staff, the accounts, the campaign."""

    options: Options
    campaign: Campaign
    courts: dict[int, CourtPlan]
    staff: dict[int, Staff]
    actors: dict[int, tuple[int, str]]  # user id -> (id, display name)
    writer: Writer
    ids: Ids
    chain: Chain
    promise_sha: str
    promise_size: int
    through: Any
    high_of: dict[str, int]  # the root path ("0015/") -> the high court's id
    petitioners_made: int = 0

    def office(self, court_id: int) -> tuple[int, str]:
        return self.actors[self.staff[court_id].office_user]

    def reviewing(self, court_id: int) -> int:
        return self.courts[court_id].parent_id or court_id


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


class Sim:
    """One case replayed through its story: the rows and audit events the services write.

    Each step mirrors one service (named in its docstring); a step raises Stop when its day
    is after the as-of day, which ends the story there."""

    def __init__(self, ctx: Context, rng: random.Random, index: int) -> None:
        self.ctx = ctx
        self.rng = rng
        self.id = ctx.ids.take(PetitionCase)
        self.base_minute = index % 420  # spread the day's work from 09:00 to 16:00
        self.day: dt.date | None = None
        self.minute = 0
        self.case: Row = {}
        self.requests: list[tuple[Any, Row]] = []
        self.next_activity: dt.date | None = None
        self.measure_days: list[dt.date] = []
        # What the case's search columns are made of (cases/search.py), in id order.
        self.petitioners: list[tuple[str, str | None]] = []
        self.original_numbers: list[str] = []

    # -- plumbing --

    def at(self, day: dt.date) -> dt.datetime:
        if day > self.ctx.options.day:
            raise Stop
        if day != self.day:
            self.day, self.minute = day, self.base_minute
        else:
            self.minute += 1
        return moment(day, self.minute)

    def save(self, at: dt.datetime) -> None:
        """services._base._save: the version goes up and updated_at moves."""
        self.case["version"] += 1
        self.case["updated_at"] = at

    def audit(
        self,
        at: dt.datetime,
        actor: tuple[int, str] | None,
        verb: str,
        summary: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        obj: tuple[str, int] | None = None,
    ) -> None:
        object_type, object_id = obj or ("cases.petitioncase", self.id)
        self.ctx.chain.append(
            at=at,
            actor=actor,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            court_id=self.case["court_id"],
            case_id=self.id,
            summary=summary,
            before=before or {},
            after=after or {},
        )

    def snap(self, names: list[str]) -> dict[str, Any]:
        """services._base._snapshot, as the audit JSON stores it."""
        return {name: self._jsonable(name) for name in names}

    def _jsonable(self, name: str) -> Any:
        value = self.case.get(name, self.case.get(f"{name}_id"))
        if name == "court":
            return self.ctx.courts[self.case["court_id"]].name  # str(Court)
        if name in ("leader", "division_leader", "staff", "petition_contact"):
            pid = self.case[f"{name}_id"]
            return None if pid is None else self.ctx.staff[self.case["court_id"]].names[pid]
        if isinstance(value, dt.datetime):
            return str(timezone.localtime(value))
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def move(
        self,
        at: dt.datetime,
        actor: tuple[int, str] | None,
        event: str,
        new_status: str,
        summary: str,
        extra: list[str] = (),  # type: ignore[assignment]
    ) -> None:
        """services._base._move: the extra fields are set before the call, so `before`
        shows their new values; only the status differs."""
        old = self.case["status"]
        self.case["status"] = new_status
        self.save(at)
        before = self.snap(["status", *extra])
        after = dict(before)
        before["status"], after["status"] = old, new_status
        self.audit(at, actor, f"case.{event}", summary, before, after)

    @property
    def court(self) -> CourtPlan:
        return self.ctx.courts[self.case["court_id"]]

    @property
    def staff(self) -> Staff:
        return self.ctx.staff[self.case["court_id"]]

    # -- entering the case --

    def create(
        self, day: dt.date, holding: int, origin: str, ledger_no: str, home: int
    ) -> dt.datetime:
        """records.case_create: the case, its petitioners and their earlier visits. The
        petitioners live in the area of court `home` (the court the case goes to)."""
        ctx, rng = self.ctx, self.rng
        at = self.at(day)
        holder = ctx.courts[holding]
        cause = rng.choice(CAUSES)
        petition_type = rng.choices([t for t, _ in PETITION_TYPES], [w for _, w in PETITION_TYPES])[
            0
        ]
        self.case = {
            "id": self.id,
            "campaign_id": ctx.campaign.pk,
            "first_campaign_id": ctx.campaign.pk,
            "ledger_no": ledger_no,
            "origin": origin,
            "petition_type": petition_type,
            "claims": rng.choice(CLAIMS).format(cause=cause),
            "risk_level": rng.choices(["normal", "elevated", "high"], [85, 12, 3])[0],
            "extreme_tendency": rng.random() < 0.02,
            "is_major": rng.random() < 0.03,
            "court_id": holding,
            "allocation_rule": "",
            "status": CaseStatus.UNALLOCATED.value,
            "reopen_count": 0,
            "return_count": 0,
            "version": 1,
            "created_at": at,
            "updated_at": at,
        }
        self.cause = cause
        actor = ctx.office(holding)
        for _ in range(2 if rng.random() < 0.1 else 1):
            self._petitioner(at, self.ctx.courts[home])
        for year in sorted(rng.sample(range(2012, ctx.options.year), k=rng.choice((1, 1, 2, 3)))):
            level = (
                "province" if petition_type == "province" else rng.choice(["beijing", "province"])
            )
            if petition_type == "beijing":
                level = "beijing"
            ctx.writer.add(
                Visit,
                {
                    "id": ctx.ids.take(Visit),
                    "case_id": self.id,
                    "petitioner_id": None,
                    "visited_on": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    "level": level,
                    "receiving_body": "国家信访局" if level == "beijing" else "省信访局",
                    "summary": f"反映{cause}案件问题",
                    "reopened_case": False,
                    "recorded_by_id": actor[0],
                    "recorded_at": at,
                },
            )
        self.audit(
            at,
            actor,
            "case.create",
            f"登记案件{ledger_no}",
            None,
            {"ledger_no": ledger_no, "court": holder.short_name, "origin": origin},
        )
        return at

    def _petitioner(self, at: dt.datetime, court: CourtPlan) -> None:
        ctx, rng = self.ctx, self.rng
        pid = ctx.ids.take(Petitioner)
        name, number = person_name(rng), id_number(court.division_code, ctx.petitioners_made)
        self.petitioners.append((name, number))
        ctx.writer.add(
            Petitioner,
            {
                "id": pid,
                "name": name,
                "id_number": number,
                "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                "domicile": f"{court.name.removesuffix('人民法院')}辖区第{rng.randint(1, 99)}街坊",
                "residence": "",
                "domicile_court_id": None,
                "created_at": at,
            },
        )
        ctx.petitioners_made += 1
        ctx.writer.add(
            ctx.through,
            {"id": ctx.ids.take(ctx.through), "petitioncase_id": self.id, "petitioner_id": pid},
        )

    def original_case(self, court_id: int, year: int) -> str:
        """records._original_case_add: a case number that parses, at a court of the tree."""
        ctx, rng = self.ctx, self.rng
        court = ctx.courts[court_id]
        type_code = rng.choice(TYPE_CODES[CourtLevel(court.level)])
        number = f"({year}){court.code}{type_code}{rng.randint(1, 9000)}号"
        judge_id, judge_name = rng.choice(ctx.staff[court_id].judges)
        stage = "enforcement" if type_code.startswith("执") else "trial"
        self.original_numbers.append(number)
        ctx.writer.add(
            OriginalCase,
            {
                "id": ctx.ids.take(OriginalCase),
                "case_id": self.id,
                "number": number,
                "year": year,
                "court_code": court.code,
                "type_code": type_code,
                "serial": int(number[len(f"({year}){court.code}{type_code}") : -1]),
                "court_id": court_id,
                "trial_judge_name": judge_name,
                "trial_judge_id": judge_id,
                "cause": self.cause,
                "stage": stage,
                "is_flawed": False,
                "flaw_note": "",
            },
        )
        return number

    def first_receipt(self, at: dt.datetime, owner: int, day: dt.date) -> None:
        """new_petitions.new_petition_register, after case_create in the same call."""
        name = self.staff.names[owner]
        self.case.update(
            first_receipt_owner_id=owner,
            received_on=day,
            allocation_rule="first_receipt",
            allocation_reason=f"{name}首次接访，一办到底",
            allocated_at=at,
            status=CaseStatus.ALLOCATED.value,
        )
        self.save(at)
        self.audit(
            at,
            self.ctx.office(self.case["court_id"]),
            "case.first_receipt",
            f"首接负责人：{name}",
            None,
            {"owner": owner, "received_on": day.isoformat()},
        )

    def allocate(self, day: dt.date, target: int, rule: str, reason: str) -> None:
        """allocate.case_allocate, by the rules."""
        at = self.at(day)
        actor = self.ctx.office(self.case["court_id"])
        before = {"court": self.court.short_name, "rule": "", "status": self.case["status"]}
        self.case.update(
            court_id=target,
            allocation_rule=rule,
            allocation_reason=reason[:255],
            allocated_at=at,
            status=CaseStatus.ALLOCATED.value,
        )
        self.save(at)
        self.audit(
            at,
            actor,
            "case.allocate",
            f"交办至{self.court.short_name}（{RULE_LABELS[rule]}）",
            before,
            {
                "court": self.court.short_name,
                "rule": rule,
                "reason": reason,
                "status": CaseStatus.ALLOCATED.value,
            },
        )

    # -- the team and the work --

    def team(self, day: dt.date) -> None:
        """team.team_assign with all four places: case.team, then case.team_complete."""
        at = self.at(day)
        rng, staff = self.rng, self.staff
        roles = ("leader", "division_leader", "staff", "petition_contact")
        leader = staff.president if self.case["is_major"] else rng.choice(staff.leaders)
        members = {
            "leader": leader,
            "division_leader": rng.choice(staff.division_leaders),
            "staff": rng.choice(staff.staff),
            "petition_contact": rng.choice(staff.contacts),
        }
        before = {role: self.case.get(f"{role}_id") for role in roles}
        for role, person in members.items():
            self.case[f"{role}_id"] = person
        self.case.update(
            leader_since=day, leader_last_activity_on=None, possibly_nominal=False, team_since=day
        )
        self.save(at)
        actor = self.ctx.office(self.case["court_id"])
        self.audit(at, actor, "case.team", "调整专班", before, dict(members))
        self.move(at, actor, "team_complete", CaseStatus.IN_RESOLUTION.value, "专班配齐，进入化解")
        self.next_activity = day + dt.timedelta(days=rng.randint(7, 29))

    def plan_measures(self, start: dt.date) -> None:
        count = self.rng.choice((1, 1, 2, 2, 3))
        days = [start + dt.timedelta(days=self.rng.randint(3, 75)) for _ in range(count)]
        self.measure_days = sorted(days)

    def work_until(self, end: dt.date) -> None:
        """The leader's activities (every 7-29 days, so the daily rule never flags the
        case as nominal) and the planned measures, dated before `end`."""
        while True:
            # A measure planned for a day the story has passed (the case met the standard
            # meanwhile) is not taken: the history stays in date order.
            while self.measure_days and self.day and self.measure_days[0] < self.day:
                self.measure_days.pop(0)
            activity = self.next_activity
            measure = self.measure_days[0] if self.measure_days else None
            if activity is None and measure is None:
                return
            if measure is not None and (activity is None or measure < activity):
                if measure >= end:
                    return
                self.measure_days.pop(0)
                self.measure(measure)
            else:
                assert activity is not None
                if activity >= end:
                    return
                self.activity(activity)
                self.next_activity = activity + dt.timedelta(days=self.rng.randint(7, 29))

    def activity(self, day: dt.date) -> None:
        """work.leader_activity_record."""
        at = self.at(day)
        ctx = self.ctx
        kind = self.rng.choice(ACTIVITY_POOL)
        text = ACTIVITY_TEXTS[kind]
        actor = ctx.office(self.case["court_id"])
        aid = ctx.ids.take(LeaderActivity)
        leader = self.case["leader_id"]
        ctx.writer.add(
            LeaderActivity,
            {
                "id": aid,
                "case_id": self.id,
                "leader_id": leader,
                "happened_on": day,
                "kind": kind.value,
                "summary": text,
                "recorded_by_id": actor[0],
                "recorded_at": at,
            },
        )
        last = self.case.get("leader_last_activity_on")
        if last is None or day > last:
            self.case["leader_last_activity_on"] = day
        self.case["possibly_nominal"] = False
        self.save(at)
        self.audit(
            at,
            actor,
            "case.leader_activity",
            f"包案领导{self.staff.names[leader]}{kind.label}：{text[:60]}",
            None,
            {"happened_on": day.isoformat(), "kind": kind.value},
            obj=("cases.leaderactivity", aid),
        )

    def measure(self, day: dt.date) -> None:
        """work.measure_record (no save of the case)."""
        at = self.at(day)
        ctx, rng = self.ctx, self.rng
        kind = rng.choices(
            [
                MeasureKind.RECEPTION,
                MeasureKind.PUBLIC_HEARING,
                MeasureKind.JUDICIAL_AID,
                MeasureKind.TRIAL_SUPERVISION,
                MeasureKind.SOCIAL_MANAGEMENT,
            ],
            (10, 3, 3, 1, 2),
        )[0]
        row: Row = {
            "id": ctx.ids.take(Measure),
            "case_id": self.id,
            "kind": kind.value,
            "taken_on": day,
            "participants": [],
            "aid_amount": None,
            "retrial_case_number": "",
            "retrial_outcome": "",
            "recorded_by_id": ctx.office(self.case["court_id"])[0],
            "recorded_at": at,
        }
        if kind == MeasureKind.PUBLIC_HEARING:
            row["summary"] = "组织公开听证，邀请人大代表、政协委员参加"
            row["participants"] = [
                {"name": person_name(rng), "identity": "人大代表"},
                {"name": person_name(rng), "identity": "政协委员"},
            ]
        elif kind == MeasureKind.JUDICIAL_AID:
            row["summary"] = "信访人生活困难，给予司法救助"
            row["aid_amount"] = Decimal(rng.choice((3000, 5000, 8000, 10000, 20000))).quantize(
                Decimal("0.01")
            )
        elif kind == MeasureKind.TRIAL_SUPERVISION:
            row["summary"] = "原审裁判确有错误，依法启动再审"
            row["retrial_case_number"] = (
                f"({ctx.options.year}){self.court.code}民再{rng.randint(1, 500)}号"
            )
            row["retrial_outcome"] = "再审改判"
        elif kind == MeasureKind.SOCIAL_MANAGEMENT:
            row["summary"] = "协调当地党委政府纳入社会管理综合治理"
        else:
            row["summary"] = "接谈信访人，做好释法析理工作"
        ctx.writer.add(Measure, row)
        aid = row["aid_amount"]
        self.audit(
            at,
            ctx.office(self.case["court_id"]),
            "case.measure",
            f"{kind.label}：{row['summary'][:60]}",
            None,
            {
                "kind": kind.value,
                "taken_on": day.isoformat(),
                "aid_amount": None if aid is None else str(aid),
            },
            obj=("cases.measure", row["id"]),
        )

    # -- resolution (R9) --

    def written(self, day: dt.date) -> None:
        """work.attachment_add (the signed promise), then resolution.resolution_written."""
        ctx = self.ctx
        at = self.at(day)
        actor = ctx.office(self.case["court_id"])
        attachment = ctx.ids.take(Attachment)
        ctx.writer.add(
            Attachment,
            {
                "id": attachment,
                "case_id": self.id,
                "purpose": "promise",
                "original_name": "书面承诺书.pdf",
                "content_type": "application/pdf",
                "size": ctx.promise_size,
                "sha256": ctx.promise_sha,
                "uploaded_by_id": actor[0],
                "uploaded_at": at,
            },
        )
        self.audit(
            at,
            actor,
            "case.attachment",
            "上传书面承诺书：书面承诺书.pdf",
            None,
            {"sha256": ctx.promise_sha, "size": ctx.promise_size, "type": "application/pdf"},
            obj=("cases.attachment", attachment),
        )
        at = self.at(day)
        self.case.update(
            resolution_method="written",
            promise_on=day,
            observation_last_day=None,
            met_standard_on=day,
        )
        self.move(
            at,
            actor,
            "written_promise",
            CaseStatus.MET_STANDARD.value,
            "信访人书面承诺息诉罢访",
            ["resolution_method", "promise_on", "observation_last_day", "met_standard_on"],
        )

    def oral(self, day: dt.date) -> dt.date:
        """resolution.resolution_oral; returns the last day of observation."""
        at = self.at(day)
        last = observation_last_day(day)
        self.case.update(resolution_method="oral", promise_on=day, observation_last_day=last)
        self.move(
            at,
            self.ctx.office(self.case["court_id"]),
            "oral_promise",
            CaseStatus.OBSERVATION.value,
            f"信访人口头承诺息诉罢访，观察期至{last}",
            ["resolution_method", "promise_on", "observation_last_day"],
        )
        return last

    def observation_passed(self, day: dt.date) -> None:
        """The daily tick's services._base._pass_observation (the system acts)."""
        at = self.at(day)
        last = self.case["observation_last_day"]
        self.case["met_standard_on"] = last + dt.timedelta(days=1)
        self.move(
            at,
            None,
            "observation_passed",
            CaseStatus.MET_STANDARD.value,
            f"口头承诺后一年内未赴省进京上访（观察期至{last}），达到化解标准",
            ["met_standard_on"],
        )

    def termination(self, day: dt.date) -> dt.date:
        """resolution.termination_step three times; returns the day the standard is met."""
        rng = self.rng
        review = day
        filing = review + dt.timedelta(days=rng.randint(3, 12))
        handover = filing + dt.timedelta(days=rng.randint(3, 12))
        department = rng.choice(HANDOVER_TO)
        steps = (
            ("review", "信访终结审查", review, {"termination_reviewed_on": review}),
            ("filing", "终结报备", filing, {"termination_filed_on": filing}),
            (
                "handover",
                "移交稳控责任",
                handover,
                {"handover_department": department, "handover_on": handover},
            ),
        )
        actor = self.ctx.office(self.case["court_id"])
        for step, label, when, changes in steps:
            self.work_until(when)
            at = self.at(when)
            self.case.update(changes)
            self.save(at)
            snapshot = self.snap(list(changes))
            self.audit(
                at,
                actor,
                f"case.termination_{step}",
                f"依法终结：{label}完成",
                snapshot,
                dict(snapshot),
            )
        self.case.update(resolution_method="termination", met_standard_on=handover)
        self.move(
            at,
            actor,
            "termination_complete",
            CaseStatus.MET_STANDARD.value,
            "依法终结三项均已完成，达到化解标准",
            ["resolution_method", "met_standard_on"],
        )
        return handover

    def visit(self, at: dt.datetime, day: dt.date) -> None:
        """records.visit_record: the upward visit and its audit event."""
        ctx = self.ctx
        level = "beijing" if self.case["petition_type"] == "beijing" else "province"
        visit = ctx.ids.take(Visit)
        actor = ctx.office(self.case["court_id"])
        ctx.writer.add(
            Visit,
            {
                "id": visit,
                "case_id": self.id,
                "petitioner_id": None,
                "visited_on": day,
                "level": level,
                "receiving_body": "国家信访局" if level == "beijing" else "省信访局",
                "summary": f"再次反映{self.cause}案件问题",
                "reopened_case": True,
                "recorded_by_id": actor[0],
                "recorded_at": at,
            },
        )
        label = "进京" if level == "beijing" else "赴省"
        self.audit(
            at,
            actor,
            "case.visit",
            f"登记{label}信访（{day}）",
            None,
            {"visited_on": day.isoformat(), "level": level},
            obj=("cases.visit", visit),
        )

    def visit_in_observation(self, day: dt.date) -> None:
        at = self.at(day)
        self.visit(at, day)
        self.case.update(resolution_method="", promise_on=None, observation_last_day=None)
        self.move(
            at,
            self.ctx.office(self.case["court_id"]),
            "visit_in_observation",
            CaseStatus.IN_RESOLUTION.value,
            "观察期内再次赴省进京信访，恢复化解",
            ["resolution_method", "promise_on", "observation_last_day"],
        )
        self.next_activity = day

    def repetition(self, day: dt.date) -> None:
        """records.visit_record on an accepted case: the re-petition reopens it (R10)."""
        at = self.at(day)
        self.visit(at, day)
        self.case.update(
            reopen_count=self.case["reopen_count"] + 1,
            met_standard_on=None,
            accepted_on=None,
            resolution_method="",
            promise_on=None,
            observation_last_day=None,
        )
        self.move(
            at,
            self.ctx.office(self.case["court_id"]),
            "repetition",
            CaseStatus.IN_RESOLUTION.value,
            "息诉后再次进京赴省上访，案件重新化解",
            [
                "reopen_count",
                "met_standard_on",
                "accepted_on",
                "resolution_method",
                "promise_on",
                "observation_last_day",
            ],
        )
        self.next_activity = day

    def classify(self, day: dt.date) -> None:
        """work.case_classify."""
        at = self.at(day)
        names = ["cls_solve", "cls_educate", "cls_aid", "cls_lawful"]
        before = {name: bool(self.case.get(name, False)) for name in names}
        solve = self.rng.random() < 0.5
        flags = {
            "cls_solve": solve,
            "cls_educate": not solve or self.rng.random() < 0.3,
            "cls_aid": self.rng.random() < 0.2,
            "cls_lawful": self.rng.random() < 0.05,
        }
        self.case.update(flags)
        self.save(at)
        labels = {
            "cls_solve": "诉求合理·解决到位",
            "cls_educate": "诉求无理·思想教育到位",
            "cls_aid": "生活困难·帮扶救助到位",
            "cls_lawful": "行为违法·依法处理",
        }
        self.audit(
            at,
            self.ctx.office(self.case["court_id"]),
            "case.classify",
            "分类：" + "、".join(labels[n] for n in names if flags[n]),
            before,
            dict(flags),
        )

    # -- acceptance (R11) --

    def submit(self, day: dt.date) -> Row:
        """acceptance.acceptance_submit: a pending request to the superior court."""
        at = self.at(day)
        ctx = self.ctx
        reviewing = ctx.reviewing(self.case["court_id"])
        actor = ctx.office(self.case["court_id"])
        request: Row = {
            "id": ctx.ids.take(AcceptanceRequest),
            "decision": "pending",
            "decided_by_id": None,
            "decided_at": None,
            "case_id": self.id,
            "reviewing_court_id": reviewing,
            "submitted_by_id": actor[0],
            "submitted_at": at,
            "note": "已达化解标准，材料齐全，申请验收",
            "reason": "",
        }
        self.requests.append((AcceptanceRequest, request))
        self.move(
            at,
            actor,
            "submit",
            CaseStatus.SUBMITTED.value,
            f"提交{ctx.courts[reviewing].short_name}验收",
        )
        return request

    def decide(self, day: dt.date, request: Row, accept: bool) -> None:
        """acceptance.acceptance_decide by the reviewing court's petition office."""
        at = self.at(day)
        ctx = self.ctx
        reviewing = ctx.courts[request["reviewing_court_id"]]
        actor = ctx.office(reviewing.id)
        reason = "化解材料齐全，同意验收" if accept else self.rng.choice(RETURN_REASONS)
        request.update(
            decision="accepted" if accept else "returned",
            decided_by_id=actor[0],
            decided_at=at,
            reason=reason,
        )
        if accept:
            self.case["accepted_on"] = day
            self.move(
                at,
                actor,
                "accept",
                CaseStatus.ACCEPTED.value,
                f"{reviewing.short_name}验收通过",
                ["accepted_on"],
            )
            return
        self.case.update(
            return_count=self.case["return_count"] + 1,
            last_returned_reason=reason,
            resolution_method="",
            met_standard_on=None,
            promise_on=None,
            observation_last_day=None,
        )
        self.move(
            at,
            actor,
            "return",
            CaseStatus.IN_RESOLUTION.value,
            f"验收退回：{reason[:100]}",
            [
                "return_count",
                "last_returned_reason",
                "resolution_method",
                "met_standard_on",
                "promise_on",
                "observation_last_day",
            ],
        )
        self.next_activity = day

    # -- escalation (R12) --

    def take_up(self, day: dt.date) -> None:
        """escalation.case_take_up by the superior court: the case moves up, the team goes."""
        at = self.at(day)
        ctx = self.ctx
        lower = self.court
        superior = ctx.courts[lower.parent_id or lower.id]
        actor = ctx.office(superior.id)
        reason = "案情重大复杂，基层法院化解难度大"
        self.requests.append(
            (
                EscalationRequest,
                {
                    "id": ctx.ids.take(EscalationRequest),
                    "decision": "accepted",
                    "decided_by_id": actor[0],
                    "decided_at": at,
                    "case_id": self.id,
                    "from_court_id": lower.id,
                    "to_court_id": superior.id,
                    "requested_by_id": actor[0],
                    "requested_at": at,
                    "reason": reason,
                    "decision_note": "上级法院决定提级办理",
                },
            )
        )
        roles = ("leader", "division_leader", "staff", "petition_contact")
        before = {"court": lower.short_name, **{r: self.case[f"{r}_id"] for r in roles}}
        self.case.update(
            court_id=superior.id,
            allocation_rule="escalated",
            allocation_reason=f"提级办理：{reason}",
            allocated_at=at,
            team_since=None,
            leader_since=None,
            leader_last_activity_on=None,
            possibly_nominal=False,
            resolution_method="",
            promise_on=None,
            observation_last_day=None,
            **{f"{r}_id": None for r in roles},
        )
        self.move(
            at,
            actor,
            "escalate",
            CaseStatus.ALLOCATED.value,
            f"提级至{superior.short_name}办理",
            [
                "court",
                "allocation_rule",
                "allocation_reason",
                "allocated_at",
                *roles,
                "team_since",
                "leader_since",
                "leader_last_activity_on",
                "possibly_nominal",
                "resolution_method",
                "promise_on",
                "observation_last_day",
            ],
        )
        self.audit(
            at,
            actor,
            "case.escalated",
            f"原专班解除，由{superior.short_name}重新组建专班",
            before,
            {"court": superior.short_name},
        )
        self.next_activity = None
        self.measure_days = []

    # -- writing --

    def finish(self) -> None:
        self.case.update(
            search.columns(self.case["ledger_no"], self.petitioners, self.original_numbers)
        )
        self.ctx.writer.add(PetitionCase, self.case)
        for model, row in self.requests:
            self.ctx.writer.add(model, row)


# --- the stories ------------------------------------------------------------------------------


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def play_stock(sim: Sim, court_id: int, ledger_no: str) -> None:
    """A stock case: entered by the province office, allocated the next day, a team in
    March, work, a promise or termination, acceptance; a few are returned, reopened or
    taken up by the superior court; a few never get a team."""
    ctx, rng = sim.ctx, sim.rng
    campaign = ctx.campaign
    court = ctx.courts[court_id]
    high = ctx.high_of[court.path[:5]]
    ledger_day = campaign.mobilization_start + dt.timedelta(days=24)
    sim.create(ledger_day, high, "stock", ledger_no, home=court_id)
    if rng.random() < 0.85:
        number = sim.original_case(court_id, rng.randint(2013, ctx.options.year - 1))
        rule, reason = (
            "who_handled",
            f"最近的原审案件{number}由{court.short_name}办理（谁办案、谁负责）",
        )
    else:
        rule = "domicile"
        reason = f"信访人户籍地/居住地属{court.short_name}辖区（属地管理）"
    sim.allocate(ledger_day + dt.timedelta(days=1), court_id, rule, reason)
    if rng.random() < 0.025:
        return  # the team is never completed: stays 待组建专班
    team_day = campaign.concentrated_start + _days(rng, 0, 30)
    sim.team(team_day)
    sim.plan_measures(team_day)
    if court.level == CourtLevel.BASIC and rng.random() < 0.006:
        escalation = team_day + _days(rng, 15, 60)
        sim.work_until(escalation)
        sim.take_up(escalation)
        team_day = escalation + _days(rng, 2, 15)
        sim.team(team_day)
        sim.plan_measures(team_day)
    resolve(sim, team_day)


def play_new(sim: Sim, court_id: int, ledger_no: str) -> None:
    """A new petition (增量, R14): received by a president or division head who keeps it."""
    ctx, rng = sim.ctx, sim.rng
    start = ctx.campaign.concentrated_start
    received = start + _days(rng, 0, max((ctx.options.day - start).days, 0))
    at = sim.create(received, court_id, "new", ledger_no, home=court_id)
    sim.first_receipt(at, rng.choice(ctx.staff[court_id].owners), received)
    team_day = received + _days(rng, 1, 10)
    sim.team(team_day)
    sim.plan_measures(team_day)
    resolve(sim, team_day)


def resolve(sim: Sim, start: dt.date) -> None:
    """From resolution to acceptance, with the detours the rules allow."""
    rng = sim.rng
    promise = start + _days(rng, 25, 290)
    method = rng.choices(["written", "termination", "oral"], (50, 25, 25))[0]
    classified = False
    while True:
        sim.work_until(promise)
        if method == "written":
            sim.written(promise)
            met = promise
        elif method == "termination":
            met = sim.termination(promise)
        else:
            last = sim.oral(promise)
            if rng.random() < 0.12:
                back = promise + _days(rng, 10, 200)
                sim.work_until(back)
                sim.visit_in_observation(back)
                promise, method = back + _days(rng, 20, 120), "written"
                continue
            met = last + dt.timedelta(days=1)
            sim.work_until(met)
            sim.observation_passed(met)
        if not classified:
            sim.classify(met)
            classified = True
        submitted = met + _days(rng, 2, 20)
        request = sim.submit(submitted)
        decided = submitted + _days(rng, 5, 30)
        if rng.random() < 0.85:
            sim.decide(decided, request, accept=True)
            if method == "oral" or rng.random() >= 0.04:
                return
            again = decided + _days(rng, 15, 150)
            sim.repetition(again)
            promise, method = again + _days(rng, 30, 150), "written"
            continue
        sim.decide(decided, request, accept=False)
        promise, method = decided + _days(rng, 15, 60), "written"


# --- the tree, staff and accounts -----------------------------------------------------------


def _court_row(plan: CourtPlan) -> Row:
    return {
        "id": plan.id,
        "name": plan.name,
        "short_name": plan.short_name,
        "code": plan.code,
        "level": str(plan.level),
        "kind": "ordinary",
        "division_code": plan.division_code,
        "parent_id": plan.parent_id,
        "path": plan.path,
    }


def staff_court(plan: CourtPlan, writer: Writer, ids: Ids, rng: random.Random) -> Staff:
    """Departments, people and positions of one court: enough of each kind that every team
    place can be filled by someone eligible (huajie.cases.eligibility)."""
    staff = Staff()

    def person(dept: int | None, quota: bool, *roles: tuple[PositionKind, str]) -> int:
        pid = ids.take(Person)
        name = person_name(rng)
        staff.names[pid] = name
        writer.add(
            Person,
            {
                "id": pid,
                "court_id": plan.id,
                "department_id": dept,
                "name": name,
                "in_judge_quota": quota,
                "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                "is_active": True,
            },
        )
        for kind, title in roles:
            writer.add(
                Position,
                {
                    "id": ids.take(Position),
                    "person_id": pid,
                    "kind": kind.value,
                    "title": title,
                    "department_id": dept,
                },
            )
        return pid

    staff.president = person(None, True, (PositionKind.PRESIDENT, "院长"))
    staff.owners.append(staff.president)
    for _ in range(2):
        vice = person(None, True, (PositionKind.COURT_LEADER, "副院长"))
        staff.leaders.append(vice)
        staff.owners.append(vice)
    person(None, False, (PositionKind.COURT_LEADER, "政治部主任"))
    staff.leaders.append(person(None, True, (PositionKind.COMMITTEE_MEMBER, "审判委员会专职委员")))
    for sort, (name, kind, head, judges, assistants) in enumerate(DEPARTMENTS):
        dept = ids.take(Department)
        writer.add(
            Department,
            {"id": dept, "court_id": plan.id, "name": name, "kind": kind.value, "sort": sort},
        )
        chief = person(dept, kind != DepartmentKind.OFFICE, (PositionKind.DIVISION_LEADER, head))
        if kind != DepartmentKind.OFFICE:
            staff.division_leaders.append(chief)
            staff.owners.append(chief)
        for _ in range(judges):
            judge = person(dept, True, (PositionKind.JUDGE, "审判员"))
            staff.staff.append(judge)
            staff.judges.append((judge, staff.names[judge]))
        for _ in range(assistants):
            staff.staff.append(person(dept, False, (PositionKind.STAFF, "法官助理")))
        if kind == DepartmentKind.PETITION:
            for _ in range(2):
                contact = person(
                    dept,
                    False,
                    (PositionKind.STAFF, "工作人员"),
                    (PositionKind.PETITION_CONTACT, "信访联系人"),
                )
                staff.contacts.append(contact)
                staff.staff.append(contact)
    return staff


def _scope_of(level: str) -> Scope:
    return {
        CourtLevel.HIGH: Scope.PROVINCE,
        CourtLevel.INTERMEDIATE: Scope.SUBTREE,
        CourtLevel.BASIC: Scope.COURT,
    }[CourtLevel(level)]


def _user_row(
    uid: int,
    username: str,
    person: int | None,
    role: Role,
    scope: Scope,
    password: str,
    joined: dt.datetime,
) -> Row:
    return {
        "id": uid,
        "password": password,
        "last_login": None,
        "is_superuser": role == Role.ADMIN,
        "username": username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_staff": role == Role.ADMIN,
        "is_active": True,
        "date_joined": joined,
        "person_id": person,
        "role": role.value,
        "scope": scope.value,
    }


def build_tree(
    ctx_writer: Writer, ids: Ids, options: Options, joined: dt.datetime
) -> tuple[list[CourtPlan], dict[int, Staff], dict[int, tuple[int, str]]]:
    """The courts, their staff and two accounts per court (office `<prefix>_xf`, leader
    `<prefix>_ld`), plus the superuser `synth_admin` and national supervision
    `synth_nation`."""
    rng = random.Random(f"{options.seed}:people")  # noqa: S311  (synthetic data, not secrets)
    plans = plan_courts(options.courts, ids.take(Court))
    ids._next[Court] = plans[-1].id + 1
    password = make_password(settings.HUAJIE_DEMO_PASSWORD, salt="huajiesynth")
    staff: dict[int, Staff] = {}
    actors: dict[int, tuple[int, str]] = {}
    for plan in plans:
        ctx_writer.add(Court, _court_row(plan))
    for plan in plans:
        people = staff_court(plan, ctx_writer, ids, rng)
        staff[plan.id] = people
        scope = _scope_of(plan.level)
        office_role = (
            Role.PROVINCE_OFFICE if plan.level == CourtLevel.HIGH else Role.PETITION_OFFICE
        )
        for suffix, person, role in (
            ("xf", people.contacts[0], office_role),
            ("ld", people.leaders[0], Role.COURT_LEADER),
        ):
            uid = ids.take(User)
            ctx_writer.add(
                User,
                _user_row(uid, f"{plan.login}_{suffix}", person, role, scope, password, joined),
            )
            actors[uid] = (uid, people.names[person])
            if suffix == "xf":
                people.office_user = uid
            else:
                people.leader_user = uid
    first = staff[plans[0].id]
    uid = ids.take(User)
    ctx_writer.add(
        User,
        _user_row(
            uid, ADMIN_USERNAME, first.contacts[1], Role.ADMIN, Scope.PROVINCE, password, joined
        ),
    )
    ctx_writer.add(
        User,
        _user_row(
            ids.take(User),
            NATION_USERNAME,
            None,
            Role.NATION_OFFICE,
            Scope.NATION,
            password,
            joined,
        ),
    )
    return plans, staff, actors


# --- running ----------------------------------------------------------------------------------


def _case_models() -> list[Any]:
    return [
        Petitioner,
        PetitionCase,
        PetitionCase.petitioners.through,
        OriginalCase,
        Visit,
        Measure,
        LeaderActivity,
        Attachment,
        AcceptanceRequest,
        EscalationRequest,
        AuditEvent,
    ]


def _tree_models() -> list[Any]:
    return [Court, Department, Person, Position, User]


def check_database(*, reset: bool) -> None:
    """Refuse a database that holds courts or cases, unless `reset` and the database was
    made by this command (it has the synth_admin account): then empty it (flush)."""
    has_data = (
        Court.objects.exists() or PetitionCase.objects.exists() or Petitioner.objects.exists()
    )
    if not has_data:
        return
    if not reset:
        raise SynthError(
            "数据库中已有法院或案件数据。huajie synth 只在空数据库（已 migrate）上生成；"
            "如果该库就是 huajie synth 生成的，可加 --reset 清空后重新生成。"
        )
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        raise SynthError(
            f"数据库中的数据不是 huajie synth 生成的（没有 {ADMIN_USERNAME} 账户），"
            "--reset 不会清空它。请用 DATABASE_URL 指定一个空数据库。"
        )
    _flush()


def _flush() -> None:
    """Empty every table. On PostgreSQL inside a transaction that has just inserted rows
    (a test), TRUNCATE refuses while deferred foreign-key checks are pending: run them
    first, then defer again."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _court_weights(plans: list[CourtPlan], seed: int) -> tuple[list[int], list[float]]:
    """Skewed: a few courts carry many cases, most carry few (Pareto), high courts a
    handful."""
    rng = random.Random(f"{seed}:weights")  # noqa: S311
    ids, cumulative, total = [], [], 0.0
    for plan in plans:
        if plan.level == CourtLevel.HIGH:
            weight = 0.3
        elif plan.level == CourtLevel.INTERMEDIATE:
            weight = 0.6 * min(rng.paretovariate(1.2), 30.0)
        else:
            weight = min(rng.paretovariate(1.2), 60.0)
        total += weight
        ids.append(plan.id)
        cumulative.append(total)
    return ids, cumulative


@dataclass
class Result:
    courts: int
    cases: int
    rows: dict[str, int]
    chain_head: str
    seconds: float


def generate(
    options: Options, *, reset: bool = False, progress: Callable[[str], None] = print
) -> Result:
    """Build the dataset; see the module docstring."""
    if not 1 <= options.cases <= MAX_CASES:
        raise SynthError(f"案件数应在 1 至 {MAX_CASES} 之间。")
    campaign_probe = dt.date(options.year, 3, 1)
    if not campaign_probe <= options.day <= dt.date(options.year + 1, 12, 31):
        raise SynthError(
            f"截止日（--as-of）应在 {options.year} 年 3 月 1 日（集中化解开始）至次年年底之间。"
        )
    check_database(reset=reset)
    started = time.monotonic()
    with _bulk_load():
        result = _generate(options, progress, started)
    return result


class _bulk_load:  # a context manager, used like a function
    """SQLite: synchronous=OFF for the duration (the journal mode is left as it is)."""

    def __enter__(self) -> None:
        self.previous: int | None = None
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                self.previous = cursor.fetchone()[0]
                cursor.execute("PRAGMA synchronous = OFF")

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {int(self.previous)}")


def _generate(options: Options, progress: Callable[[str], None], started: float) -> Result:
    # The campaign's id comes from the database's sequence, which an earlier rolled-back
    # transaction may have moved on: start it from the (empty) table so the same seed gives
    # the same rows whatever ran before.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Campaign]):
            cursor.execute(sql)
    campaign = campaign_create(year=options.year)
    ids = Ids([*_tree_models(), *_case_models()])
    tree_writer = Writer(_tree_models())
    joined = moment(campaign.mobilization_start, 0)
    plans, staff, actors = build_tree(tree_writer, ids, options, joined)
    tree_writer.flush()
    levels = {lvl: sum(1 for p in plans if p.level == lvl) for lvl in CourtLevel.values}
    progress(
        f"法院 {len(plans)} 个（高级 {levels['high']}、中级 {levels['intermediate']}、"
        f"基层 {levels['basic']}），人员 {tree_writer.written.get('courts.Person', 0)} 人，"
        f"账户 {tree_writer.written.get('accounts.User', 0)} 个。"
    )
    sha, size, _type = store_file(io.BytesIO(PROMISE_PDF))
    writer = Writer(_case_models())
    ctx = Context(
        options=options,
        campaign=campaign,
        courts={p.id: p for p in plans},
        staff=staff,
        actors=actors,
        writer=writer,
        ids=ids,
        chain=Chain(writer, ids),
        promise_sha=sha,
        promise_size=size,
        through=PetitionCase.petitioners.through,
        high_of={p.path: p.id for p in plans if p.level == CourtLevel.HIGH},
    )
    court_ids, cumulative = _court_weights(plans, options.seed)
    rng = random.Random(f"{options.seed}:cases")  # noqa: S311
    ledger: dict[str, int] = {}
    step = max(1, options.cases // 20)
    for index in range(options.cases):
        court_id = court_ids[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]
        court = ctx.courts[court_id]
        new = court.level != CourtLevel.HIGH and rng.random() < options.new_share
        key = f"{'X' if new else ''}{court.province.abbr}"
        ledger[key] = ledger.get(key, 0) + 1
        ledger_no = f"{options.year}{key}-{ledger[key]:06d}"
        sim = Sim(ctx, random.Random(rng.getrandbits(64)), index)  # noqa: S311
        with contextlib.suppress(Stop):  # the story reached the as-of day
            (play_new if new else play_stock)(sim, court_id, ledger_no)
        sim.finish()
        done = index + 1
        if done % options.batch == 0 or done == options.cases:
            writer.flush()
        if done % step == 0 or done == options.cases:
            progress(
                f"已生成 {done}/{options.cases} 件 ({done * 100 // options.cases}%)，"
                f"用时 {time.monotonic() - started:.0f} 秒"
            )
    tally.rebuild()  # the cases were written with COPY, past the model's bookkeeping
    _finish_database([*_tree_models(), *_case_models(), CaseTally])
    rows = {**tree_writer.written, **writer.written}
    return Result(len(plans), options.cases, rows, ctx.chain.head, time.monotonic() - started)


def _finish_database(models: list[Any]) -> None:
    """Refresh the planner's statistics (`core.planner`) and, on PostgreSQL, move the id
    sequences past the ids given here (SQLite's AUTOINCREMENT follows explicit ids)."""
    if connection.vendor != "postgresql":
        refresh_statistics()
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def fingerprint() -> str:
    """SHA-256 over every row the generator writes, in id order: equal fingerprints mean
    identical data (used by the tests; reads everything, so meant for small datasets)."""
    digest = hashlib.sha256()
    for model in [Campaign, *_tree_models(), *_case_models()]:
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*names).iterator(chunk_size=5000):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def iter_summary(result: Result) -> Iterator[str]:
    yield f"共 {result.courts} 个法院、{result.cases} 件案件，用时 {result.seconds:.0f} 秒。"
    for label, count in sorted(result.rows.items()):
        yield f"  {label}: {count}"
    yield f"审计链末端哈希（数据指纹）：{result.chain_head}"
