"""New cases of a ledger import written in bulk (issue #7: 100,000 rows in a minute).

Through the services a new case costs about forty queries (create, allocate, team,
classification, oral promise: each locks, saves, audits and notifies). Here a batch of new
cases is replayed in memory, step by step as the services do it, and written with one
statement per table (`huajie.core.bulk.Writer`): the same rows, the same version, the same
audit events (verbs, summaries, before and after, chained by `audit.services.Chain`), the same
notifications and mails. `tests/ledger/test_bulk.py` imports sheets both ways and compares
every row, so the two cannot drift apart unnoticed.

Only what the replay knows is taken here: a new case whose petitioners are all new (no ID
number already in the database or earlier in the sheet; reusing a petitioner updates their
record, which the services do). Every other row goes through the services, after the batch
so far is written, so rows take effect in sheet order whichever way they go. The checks are
the planner's, made with the services' own rules; a step the replay still refuses becomes a
problem on the row, like the services' refusals, and the import is rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from huajie.accounts.models import User
from huajie.audit.models import AuditEvent
from huajie.audit.services import Chain, jsonable, lock_chain_head
from huajie.cases import search, services, tally, transitions
from huajie.cases.allocation import Suggestion
from huajie.cases.eligibility import TEAM_ROLES, missing_roles
from huajie.cases.identity import IdNumberError, normalize_id_number
from huajie.cases.models import (
    AllocationRule,
    CaseStatus,
    Notification,
    NotificationKind,
    Origin,
    OriginalCase,
    PetitionCase,
    Petitioner,
    ResolutionMethod,
    Visit,
)
from huajie.cases.periods import observation_last_day
from huajie.cases.services._base import send_notification_mail
from huajie.cases.services.records import (
    new_case_fields,
    original_case_fields,
    parse_original_number,
)
from huajie.cases.transitions import Event, Refused
from huajie.core import clock
from huajie.core.bulk import FreshStatistics, Ids, Prototype, Writer, reserved_ids
from huajie.courts.models import Person, PositionKind
from huajie.ledger.applier import apply_plan
from huajie.ledger.plan import RowPlan
from huajie.ledger.planner import Planner

Through = PetitionCase.petitioners.through
# Parents first. Only petitioners and cases are numbered here (the rows after them refer to
# them); the database numbers the rest in the order they are written, audit events too
# (under the chain's lock), which spares reserving hundreds of thousands of ids.
NUMBERED: list[Any] = [Petitioner, PetitionCase]
DATABASE_NUMBERED: list[Any] = [Through, OriginalCase, Visit, Notification, AuditEvent]


class _Step(Exception):
    """A refusal inside the replay, on the column the row's problem is reported at."""

    def __init__(self, key: str, refusal: Refused) -> None:
        super().__init__(str(refusal))
        self.key = key


@dataclass
class _Replay:
    """One new case as the services leave it, with the events and notices on the way."""

    plan: RowPlan
    case: PetitionCase
    petitioners: list[Petitioner]
    originals: list[OriginalCase]
    visits: list[Visit]
    events: list[dict[str, Any]] = field(default_factory=list)
    notices: list[tuple[list[int], NotificationKind, str]] = field(default_factory=list)


class _New:
    """Fresh unsaved instances of the models a new case writes."""

    def __init__(self) -> None:
        self.case = Prototype(PetitionCase).make
        self.petitioner = Prototype(Petitioner).make
        self.original = Prototype(OriginalCase).make
        self.visit = Prototype(Visit).make


class NewCaseBatch:
    """Collects the import's bulk-eligible new cases and writes them batch by batch."""

    def __init__(self, planner: Planner) -> None:
        self.planner = planner
        self.importer = planner.importer
        actor = self.importer.actor
        self.actor = (actor.pk, actor.display_name) if actor is not None else None
        self.pending: list[RowPlan] = []
        self.seen_ids: set[str] = set()  # petitioners' ID numbers met so far in the sheet
        self.known_ids: set[str] = set()  # those of the chunk already in the database
        self._plan_ids: dict[int, list[str] | None] = {}  # the chunk's plans' ID numbers
        self._normalized: dict[str, str] = {}  # the chunk's ID numbers as typed → normalised
        self.writer = Writer([*NUMBERED, *DATABASE_NUMBERED], database_ids=DATABASE_NUMBERED)
        self.ids: Ids | None = None
        self._contacts: dict[int, list[int]] = {}  # court → its petition contacts' persons
        self._accounts: dict[int, list[tuple[int, str]]] = {}  # person → (user, email)
        self._judges: dict[tuple[int | None, str], int | None] = {}
        self.mails: list[tuple[str, str, list[str]]] = []
        self.new = _New()
        # The planner looks up each chunk's petitioners by ID number.
        self.petitioner_statistics = FreshStatistics(Petitioner)

    # --- routing ------------------------------------------------------------------------

    def prepare(self, plans: list[RowPlan]) -> None:
        """Which of the chunk's petitioners are already known: the planner has just looked up
        the numbers as typed; only those the normalising changed are asked again."""
        self._normalized = {}
        self._plan_ids = {id(plan): self._id_numbers(plan) for plan in plans}
        numbers = {n for found in self._plan_ids.values() for n in found or ()}
        looked_up = numbers & self.planner.looked_up_ids
        self.known_ids = {n for n in looked_up if self.planner.known_petitioner(n) is not None}
        if numbers - looked_up:
            known = Petitioner.objects.filter(id_number__any_of=numbers - looked_up)
            self.known_ids.update(n for n in known.values_list("id_number", flat=True) if n)

    def takes(self, plan: RowPlan) -> bool:
        """Whether `plan` is written here (and remembered); else the caller applies it with
        `through_services`."""
        eligible = plan.create is not None and not plan.record and not plan.originals
        numbers = self._plan_ids.get(id(plan), []) if plan.create else []
        if numbers is None or any(n in self.seen_ids or n in self.known_ids for n in numbers):
            eligible = False
        self.seen_ids.update(numbers or ())
        if eligible:
            self.pending.append(plan)
        return eligible

    def through_services(self, plan: RowPlan) -> None:
        """Apply a plan the batch does not take, after writing the batch so far (sheet
        order); the services may then have given out a ledger number."""
        self.flush()
        apply_plan(plan, self.planner)
        self.planner.numbers.stale()

    def _id_numbers(self, plan: RowPlan) -> list[str] | None:
        """The plan's petitioners' ID numbers, normalised (and remembered for the replay);
        None when one is invalid (the services then refuse it with their message)."""
        if plan.create is None:
            return []
        numbers = []
        for petitioner in plan.create.petitioners:
            raw = petitioner.id_number
            if raw:
                try:
                    self._normalized[raw] = normalize_id_number(raw)
                except IdNumberError:
                    return None
                numbers.append(self._normalized[raw])
        return numbers

    # --- writing ------------------------------------------------------------------------

    def flush(self) -> None:
        """Replay and write the pending plans, in sheet order.

        The cases are written while they are replayed, and the audit events while they are
        chained (`Writer.stream`): PostgreSQL takes in each row while the next is made,
        instead of all of them after (the tail of each COPY was a sixth of the import). The
        other tables are small work and go buffered in between."""
        if not self.pending:
            return
        plans, self.pending = self.pending, []
        self._ready_to_stream(plans)
        now = clock.now()
        replays: list[_Replay] = []
        self.writer.stream(PetitionCase, self._replayed_cases(plans, now, replays))
        if any(plan.has_errors for plan in plans):
            return  # the import is refused and rolled back: nothing more to write
        self._lookup_people(replays)
        new_cases = tally.Deltas()
        for replay in replays:
            self._add_rows(replay, now)
            state = tally.state_of(replay.case)
            new_cases.add(state, +1)
            new_cases.add_visits(state, [(v.level, v.visited_on) for v in replay.visits], +1)
        self.writer.flush()
        lock_chain_head()
        chain = Chain(self.writer, ids=None)
        events = (chain.next_line(**event) for replay in replays for event in replay.events)
        self.writer.stream(AuditEvent, events)
        new_cases.save()
        self.petitioner_statistics.wrote(sum(len(r.petitioners) for r in replays))
        if self.mails:
            mails, self.mails = self.mails, []
            transaction.on_commit(lambda: _send_all(mails))

    def _ready_to_stream(self, plans: list[RowPlan]) -> None:
        """Everything the replay reads from the database, read before the cases' stream
        (no query may run inside it): ids, the campaign's ledger numbers, the contacts of
        every court the cases go to."""
        if self.ids is None or connection.vendor == "sqlite":
            # SQLite numbers from the maxima, which moved if the services wrote since.
            self.ids = reserved_ids(NUMBERED)
        self.ids.have(PetitionCase, len(plans))
        self.ids.have(Petitioner, sum(len(p.create.petitioners) for p in plans if p.create))
        self.planner.numbers.refresh()
        courts = set()
        for plan in plans:
            if plan.allocate is not None:
                court = plan.allocate[0] or (plan.suggestion.court if plan.suggestion else None)
                if court is not None:
                    courts.add(court.pk)
        self._load_contacts(courts)

    def _replayed_cases(
        self, plans: list[RowPlan], now: dt.datetime, replays: list[_Replay]
    ) -> Iterator[list[Any]]:
        """Each plan replayed (into `replays`), as its case's row; a refused step becomes a
        problem on the row (the import is then rolled back)."""
        assert self.ids is not None
        for plan in plans:
            try:
                replay = self._replay(plan, now)
            except _Step as exc:
                self.planner.problem(plan, exc.key, str(exc).rstrip("。"), "请按提示改正后重新导入")
                continue
            replays.append(replay)
            replay.case.pk = self.ids.take(PetitionCase)
            for petitioner in replay.petitioners:
                petitioner.pk = self.ids.take(Petitioner)
            found = search.columns(
                replay.case.ledger_no,
                [(p.name, p.id_number) for p in replay.petitioners],
                [o.number for o in replay.originals],
            )
            for name, value in found.items():
                setattr(replay.case, name, value)
            yield self.writer.line_of(PetitionCase, replay.case)

    # --- the replay (mirrors the services; see the module's docstring) ---------------------

    def _replay(self, plan: RowPlan, now: dt.datetime) -> _Replay:
        data = plan.create
        assert data is not None
        importer = self.importer
        try:
            ledger_no = self.planner.numbers.give(data.ledger_no)
        except Refused as exc:
            raise _Step("petitioners", exc) from exc
        if not plan.line.ledger_no:
            plan.line.ledger_no, plan.line.generated = ledger_no, True
        fields = new_case_fields(
            importer.campaign, ledger_no, Origin.STOCK, importer.holding_court, data
        )
        case = self.new.case(**fields, created_at=now, updated_at=now)
        replay = _Replay(
            plan,
            case,
            petitioners=[self._petitioner(p, now) for p in data.petitioners],
            originals=self._originals(data.original_cases),
            visits=[
                self.new.visit(
                    visited_on=v.visited_on,
                    level=v.level,
                    receiving_body=v.receiving_body,
                    summary=v.summary,
                    recorded_by_id=importer.actor.pk if importer.actor else None,
                    recorded_at=now,
                )
                for v in data.visits
            ],
        )
        holding = importer.holding_court.short_name
        self._event(
            replay,
            "case.create",
            f"登记案件{ledger_no}",
            None,
            {"ledger_no": ledger_no, "court": holding, "origin": Origin.STOCK},
        )
        for key, step in (
            ("court", self._allocate),
            ("leader", self._team),
            ("classification", self._classify),
            ("resolution_method", self._oral),
        ):
            try:
                step(replay, now)
            except Refused as exc:
                raise _Step(key, exc) from exc
        return replay

    def _petitioner(self, data: services.PetitionerInput, now: dt.datetime) -> Petitioner:
        """`records.petitioner_upsert` for a petitioner not yet in the database."""
        name = data.name.strip()
        if not name:
            raise _Step("petitioners", Refused("信访人姓名不能为空。"))
        return self.new.petitioner(
            name=name,
            id_number=self._normalized[data.id_number] if data.id_number.strip() else None,
            phone=data.phone.strip(),
            domicile=data.domicile.strip(),
            residence=data.residence.strip(),
            created_at=now,
        )

    def _originals(self, items: Iterable[services.OriginalCaseInput]) -> list[OriginalCase]:
        """`records._original_case_add` for each (a number given twice: the last wins); the
        judges are looked up for the whole batch in `_lookup_people`."""
        by_number: dict[str, OriginalCase] = {}
        for data in items:
            try:
                number = parse_original_number(data.number)
            except Refused as exc:
                raise _Step("original_numbers", exc) from exc
            court = self.planner.by_code.get(number.court_code)
            by_number[str(number)] = self.new.original(
                number=str(number), **original_case_fields(number, data, court)
            )
        return list(by_number.values())

    def _save(self, case: PetitionCase, now: dt.datetime) -> None:
        """`services._base._save`: every save bumps the version."""
        case.version += 1
        case.updated_at = now

    def _event(
        self,
        replay: _Replay,
        verb: str,
        summary: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        replay.events.append(
            {
                "verb": verb,
                "court_id": replay.case.court_id,
                "summary": summary,
                "before": jsonable(before or {}),
                "after": jsonable(after or {}),
            }
        )

    def _move(
        self, replay: _Replay, event: Event, summary: str, extra: list[str], now: dt.datetime
    ) -> None:
        """`services._base._move`."""
        case = replay.case
        before = {name: getattr(case, name) for name in ["status", *extra]}
        old, new = transitions.apply(case, event)
        self._save(case, now)
        after = {name: getattr(case, name) for name in ["status", *extra]}
        before["status"], after["status"] = str(old), str(new)
        self._event(replay, f"case.{event.value}", summary, before, after)

    def _allocate(self, replay: _Replay, now: dt.datetime) -> None:
        """`allocate.case_allocate` of a case just created (nothing to clear or return)."""
        plan, case = replay.plan, replay.case
        if plan.allocate is None:
            return
        court, reason = plan.allocate
        transitions.target(case, Event.ALLOCATE)
        if court is None:
            # The planner's answer, for the same originals and (all new) petitioners; the
            # services ask `allocation.suggest` again, and test_bulk compares the two.
            suggestion = plan.suggestion
            if suggestion is None or suggestion.court is None:
                raise Refused("无法按规则确定责任法院：请选择责任法院并写明理由。")
        else:
            suggestion = Suggestion(court, AllocationRule.MANUAL, reason.strip())
        target = suggestion.court
        assert target is not None
        before = {"court": case.court.short_name, "rule": case.allocation_rule}
        case.court = target
        case.allocation_rule = suggestion.rule
        case.allocation_reason = suggestion.reason[:255]
        case.allocated_at = now
        before_status = case.status
        transitions.apply(case, Event.ALLOCATE)
        self._save(case, now)
        self._event(
            replay,
            "case.allocate",
            f"交办至{target.short_name}（{suggestion.rule.label}）",
            {**before, "status": before_status},
            {
                "court": target.short_name,
                "rule": suggestion.rule,
                "reason": suggestion.reason,
                "status": case.status,
            },
        )
        replay.notices.append(
            (
                self._court_contacts(target.pk),
                NotificationKind.ASSIGNED,
                f"新交办案件{case.ledger_no}：{suggestion.reason}",
            )
        )

    def _team(self, replay: _Replay, now: dt.datetime) -> None:
        """`team.team_assign` on a case with no team yet (the planner checked each member
        with `eligibility.member_refusal`)."""
        plan, case = replay.plan, replay.case
        if not plan.team:
            return
        if case.status == CaseStatus.UNALLOCATED:
            raise Refused("案件尚未交办，不能组建专班。")
        before = {role: getattr(case, f"{role}_id") for role in TEAM_ROLES}
        for role, person in plan.team.items():
            setattr(case, role, person)
        after = {role: getattr(case, f"{role}_id") for role in TEAM_ROLES}
        if before == after:
            return
        today = clock.today()
        if case.leader_id != before["leader"]:
            case.leader_since = today if case.leader_id else None
            case.leader_last_activity_on = None
            case.possibly_nominal = False
        if case.team_since is None and not missing_roles(case):
            case.team_since = today
        self._save(case, now)
        self._event(replay, "case.team", "调整专班", before, after)
        newcomers = [p.pk for p in plan.team.values() if p is not None]
        replay.notices.append(
            (newcomers, NotificationKind.TEAM, f"您已列入案件{case.ledger_no}的化解专班。")
        )
        if not missing_roles(case) and case.status == CaseStatus.ALLOCATED:
            self._move(replay, Event.TEAM_COMPLETE, "专班配齐，进入化解", [], now)

    def _classify(self, replay: _Replay, now: dt.datetime) -> None:
        """`work.case_classify`."""
        plan, case = replay.plan, replay.case
        if plan.classify is None:
            return
        if not any(plan.classify.values()):
            raise Refused("请至少选择一种化解分类（解决、教育、救助、依法处理）。")
        if case.status == CaseStatus.UNALLOCATED:
            raise Refused("案件尚未交办。")
        names = ["cls_solve", "cls_educate", "cls_aid", "cls_lawful"]
        before = {name: getattr(case, name) for name in names}
        for name in names:
            setattr(case, name, plan.classify[name.removeprefix("cls_")])
        self._save(case, now)
        after = {name: getattr(case, name) for name in names}
        self._event(
            replay, "case.classify", "分类：" + "、".join(case.classifications), before, after
        )

    def _oral(self, replay: _Replay, now: dt.datetime) -> None:
        """`resolution.resolution_oral` (the planner checked the date against today)."""
        plan, case = replay.plan, replay.case
        if plan.oral_on is None:
            return
        transitions.target(case, Event.ORAL_PROMISE)
        case.resolution_method = ResolutionMethod.ORAL
        case.promise_on = plan.oral_on
        case.observation_last_day = observation_last_day(plan.oral_on)
        self._move(
            replay,
            Event.ORAL_PROMISE,
            f"信访人口头承诺息诉罢访，观察期至{case.observation_last_day}",
            ["resolution_method", "promise_on", "observation_last_day"],
            now,
        )

    # --- people and accounts --------------------------------------------------------------

    def _load_contacts(self, court_ids: set[int]) -> None:
        """`services._base._court_contacts` of each court not yet asked: its petition
        contacts (persons), in the services' order, remembered for the whole import (a
        sheet's cases go to a few courts). One query for a batch's new courts."""
        missing = court_ids - self._contacts.keys()
        if not missing:
            return
        for court_id in missing:
            self._contacts[court_id] = []
        people = Person.objects.filter(
            court_id__in=missing, positions__kind=PositionKind.PETITION_CONTACT
        )
        for court_id, pk in people.values_list("court_id", "pk"):
            self._contacts[court_id].append(pk)

    def _court_contacts(self, court_id: int) -> list[int]:
        return self._contacts[court_id]  # loaded before the replay (`_ready_to_stream`)

    def _lookup_people(self, replays: list[_Replay]) -> None:
        """The accounts behind every notified person and the judges named in the original
        cases, with two queries for the batch."""
        persons = {pk for r in replays for people, _k, _t in r.notices for pk in people}
        missing = persons - set(self._accounts)
        for pk in missing:
            self._accounts[pk] = []
        users = User.objects.filter(person_id__in=missing, is_active=True).order_by("pk")
        for user_id, person_id, email in users.values_list("pk", "person_id", "email"):
            self._accounts[person_id].append((user_id, email))
        wanted = {
            (o.court_id, o.trial_judge_name)
            for r in replays
            for o in r.originals
            if o.court_id is not None and o.trial_judge_name
        } - set(self._judges)
        for key in wanted:
            self._judges[key] = None
        if wanted:
            judges = Person.objects.filter(
                court_id__in={c for c, _n in wanted}, name__in={n for _c, n in wanted}
            ).order_by("court", "id")  # Person's ordering: `.first()` in the services
            for pk, court_id, name in judges.values_list("pk", "court_id", "name"):
                if (court_id, name) in wanted and self._judges[(court_id, name)] is None:
                    self._judges[(court_id, name)] = pk

    def _add_rows(self, replay: _Replay, now: dt.datetime) -> None:
        """The rows of the case's petitioners, originals, visits and notifications (the
        case and its events are streamed)."""
        writer, case = self.writer, replay.case
        seen: set[int] = set()
        for petitioner in replay.petitioners:
            writer.add_object(Petitioner, petitioner)
            if petitioner.pk not in seen:
                seen.add(petitioner.pk)
                writer.add(Through, {"petitioncase_id": case.pk, "petitioner_id": petitioner.pk})
        for original in replay.originals:
            original.case_id = case.pk
            key = (original.court_id, original.trial_judge_name)
            original.trial_judge_id = self._judges.get(key) if original.court_id else None
            writer.add_object(OriginalCase, original)
        for visit in replay.visits:
            visit.case_id = case.pk
            writer.add_object(Visit, visit)
        for event in replay.events:
            event.update(
                at=now,
                actor=self.actor,
                object_type="cases.petitioncase",
                object_id=case.pk,
                case_id=case.pk,
            )
        for people, kind, text in replay.notices:
            accounts = [a for pk in dict.fromkeys(people) for a in self._accounts.get(pk, [])]
            for user_id, _email in dict.fromkeys(accounts):
                writer.add(
                    Notification,
                    {
                        "recipient_id": user_id,
                        "case_id": case.pk,
                        "kind": kind,
                        "text": text,
                        "created_at": now,
                        "read_at": None,
                    },
                )
            addresses = [email for _u, email in dict.fromkeys(accounts) if email]
            if addresses:
                self.mails.append((f"【化解】{kind.label}：{case.ledger_no}", text, addresses))


def _send_all(mails: list[tuple[str, str, list[str]]]) -> None:
    for subject, body, addresses in mails:
        send_notification_mail(subject, body, addresses)
