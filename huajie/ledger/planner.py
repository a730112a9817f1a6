"""From parsed rows to plans: which case a row is, what importing it would do, and every
problem, as errors (the sheet is refused) or warnings (reported, the rest imported).

The planner only reads. It predicts what the services will accept with the services' own
rules (`eligibility.member_refusal`, `allocation.suggest` on a stand-in for a case not yet
created, the same date checks); the applier then performs a plan through the services,
which check everything again.

Rows are planned in chunks with a fixed number of queries per chunk (the chunk's existing
cases with everything the exporter shows, petitioners by ID number), so a 100,000-row sheet
never means 100,000 model objects in memory. Across chunks the planner remembers only what
rows claimed: ledger numbers, ID numbers with their names, matched cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Max, Q

from huajie.cases.allocation import DomicileIndex, Suggestion, suggest
from huajie.cases.eligibility import TEAM_ROLES, member_refusal
from huajie.cases.models import PetitionCase, Petitioner
from huajie.core import clock
from huajie.courts.models import Court, Person
from huajie.ledger.courtnames import CourtIndex
from huajie.ledger.export import export_queryset, related
from huajie.ledger.numbers import LedgerNumbers
from huajie.ledger.parser import ParsedRow
from huajie.ledger.plan import HEADERS, Importer, RowPlan, shorten
from huajie.ledger.reader import Layout
from huajie.ledger.report import ERROR, WARNING, Problem, RowLine
from huajie.ledger.values import text_of


class _Listing:
    """Quacks like a related manager, for `allocation.suggest` on a case not yet created."""

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = list(items)

    def all(self) -> list[Any]:
        return self._items


@dataclass
class _Proposed:
    original_cases: _Listing
    petitioners: _Listing


@dataclass(frozen=True, slots=True)
class StandInOriginal:
    """An original case as `allocation.suggest` reads it, for a case not yet created (a
    model instance costs ten times as much to make, on every row of an import)."""

    number: str
    year: int
    type_code: str
    serial: int
    court: Court | None

    @property
    def court_id(self) -> int | None:
        return self.court.pk if self.court is not None else None


@dataclass(frozen=True, slots=True)
class StandInPetitioner:
    """A petitioner as `allocation.suggest` reads it, for a case not yet created."""

    name: str
    domicile: str
    residence: str


class Planner:
    """Plans rows against the database as it stood when the import started."""

    CHUNK = 500

    def __init__(self, importer: Importer, layout: Layout) -> None:
        self.importer = importer
        self.layout = layout
        self.courts = CourtIndex.for_province(importer.province)
        self.by_code = {c.code: c for c in Court.objects.all()}
        self.domiciles = DomicileIndex(importer.province)
        self.today = clock.today()
        self._people: dict[int, dict[str, list[Person]]] = {}
        self._ledger_rows: dict[str, int] = {}
        self._id_names: dict[str, tuple[str, int]] = {}
        self._matched: dict[int, int] = {}
        self.numbers = LedgerNumbers(importer.campaign)
        self._last_case_pk = PetitionCase.objects.aggregate(last=Max("pk"))["last"] or 0
        self._existing: dict[str, PetitionCase] = {}
        self._by_id: dict[str, list[PetitionCase]] = {}
        self._by_name: dict[str, list[PetitionCase]] = {}
        self._petitioners: dict[str, Petitioner] = {}
        self.looked_up_ids: set[str] = set()  # the chunk's ID numbers asked of the database
        self._stand_ins: dict[tuple[int, bool], PetitionCase] = {}
        self._refusals: dict[tuple[str, int, int, bool], str | None] = {}

    # --- chunks -------------------------------------------------------------------------

    def plan_chunk(self, rows: list[ParsedRow]) -> list[RowPlan]:
        """Plan a chunk of rows with a fixed number of queries."""
        self.load_chunk(rows)
        return self.plan_loaded(rows)

    def plan_loaded(self, rows: list[ParsedRow]) -> list[RowPlan]:
        """Plan the rows of the chunk loaded last. Mostly Python: only the first row of a
        court not seen before reads the court's people."""
        from huajie.ledger.rows import plan_row

        return [plan_row(self, row) for row in rows]

    def forget_chunk(self) -> None:
        """Drop the cases and petitioners loaded for the last chunk (they are garbage once
        its rows are applied; the import freezes what survives a chunk)."""
        self._existing, self._petitioners, self._by_id, self._by_name = {}, {}, {}, {}
        self.looked_up_ids = set()

    def load_chunk(self, rows: list[ParsedRow]) -> None:
        """Read what the chunk's rows may match: its cases and petitioners (a few queries)."""
        campaign = self.importer.campaign
        given = {r.get("ledger_no") for r in rows if r.get("ledger_no")}
        numbers = self.numbers.to_look_up(given)
        ids = {i for r in rows for i in r.get("id_numbers") if len(i) == 18 and "*" not in i}
        in_campaign = PetitionCase.objects.filter(campaign=campaign, ledger_no__in=numbers)
        self._existing = {c.ledger_no: c for c in export_queryset(in_campaign)} if numbers else {}
        self.numbers.looked_up(numbers, found=set(self._existing))
        self._load_unnumbered([r for r in rows if not r.get("ledger_no")], ids)
        self._petitioners = {
            p.id_number: p for p in Petitioner.objects.filter(id_number__any_of=ids) if p.id_number
        }
        self.looked_up_ids = ids

    def _load_unnumbered(self, rows: list[ParsedRow], ids: set[str]) -> None:
        """Candidates for rows without a ledger number: cases of the same petitioners, by
        ID number or (without one) by name. Only cases that existed before this import: a
        row never matches a case an earlier row created, so the dry run and the import agree."""
        wanted = {i for r in rows for i in r.get("id_numbers")} & ids
        names = {
            n for r in rows if not set(r.get("id_numbers")) & ids for n in r.get("petitioners")
        }
        self._by_id, self._by_name = {}, {}
        if not wanted and not names:
            return
        same_people = Q(petitioners__id_number__in=wanted) | Q(petitioners__name__in=names)
        candidates = PetitionCase.objects.filter(
            same_people, campaign=self.importer.campaign, pk__lte=self._last_case_pk
        ).distinct()
        for case in export_queryset(candidates):
            for petitioner in related(case, "petitioners"):
                number = petitioner.id_number
                if number is not None and number in wanted:
                    self._by_id.setdefault(number, []).append(case)
                if petitioner.name in names:
                    self._by_name.setdefault(petitioner.name, []).append(case)

    def new_plan(self, row: ParsedRow) -> RowPlan:
        line = RowLine(row.raw.number, row.get("ledger_no"), "、".join(row.get("petitioners")), "")
        return RowPlan(row, line)

    # --- problems -----------------------------------------------------------------------

    def problem(
        self, plan: RowPlan, key: str, reason: str, fix: str = "", severity: str = ERROR
    ) -> None:
        """Record a problem on the cell of column `key` (or the row's first cell when the
        sheet has no such column)."""
        raw = plan.parsed.raw
        value = raw.formulas.get(key) or raw.errors.get(key) or text_of(raw.values.get(key))
        if key in self.layout.header_cells:
            cell = raw.cell(key, self.layout)
        else:
            cell = (raw.number, min(self.layout.columns, default=1))
        plan.problems.append(
            Problem(
                severity=severity,
                reason=reason,
                fix=fix,
                row=raw.number,
                column=HEADERS.get(key, key),
                value=shorten(value, 60),
                cell=cell,
            )
        )

    def warn(self, plan: RowPlan, key: str, reason: str, fix: str = "") -> None:
        self.problem(plan, key, reason, fix, severity=WARNING)

    def has_column(self, key: str) -> bool:
        return key in self.layout.header_cells

    # --- which case -----------------------------------------------------------------------

    def identify(self, plan: RowPlan) -> tuple[PetitionCase | None, bool]:
        """The existing case the row names, or None; the flag says the row may not create
        one either (its ledger number is taken or repeated)."""
        row = plan.parsed
        number = row.get("ledger_no")
        if "ledger_no" in row.errors:
            return None, True
        if number:
            first = self._ledger_rows.setdefault(number, row.raw.number)
            if first != row.raw.number:
                self.problem(
                    plan,
                    "ledger_no",
                    f"台账编号与第{first}行重复",
                    "同一活动中台账编号不能重复，请核对；新案件可清空编号由系统生成",
                )
                return None, True
            case = self._existing.get(number)
        else:
            before = len(plan.problems)
            case = self._match_without_number(plan)
            if case is None:
                return None, len(plan.problems) > before
        if case is None:
            return None, False
        return self._claim(plan, case)

    def _claim(self, plan: RowPlan, case: PetitionCase) -> tuple[PetitionCase | None, bool]:
        row = plan.parsed
        if not self.importer.may_touch(case.court):
            self.problem(
                plan,
                "ledger_no",
                f"台账编号{case.ledger_no}在{self.importer.campaign.year}年活动中"
                "已用于其他法院的案件，不在您的导入范围内",
                "请核对台账编号；新案件可清空编号由系统生成",
            )
            return None, True
        first = self._matched.setdefault(case.pk, row.raw.number)
        if first != row.raw.number:
            self.problem(
                plan,
                "ledger_no",
                f"与第{first}行是同一案件（{case.ledger_no}）",
                "请删除重复的行，或填写台账编号加以区分",
            )
            return None, True
        plan.line.ledger_no = case.ledger_no
        return case, False

    def _match_without_number(self, plan: RowPlan) -> PetitionCase | None:
        """A row without a ledger number is the existing case of the same petitioners: by
        ID number, narrowed by case numbers and claims; without ID numbers, by the same
        names with the same case numbers and claims. So importing such a sheet twice finds
        the cases the first import created instead of entering them again."""
        row = plan.parsed
        ids = [i for i in row.get("id_numbers") if len(i) == 18 and "*" not in i]
        numbers = {str(n) for n in row.get("original_numbers")}
        claims = row.get("claims")
        if ids:
            found = {c.pk: c for i in ids for c in self._by_id.get(i, [])}
            candidates = _narrow(list(found.values()), numbers, claims, strict=False)
        else:
            names = sorted(row.get("petitioners"))
            found = {c.pk: c for n in names for c in self._by_name.get(n, [])}
            same = [c for c in found.values() if sorted(_names(c)) == names]
            candidates = _narrow(same, numbers, claims, strict=True)
        if len(candidates) > 1:
            shown = "、".join(c.ledger_no for c in candidates[:5])
            self.problem(
                plan,
                "ledger_no",
                f"未填写台账编号，按身份证号找到多件案件（{shown}），无法确定是哪一件",
                "请填写台账编号",
            )
            return None
        return candidates[0] if candidates else None

    # --- lookups --------------------------------------------------------------------------

    def court_named(self, plan: RowPlan, key: str, name: str) -> Court | None:
        """The court a cell names, within the province; a problem when there is none."""
        court = self.courts.resolve(name)
        if court is None:
            province = self.importer.province.name.removesuffix("高级人民法院")
            reason = (
                f"“{name}”可能指多个法院"
                if self.courts.is_ambiguous(name)
                else f"在{province}的法院中找不到“{name}”"
            )
            self.problem(
                plan, key, reason, "请填写法院全称（如 山东省济南市历下区人民法院）或常用简称"
            )
        return court

    def known_court(self, name: str) -> bool:
        return self.courts.resolve(name) is not None or name in self.by_code

    def people_named(self, court: Court, name: str) -> list[Person]:
        if court.pk not in self._people:
            index: dict[str, list[Person]] = {}
            for person in Person.objects.filter(court=court).prefetch_related("positions"):
                index.setdefault(person.name, []).append(person)
            self._people[court.pk] = index
        return self._people[court.pk].get(name, [])

    def team(
        self, plan: RowPlan, court: Court, is_major: bool, roles: Iterable[str]
    ) -> dict[str, Person]:
        """The people the team cells name at `court`, each eligible for the place."""
        stand_in = self._stand_ins.get((court.pk, is_major))
        if stand_in is None:  # only read: one per court and kind serves every row
            stand_in = PetitionCase(court=court, is_major=is_major)
            self._stand_ins[(court.pk, is_major)] = stand_in
        title = plan.parsed.get("leader_title")
        team: dict[str, Person] = {}
        for role in roles:
            person = self._person_for(plan, role, plan.parsed.get(role), stand_in, title)
            if person is not None:
                team[role] = person
        return team

    def _person_for(
        self, plan: RowPlan, role: str, name: str, stand_in: PetitionCase, title: str
    ) -> Person | None:
        court = stand_in.court
        label = TEAM_ROLES[role]
        candidates = self.people_named(court, name)
        if not candidates:
            self.problem(
                plan,
                role,
                f"{court.short_name}没有名为“{name}”的人员",
                f"{label}须是责任法院的人员：请核对姓名，或先在“法院与人员”中登记此人",
            )
            return None
        if len(candidates) > 1:
            return self._one_of(plan, role, candidates, stand_in, title)
        person = candidates[0]
        refusal = self.refusal(role, person, stand_in)
        if refusal:
            self.problem(plan, role, refusal.rstrip("。"), f"请改填符合条件的{label}")
            return None
        return person

    def refusal(self, role: str, person: Person, stand_in: PetitionCase) -> str | None:
        """`eligibility.member_refusal`, remembered: it depends only on the person, the
        court and whether the case is major, and a sheet names the same people again and
        again."""
        key = (role, person.pk, stand_in.court_id, stand_in.is_major)
        if key not in self._refusals:
            self._refusals[key] = member_refusal(role, person, stand_in)
        return self._refusals[key]

    def _one_of(
        self,
        plan: RowPlan,
        role: str,
        candidates: list[Person],
        stand_in: PetitionCase,
        title: str,
    ) -> Person | None:
        """Several people of the court share the name: the one eligible for the place (and,
        for the leader, holding the position in 包案领导职务), or a problem."""
        fitting = [p for p in candidates if self.refusal(role, p, stand_in) is None]
        if role == "leader" and title:
            fitting = [p for p in fitting if any(x.title in title for x in p.positions.all())]
        if len(fitting) == 1:
            return fitting[0]
        self.problem(
            plan,
            role,
            f"{stand_in.court.short_name}有 {len(candidates)} 名叫“{candidates[0].name}”"
            "的人员，无法确定是哪一位",
            "请在“包案领导职务”列写明职务，或在系统中区分同名人员后再导入",
        )
        return None

    def check_id_owner(self, plan: RowPlan, number: str, name: str) -> None:
        """One ID number, one name: against the system and across the sheet (R3)."""
        shown = f"{number[:6]}…{number[-4:]}"
        known = self._petitioners.get(number)
        if known is not None and known.name != name:
            self.problem(
                plan,
                "id_numbers",
                f"身份证号{shown}在系统中登记为“{known.name}”，与“{name}”不符",
                "请核对姓名和号码",
            )
            return
        first_name, first_row = self._id_names.setdefault(number, (name, plan.parsed.raw.number))
        if first_name != name:
            self.problem(
                plan,
                "id_numbers",
                f"身份证号{shown}在第{first_row}行是“{first_name}”，此行是“{name}”",
                "同一身份证号只能对应一人，请核对",
            )

    def known_petitioner(self, number: str) -> Petitioner | None:
        return self._petitioners.get(number)

    def suggestion_for(
        self, originals: list[StandInOriginal], petitioners: list[StandInPetitioner]
    ) -> Suggestion:
        """The allocation rules' answer for a case not yet created."""
        proposed = _Proposed(_Listing(originals), _Listing(petitioners))
        return suggest(cast(PetitionCase, proposed), self.domiciles)


def _names(case: PetitionCase) -> list[str]:
    return [p.name for p in related(case, "petitioners")]


def _narrow(
    cases: list[PetitionCase], numbers: set[str], claims: str, *, strict: bool
) -> list[PetitionCase]:
    """Cases with the row's case numbers and claims. Not `strict` (matched by ID number):
    a criterion that fits none is dropped; `strict` (matched by name): it must fit."""
    for fits in (
        lambda c: {o.number for o in related(c, "original_cases")} == numbers,
        lambda c: not claims or c.claims == claims,
    ):
        narrowed = [c for c in cases if fits(c)]
        if strict or narrowed:
            cases = narrowed
        if len(cases) <= 1 and not strict:
            break
    return cases
