"""Planning one row: a new case (`NewCase`) or changes to an existing one (`CaseChanges`).

What "changed" means (docs/ledger.md):
- an existing case is compared with what the exporter writes for it, column by column, read
  by the same readers, so export → import changes nothing;
- an empty cell (or a missing column) leaves the system's value as it is;
- a masked ID or phone number (the exporter's 370102********1234) counts as unchanged;
- what needs evidence or a superior court's decision in the system (书面承诺, 依法终结, 验收)
  is never imported: where the sheet differs, a warning says so; so do petitioner details,
  visits and measures of an existing case, which the services cannot change from a sheet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huajie.cases import services
from huajie.cases.casenumber import CaseNumber, parse_case_number
from huajie.cases.eligibility import TEAM_ROLES
from huajie.cases.models import (
    AllocationRule,
    CaseStatus,
    PetitionCase,
    PetitionType,
    RiskLevel,
    VisitLevel,
)
from huajie.courts.models import Court, PositionKind
from huajie.ledger.export import related, row_values
from huajie.ledger.parser import ParsedRow, parse_values
from huajie.ledger.plan import (
    HEADERS,
    MANUAL_REASON,
    RowPlan,
    aligned,
    per_petitioner,
    per_petitioner_pieces,
    shorten,
)
from huajie.ledger.planner import Planner, StandInOriginal, StandInPetitioner

STATUS_LABELS = {str(label) for _value, label in CaseStatus.choices}
VISIT_KEYS = ("first_visit", "last_visit", "visit_count")
PETITIONER_KEYS = ("petitioners", "id_numbers", "phones", "domicile", "residence")
RECORD_KEYS = ("petition_type", "claims", "risk_level", "is_major", "remarks")
CLASS_LABELS = {
    "cls_solve": "解决",
    "cls_educate": "教育",
    "cls_aid": "救助",
    "cls_lawful": "依法处理",
}
IGNORED_METHODS = {
    "written": "书面承诺须在系统中上传信访人签字的承诺书后登记，已忽略此列",
    "termination": "依法终结须在系统中办理终结审查、报备和移交稳控责任三项，已忽略此列",
}
ACCEPTANCE_IGNORED = "验收须由上级法院在系统中办理，已忽略此列"
MANUAL_LABEL = f"{AllocationRule.MANUAL.label}（{MANUAL_REASON}）"


def plan_row(planner: Planner, row: ParsedRow) -> RowPlan:
    plan = planner.new_plan(row)
    for key, error in row.errors.items():
        planner.problem(plan, key, error.reason, error.fix)
    case, blocked = planner.identify(plan)
    if case is not None:
        CaseChanges(planner, plan, case).plan()
    elif not blocked:
        NewCase(planner, plan).plan()
    if plan.has_errors:
        plan.line.action = "refused"
    elif plan.create is not None:
        plan.line.action = "create"
    elif plan.has_steps:
        plan.line.action = "update"
    else:
        plan.line.action = "unchanged"
    return plan


def _classify(chosen: frozenset[str]) -> dict[str, bool]:
    return {name.removeprefix("cls_"): name in chosen for name in CLASS_LABELS}


def _class_text(chosen: frozenset[str]) -> str:
    return "、".join(label for name, label in CLASS_LABELS.items() if name in chosen) or "（无）"


class NewCase:
    """A row that names no existing case: `case_create`, then allocation, the team, the
    classification and, for an oral promise, the observation period."""

    def __init__(self, planner: Planner, plan: RowPlan) -> None:
        self.p = planner
        self.plan_ = plan
        self.row = plan.parsed

    def plan(self) -> None:
        plan, row = self.plan_, self.row
        names = row.get("petitioners")
        if not names:
            if "petitioners" not in row.errors:
                self.p.problem(
                    plan,
                    "petitioners",
                    "信访人不能为空",
                    "请填写信访人姓名，几人之间用顿号“、”分隔",
                )
            return
        petition_type = row.get("petition_type")
        if petition_type is None and "petition_type" not in row.errors:
            self.p.problem(
                plan, "petition_type", "新案件须填写信访类型", "请填写进京、赴省或进京及赴省"
            )
        petitioners = self._petitioners(names)
        originals = self._originals()
        check_original_courts(self.p, plan)
        stages = row.get("stage")
        if len(stages) > 1:
            self.p.problem(plan, "stage", "问题环节只能填一个", "请填写立案、审判或执行之一")
        visits = self._visits(petition_type or PetitionType.BEIJING)
        plan.create = services.CaseInput(
            petition_type=PetitionType(petition_type or PetitionType.BEIJING),
            petitioners=petitioners,
            claims=row.get("claims"),
            risk_level=RiskLevel(row.get("risk_level") or RiskLevel.NORMAL),
            is_major=bool(row.get("is_major")),
            remarks=row.get("remarks"),
            ledger_no=row.get("ledger_no"),
            source_stage=stages[0] if len(stages) == 1 else "",
            original_cases=originals,
            visits=visits,
        )
        status = self._team(self._allocation(petitioners, originals))
        chosen = row.get("classification")
        if chosen and "" not in chosen:
            plan.classify = _classify(chosen)
        last_visit = max((v.visited_on for v in visits), default=None)
        resolution(self.p, plan, status, None, last_visit)
        ignored_columns(self.p, plan, None)
        progress(self.p, plan, CaseStatus.OBSERVATION if plan.oral_on else status)

    # --- petitioners ----------------------------------------------------------------------

    def _petitioners(self, names: tuple[str, ...]) -> list[services.PetitionerInput]:
        row, count = self.row, len(names)
        ids = per_petitioner_pieces(row.get("id_numbers"), count)
        phones = per_petitioner_pieces(row.get("phones"), count, several_each=True)
        columns = {
            "id_numbers": ids or self._mismatch("id_numbers", count),
            "phones": phones or self._mismatch("phones", count),
            **{
                key: per_petitioner(row.get(key), count) or self._mismatch(key, count)
                for key in ("domicile", "residence")
            },
        }
        return [self._petitioner(index, name, columns) for index, name in enumerate(names)]

    def _petitioner(
        self, index: int, name: str, columns: dict[str, list[str]]
    ) -> services.PetitionerInput:
        number, phone = columns["id_numbers"][index], columns["phones"][index]
        if "*" in number:
            self.p.problem(
                self.plan_,
                "id_numbers",
                f"身份证号“{number}”已隐去部分数字（从系统导出时按权限隐去）",
                "新登记的案件须填写完整号码，或留空",
            )
            number = ""
        if number:
            self.p.check_id_owner(self.plan_, number, name)
        return services.PetitionerInput(
            name=name,
            id_number=number,
            phone="" if "*" in phone else phone[:32],
            domicile=columns["domicile"][index][:128],
            residence=columns["residence"][index][:128],
        )

    def _mismatch(self, key: str, count: int) -> list[str]:
        what = HEADERS[key]
        self.p.problem(
            self.plan_,
            key,
            f"有 {count} 名信访人，{what}的个数与之不符，无法一一对应",
            f"请按信访人的顺序填写{what}，用顿号“、”分隔，没有的写“无”",
        )
        return [""] * count

    # --- original cases -------------------------------------------------------------------

    def _originals(self) -> list[services.OriginalCaseInput]:
        numbers: tuple[CaseNumber, ...] = self.row.get("original_numbers")
        if not numbers:
            return []
        judges = originals_column(self.p, self.plan_, "trial_judges", len(numbers))
        causes = originals_column(self.p, self.plan_, "causes", len(numbers))
        return [
            services.OriginalCaseInput(number=str(n), trial_judge_name=j[:64], cause=c[:128])
            for n, j, c in zip(numbers, judges, causes, strict=True)
        ]

    # --- visits ---------------------------------------------------------------------------

    def _visits(self, petition_type: str) -> list[services.VisitInput]:
        """Visits from 首次/最近信访时间 and 信访次数: the first on the first date, the last
        on the last date, the others (their dates unknown) on the first date, so the
        exporter's earliest, latest and count give back the sheet (a stable round trip).
        Levels follow the petition type; 进京及赴省: the first 赴省, the others 进京."""
        row = self.row
        if any(k in row.errors for k in VISIT_KEYS):
            return []
        first = row.get("first_visit") or row.get("last_visit")
        last = row.get("last_visit") or first
        count = row.get("visit_count")
        if count is None:
            count = 0 if first is None else 1 if first == last else 2
        if not self._visits_consistent(first, last, count):
            return []
        if first is None or last is None:
            return []
        beijing_first = petition_type == PetitionType.BEIJING
        first_level = VisitLevel.BEIJING if beijing_first else VisitLevel.PROVINCE
        level = (
            VisitLevel.PROVINCE if petition_type == PetitionType.PROVINCE else VisitLevel.BEIJING
        )
        unknown = "台账导入：具体日期不详，按首次信访时间登记"
        visits = [services.VisitInput(first, first_level, summary="台账导入：首次信访")]
        visits += [services.VisitInput(first, level, summary=unknown)] * max(count - 2, 0)
        if count >= 2:
            visits.append(services.VisitInput(last, level, summary="台账导入：最近信访"))
        return visits

    def _visits_consistent(self, first: dt.date | None, last: dt.date | None, count: int) -> bool:
        def refuse(key: str, reason: str, fix: str) -> bool:
            self.p.problem(self.plan_, key, reason, fix)
            return False

        date_key = "first_visit" if self.p.has_column("first_visit") else "visit_count"
        if count == 0:
            return first is None or refuse(
                "visit_count", "信访次数为 0，却填写了信访时间", "请核对信访次数"
            )
        if first is None or last is None:
            return refuse(
                date_key, f"信访次数为 {count}，但没有信访时间", "请填写首次信访时间和最近信访时间"
            )
        if first > last:
            return refuse("last_visit", "最近信访时间早于首次信访时间", "请核对两个日期")
        if last > self.p.today:
            return refuse("last_visit", "信访时间晚于今天", "请核对日期")
        if count == 1 and first != last:
            return refuse(
                "visit_count", "信访次数为 1，首次和最近信访时间却不同", "请核对次数或日期"
            )
        return True

    # --- allocation and team --------------------------------------------------------------

    def _allocation(
        self,
        petitioners: list[services.PetitionerInput],
        originals: list[services.OriginalCaseInput],
    ) -> Court | None:
        """The responsible court: the 责任法院 cell by hand ("台账导入指定"), else the rules
        (谁办案, then 属地); None when neither decides (the case waits as 待交办)."""
        plan, row = self.plan_, self.row
        if "court" in row.errors:
            return None
        if row.get("court"):
            court = self.p.court_named(plan, "court", row.get("court"))
            if court is None or not self._in_scope(court, ""):
                return None
            plan.allocate = (court, MANUAL_REASON)
            plan.line.allocation = plan.line.rule = MANUAL_LABEL
            plan.line.court = court.short_name
            return court
        if any(k in row.errors for k in ("original_numbers", "domicile", "residence")):
            return None
        suggestion = self.p.suggestion_for(
            [self._original(o) for o in originals], self._stand_in_petitioners(petitioners)
        )
        if suggestion.court is None:
            plan.line.allocation = plan.line.rule = "待人工指定"
            self.p.warn(
                plan,
                "court",
                "无法按“谁办案、谁负责”或“属地管理”确定责任法院，案件将登记为“待交办”",
                "可在“责任法院”列填写，或导入后由省法院信访办交办",
            )
            return None
        why = f"按“{suggestion.rule.label}”应由{suggestion.court.short_name}负责，"
        if not self._in_scope(suggestion.court, why):
            return None
        plan.allocate, plan.suggestion = (None, ""), suggestion
        plan.line.rule = str(suggestion.rule.label)
        plan.line.allocation = f"{suggestion.rule.label}：{suggestion.reason}"
        plan.line.court = suggestion.court.short_name
        return suggestion.court

    def _in_scope(self, court: Court, why: str) -> bool:
        if self.p.importer.may_touch(court):
            return True
        self.p.problem(
            self.plan_,
            "court",
            f"{why}{court.short_name}不在您的导入范围内",
            "请在“责任法院”列填写本院（或您辖区内的法院），或交由上级法院导入",
        )
        return False

    def _team(self, court: Court | None) -> CaseStatus:
        """Resolve the team cells; the status the new case will reach."""
        plan, row = self.plan_, self.row
        status = CaseStatus.UNALLOCATED if court is None else CaseStatus.ALLOCATED
        roles = [r for r in TEAM_ROLES if row.get(r)]
        if not roles:
            return status
        if court is None:
            if not plan.has_errors:
                key = "court" if self.p.has_column("court") else roles[0]
                self.p.problem(plan, key, "没有责任法院，不能组建专班", "请填写责任法院")
            return status
        plan.team = self.p.team(plan, court, bool(row.get("is_major")), roles)
        return CaseStatus.IN_RESOLUTION if len(plan.team) == len(TEAM_ROLES) else status

    def _original(self, data: services.OriginalCaseInput) -> StandInOriginal:
        number = parse_case_number(data.number)
        return StandInOriginal(
            number=data.number,
            year=number.year,
            type_code=number.type_code,
            serial=number.serial,
            court=self.p.by_code.get(number.court_code),
        )

    def _stand_in_petitioners(
        self, data: list[services.PetitionerInput]
    ) -> list[StandInPetitioner]:
        """The petitioners as `petitioner_upsert` will leave them (stripped): a known ID
        keeps its stored address where the sheet has none; known ones first (their keys
        are older)."""
        people: list[tuple[int, StandInPetitioner]] = []
        for index, item in enumerate(data):
            known = self.p.known_petitioner(item.id_number) if item.id_number else None
            domicile, residence = item.domicile.strip(), item.residence.strip()
            person = StandInPetitioner(
                name=item.name.strip(),
                domicile=domicile or (known.domicile if known else ""),
                residence=residence or (known.residence if known else ""),
            )
            people.append(((known.pk if known else 10**12) + index, person))
        return [person for _key, person in sorted(people, key=lambda pair: pair[0])]


class CaseChanges:
    """A row naming an existing case: compared with what the exporter writes for the case,
    column by column; only filled cells that differ lead anywhere."""

    def __init__(self, planner: Planner, plan: RowPlan, case: PetitionCase) -> None:
        self.p = planner
        self.plan_ = plan
        self.row = plan.parsed
        self.case = case
        plan.case = case
        self.exported = parse_values(row_values(case, reveal=True))

    def differs(self, key: str) -> bool:
        if key not in self.row.filled or key in self.row.errors:
            return False
        mine, theirs = self.row.get(key), self.exported.get(key)
        if key in ("id_numbers", "phones"):
            return not _same_numbers(mine, theirs)
        return bool(mine != theirs)

    def plan(self) -> None:
        plan = self.plan_
        check_original_courts(self.p, plan)
        self._petitioner_columns()
        visit_key = next((k for k in VISIT_KEYS if self.differs(k)), None)
        if visit_key:
            self.p.warn(
                plan,
                visit_key,
                "信访记录须在案件页面逐次登记（赴省进京信访可能使已化解的案件重新化解），已忽略此列",
            )
        court = self._allocation()
        record = self._record()
        self._team(court, record.get("is_major", self.case.is_major))
        self._originals()
        self._classification()
        status = self._status_after()
        resolution(self.p, plan, status, self.case, self.exported.get("last_visit"))
        ignored_columns(self.p, plan, self)
        progress(self.p, plan, CaseStatus.OBSERVATION if plan.oral_on else status)

    def _petitioner_columns(self) -> None:
        if not any(k in self.row.filled for k in PETITIONER_KEYS):
            return
        if same_petitioners(self.row, self.exported):
            return
        key = next((k for k in PETITIONER_KEYS if self.differs(k)), "petitioners")
        self.p.warn(
            self.plan_, key, "信访人及其身份证号、电话、地址的修改须在案件页面办理，已忽略此列"
        )

    def _allocation(self) -> Court:
        """The court the case will have: as it is, or the 责任法院 cell by hand."""
        case, plan, name = self.case, self.plan_, self.row.get("court")
        if not name or "court" in self.row.errors:
            return case.court
        court = self.p.court_named(plan, "court", name)
        if court is None or (case.status != CaseStatus.UNALLOCATED and court.pk == case.court_id):
            return case.court
        if case.status not in (CaseStatus.UNALLOCATED, CaseStatus.ALLOCATED):
            self.p.problem(
                plan,
                "court",
                f"案件已进入“{case.get_status_display()}”，不能通过台账改变责任法院"
                f"（系统中为{case.court.short_name}）",
                f"请改回“{case.court.short_name}”；需要上级法院办理的请在案件页面申请提级办理",
            )
            return case.court
        if not self.p.importer.may_touch(court):
            self.p.problem(
                plan,
                "court",
                f"{court.short_name}不在您的导入范围内",
                "请填写本院（或您辖区内的法院），或交由上级法院导入",
            )
            return case.court
        plan.allocate = (court, MANUAL_REASON)
        plan.line.allocation = plan.line.rule = MANUAL_LABEL
        plan.line.court = court.short_name
        plan.change(f"交办至{court.short_name}（{MANUAL_REASON}）")
        return court

    def _record(self) -> dict[str, Any]:
        plan, row = self.plan_, self.row
        changes: dict[str, Any] = {}
        for key in RECORD_KEYS:
            if self.differs(key):
                changes[key] = row.get(key)
                old, new = self.exported.get(key), row.get(key)
                plan.change(f"{HEADERS[key]}：{shorten(old)}→{shorten(new)}")
        if self.differs("stage"):
            stages = row.get("stage")
            if len(stages) > 1:
                self.p.problem(plan, "stage", "问题环节只能填一个", "请填写立案、审判或执行之一")
            else:
                changes["source_stage"] = stages[0]
                old = shorten(self.exported.get("stage"))
                plan.change(f"问题环节：{old}→{shorten(stages)}")
        plan.record = changes
        plan.record_first = changes.get("is_major") is False
        leader = self.case.leader
        new_leader = row.get("leader") if self.differs("leader") else ""
        if (
            changes.get("is_major")
            and leader is not None
            and not new_leader
            and not leader.has_position(PositionKind.PRESIDENT)
        ):
            self.p.problem(
                plan,
                "is_major",
                f"重大疑难信访案件须由院长亲自包案，现包案领导{leader.name}不是院长",
                "请同时在“包案领导”列填写本院院长",
            )
        return changes

    def _team(self, court: Court, is_major: bool) -> None:
        plan, case = self.plan_, self.case
        moved = court.pk != case.court_id
        roles = [r for r in TEAM_ROLES if self.row.get(r) and (moved or self.differs(r))]
        if not roles:
            return
        if case.status == CaseStatus.UNALLOCATED and plan.allocate is None:
            self.p.problem(plan, roles[0], "案件尚未交办，不能组建专班", "请同时填写责任法院")
            return
        if case.status == CaseStatus.SUBMITTED:
            current = self.exported.get(roles[0]) or "（空）"
            self.p.problem(
                plan,
                roles[0],
                "案件正在验收中，验收结束前不能调整专班",
                f"请改回系统中的{TEAM_ROLES[roles[0]]}“{current}”",
            )
            return
        plan.team = self.p.team(plan, court, is_major, roles)
        for role, person in plan.team.items():
            old = self.exported.get(role) or "（无）"
            plan.change(f"{TEAM_ROLES[role]}：{old}→{person.name}")

    def _originals(self) -> None:
        keys = ("original_numbers", "trial_judges", "causes")
        if not any(self.differs(k) for k in keys):
            return
        row, plan = self.row, self.plan_
        numbers = row.get("original_numbers") or self.exported.get("original_numbers")
        judges = originals_column(self.p, plan, "trial_judges", len(numbers))
        causes = originals_column(self.p, plan, "causes", len(numbers))
        stored = {o.number: o for o in related(self.case, "original_cases")}
        for number, judge, cause in zip(numbers, judges, causes, strict=True):
            known = stored.get(str(number))
            new = (
                judge or (known.trial_judge_name if known else ""),
                cause or (known.cause if known else ""),
            )
            if known and (known.trial_judge_name, known.cause) == new:
                continue
            plan.originals.append(
                services.OriginalCaseInput(str(number), new[0][:64], new[1][:128])
            )
            plan.change(f"{'修改' if known else '新增'}原审案件{number}")
        dropped = set(stored) - {str(n) for n in numbers}
        if dropped and row.get("original_numbers"):
            self.p.warn(
                plan,
                "original_numbers",
                f"系统中的原审案号{'、'.join(sorted(dropped))}不在此行，删除须在案件页面办理，已忽略",
            )

    def _classification(self) -> None:
        chosen = self.row.get("classification")
        if not self.differs("classification") or "" in chosen:
            return
        self.plan_.classify = _classify(chosen)
        old = _class_text(self.exported.get("classification"))
        self.plan_.change(f"化解分类：{old}→{_class_text(chosen)}")

    def _status_after(self) -> CaseStatus:
        """The status once the allocation and team steps are done."""
        case, plan = self.case, self.plan_
        status = CaseStatus(case.status)
        target = plan.allocate[0] if plan.allocate else None
        if plan.allocate is not None and status == CaseStatus.UNALLOCATED:
            status = CaseStatus.ALLOCATED
        moved = target is not None and target.pk != case.court_id
        members = {} if moved else {r: getattr(case, f"{r}_id") for r in TEAM_ROLES}
        members |= {r: p.pk for r, p in plan.team.items()}
        if status == CaseStatus.ALLOCATED and all(members.get(r) for r in TEAM_ROLES):
            return CaseStatus.IN_RESOLUTION
        return status


# --- shared by new and existing cases ----------------------------------------------------


def originals_column(planner: Planner, plan: RowPlan, key: str, count: int) -> list[str]:
    """Judges or causes, one per case number; a problem when they cannot be matched."""
    values = aligned(plan.parsed.get(key), count)
    if values is not None:
        return values
    what = HEADERS[key]
    planner.problem(
        plan,
        key,
        f"有 {count} 个原审案号，{what}有 {len(plan.parsed.get(key))} 个，无法对应",
        f"请按案号的顺序逐一填写{what}，用顿号“、”分隔",
    )
    return [""] * count


def check_original_courts(planner: Planner, plan: RowPlan) -> None:
    """原审法院 is checked: each name must be a court (or the court code of a case number on
    the row). The original cases' courts themselves come from their case numbers."""
    codes = {n.court_code for n in plan.parsed.get("original_numbers")}
    for name in plan.parsed.get("original_courts"):
        if name not in codes and not planner.known_court(name):
            planner.problem(
                plan,
                "original_courts",
                f"找不到原审法院“{name}”",
                "请填写法院全称或常用简称（如 历下法院、济南中院）",
            )
            return


def resolution(
    planner: Planner,
    plan: RowPlan,
    status: CaseStatus,
    case: PetitionCase | None,
    last_visit: dt.date | None,
) -> None:
    """化解方式: an oral promise is imported (R9.2); a written promise and termination need
    evidence in the system and are only reported where the sheet differs."""
    row = plan.parsed
    method = row.get("resolution_method")
    if "resolution_method" in row.errors or method is None:
        return
    if method in IGNORED_METHODS:
        if case is None or case.resolution_method != method:
            planner.warn(plan, "resolution_method", IGNORED_METHODS[method])
        return
    day = row.get("met_standard_on")
    if case is not None and case.resolution_method:
        _already_resolved(planner, plan, case, day)
        return
    if status != CaseStatus.IN_RESOLUTION:
        if status in (CaseStatus.MET_STANDARD, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED):
            planner.warn(plan, "resolution_method", "案件已达到化解标准，台账中的口头承诺已忽略")
            return
        planner.problem(
            plan,
            "resolution_method",
            "口头承诺须在专班配齐（包案领导、庭领导、工作人员、信访联系人）后登记",
            "请填齐专班四人，或删去化解方式",
        )
        return
    _oral_promise(planner, plan, day, last_visit, is_new=case is None)


def _already_resolved(
    planner: Planner, plan: RowPlan, case: PetitionCase, day: dt.date | None
) -> None:
    if case.resolution_method != "oral":
        planner.warn(
            plan,
            "resolution_method",
            f"系统中已登记为“{case.get_resolution_method_display()}”，台账中的口头承诺已忽略",
        )
    elif day is not None and day not in (case.promise_on, case.met_standard_on):
        planner.warn(plan, "met_standard_on", "口头承诺日期以系统登记为准，已忽略此列")


def _oral_promise(
    planner: Planner,
    plan: RowPlan,
    day: dt.date | None,
    last_visit: dt.date | None,
    *,
    is_new: bool,
) -> None:
    if day is None:
        if "met_standard_on" not in plan.parsed.errors:
            key = (
                "met_standard_on" if planner.has_column("met_standard_on") else "resolution_method"
            )
            planner.problem(
                plan,
                key,
                "化解方式为口头承诺，但没有化解时间（承诺日期）",
                "请在“化解时间”列填写信访人口头承诺的日期",
            )
        return
    if day > planner.today:
        planner.problem(plan, "met_standard_on", "承诺日期晚于今天", "请核对日期")
        return
    if last_visit is not None and day < last_visit:
        planner.warn(
            plan,
            "met_standard_on",
            "口头承诺日期早于最近信访时间：承诺后又赴省进京信访的，案件应继续化解，已忽略口头承诺",
        )
        return
    plan.oral_on = day
    if not is_new:
        plan.change(f"登记口头承诺（{day.isoformat()}），进入观察期")


def ignored_columns(planner: Planner, plan: RowPlan, changes: CaseChanges | None) -> None:
    """Columns the import never writes, reported where the sheet says something else."""
    row = plan.parsed
    for key in ("acceptance", "accepted_on"):
        if changes is not None:
            differs = changes.differs(key)
        else:
            differs = key in row.filled and row.get(key) != "未申请"
        if differs:
            planner.warn(plan, key, ACCEPTANCE_IGNORED)
            break
    measures = changes.differs("measures") if changes else "measures" in row.filled
    if measures:
        planner.warn(
            plan, "measures", "工作措施须在案件页面逐条登记（日期、措施类别、情况），已忽略此列"
        )


def progress(planner: Planner, plan: RowPlan, status: CaseStatus) -> None:
    """化解进展 is the case's status in the export; a different status is not imported."""
    text = plan.parsed.get("progress")
    label = str(CaseStatus(status).label)
    if text in STATUS_LABELS and text != label:
        planner.warn(plan, "progress", f"案件状态由系统按办理情况确定（将为“{label}”），已忽略此列")


def _same_numbers(mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """ID or phone numbers, a masked one matching any."""
    return len(mine) == len(theirs) and all(
        "*" in a or "*" in b or a == b for a, b in zip(mine, theirs, strict=True)
    )


def _people(
    row: ParsedRow, names: tuple[str, ...], filled: set[str] | None
) -> list[list[str]] | None:
    """Per petitioner: name, ID, phone, domicile, residence ("" where the row says nothing).
    None when the row's values cannot be matched to its names."""
    count = len(names)
    columns: list[list[str] | None] = [list(names)]
    for key in PETITIONER_KEYS[1:]:
        if filled is not None and key not in filled:
            columns.append([""] * count)
        elif key in ("id_numbers", "phones"):
            columns.append(per_petitioner_pieces(row.get(key), count, several_each=key == "phones"))
        else:
            columns.append(per_petitioner(row.get(key), count))
    if any(column is None for column in columns):
        return None
    return [[column[i] for column in columns if column is not None] for i in range(count)]


def same_petitioners(row: ParsedRow, exported: ParsedRow) -> bool:
    """Each petitioner of the row matches one of the case's, field by field: masked numbers
    match anything, empty cells say nothing, the order of the names does not matter."""
    names = row.get("petitioners") or exported.get("petitioners")
    if sorted(names) != sorted(exported.get("petitioners")):
        return False
    mine = _people(row, names, row.filled - set(row.errors))
    theirs = _people(exported, exported.get("petitioners"), None)
    if mine is None or theirs is None:
        return False
    remaining = list(theirs)
    for person in mine:
        match = next(
            (
                other
                for other in remaining
                if all(
                    not a or "*" in a or "*" in b or a == b
                    for a, b in zip(person, other, strict=True)
                )
            ),
            None,
        )
        if match is None:
            return False
        remaining.remove(match)
    return True
