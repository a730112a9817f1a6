"""A property-based state machine over the life of petition cases (R5, R6, R9-R12).

Hypothesis drives 2-4 cases of a small staffed province (tests/cases/world.py) through every
write a case page offers: allocation, the team, the major flag, the leader's activity, the
three resolution standards, visits, acceptance, escalation and guidance, with a simulated
clock that only moves forward and the daily tick. Every rule acts the way a view does: it
asks the policy (`can(user, action, case)`) first. When the policy refuses, the service is
not called for that user; and if the case's state forbids the action too, the service is
called anyway and must refuse by itself (state checks are the services' job, permissions
the policy's). Each step is compared with a model of what the requirements say should
happen, and the invariants below are checked against the database after every step.

Each example runs inside a savepoint that is rolled back afterwards, with its own world,
so examples never see each other's rows.

Running longer: the default run is 25 examples of up to 30 steps. Set
``HUAJIE_SM_PROFILE=long`` (200 x 50) or ``HUAJIE_SM_PROFILE=soak`` (1000 x 80), or set
``HUAJIE_SM_EXAMPLES`` / ``HUAJIE_SM_STEPS`` directly, e.g.::

    HUAJIE_SM_PROFILE=long .venv/bin/pytest tests/cases/test_state_machine.py -q

Known bugs: the checks marked ``BUG(...)`` assert what the requirements say and fail until
the services are fixed. To look past them in a long run, list their ids in
``HUAJIE_SM_TOLERATE`` (comma-separated, or ``all``); the machine then avoids the steps
that trigger them instead of asserting them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from huajie.accounts.models import User
from huajie.accounts.policy import Action, can
from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases import services
from huajie.cases.eligibility import TEAM_ROLES, member_refusal
from huajie.cases.models import (
    AcceptanceRequest,
    ActivityKind,
    AllocationRule,
    Attachment,
    AttachmentPurpose,
    CaseStatus,
    Decision,
    EscalationRequest,
    Guidance,
    LeaderActivity,
    Notification,
    PetitionCase,
    ResolutionMethod,
    Visit,
    VisitLevel,
)
from huajie.cases.periods import observation_last_day
from huajie.cases.transitions import Refused
from huajie.core import clock
from huajie.courts.models import Court
from tests.cases.world import PDF, Staff, World, build_world, case_in

S = CaseStatus

# --- run size -------------------------------------------------------------------------------

PROFILES = {"default": (25, 30), "long": (200, 50), "soak": (1000, 80)}
_profile = PROFILES[os.environ.get("HUAJIE_SM_PROFILE", "default")]
EXAMPLES = int(os.environ.get("HUAJIE_SM_EXAMPLES", _profile[0]))
STEPS = int(os.environ.get("HUAJIE_SM_STEPS", _profile[1]))

# --- known bugs (see the module docstring) ---------------------------------------------------

_TOLERATED = {t.strip() for t in os.environ.get("HUAJIE_SM_TOLERATE", "").split(",") if t}


def tolerated(bug: str) -> bool:
    return "all" in _TOLERATED or bug in _TOLERATED


# --- the spec's own arithmetic, written independently of the code under test ---------------

RESOLUTION_STATUSES = (S.IN_RESOLUTION, S.OBSERVATION, S.MET_STANDARD, S.SUBMITTED, S.ACCEPTED)
STANDARD_MET = (S.MET_STANDARD, S.SUBMITTED, S.ACCEPTED)
ESCALATABLE = (S.UNALLOCATED, S.ALLOCATED, S.IN_RESOLUTION, S.OBSERVATION)
NOMINAL_DAYS = 30
START = dt.datetime(2019, 3, 1, 9, 0)


def one_year_later(day: dt.date) -> dt.date:
    """R9.2 as periods.py documents it: the same day a year later, or the month's last day."""
    last = calendar.monthrange(day.year + 1, day.month)[1]
    return dt.date(day.year + 1, day.month, min(day.day, last))


def has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


# Who may hold which team place (R5, R6), by the attribute of `Staff` the person is.
LEADERS_BELOW_HIGH = {"president", "leader", "committee"}
LEADERS_AT_HIGH = LEADERS_BELOW_HIGH | {"leader_outside_quota"}
MEMBER_ATTRS = {
    "division_leader": {"division_leader"},
    "staff": {"staff", "judge"},
    "petition_contact": {"contact"},
}
PERSON_ATTRS = (
    "president",
    "leader",
    "leader_outside_quota",
    "committee",
    "division_leader",
    "staff",
    "judge",
    "contact",
)
STAFFED = ("high", "jinan", "lixia", "shinan")
ACCOUNTS = ("office", "leader_user", "president_user", "judge_user")

# Acting users. Relative ones are resolved against the case (its own petition office, its
# leader's account, the reviewing/superior court's office or leader); absolute ones include
# those who must be refused: another city's office, a supervisor, a judge, the province.
RELATIVE_USERS = ("@office", "@leader", "@superior", "@superior_leader")
ABSOLUTE_USERS = (
    "province",
    "shinan.office",
    "jinan.office",
    "lixia.judge_user",
    "lixia.office",
    "lixia.leader_user",
    "lixia.president_user",
    "jinan.leader_user",
    "jinan.president_user",
    "jinan.judge_user",
    "high.leader_user",
    "high.president_user",
    "high.judge_user",
    "shinan.leader_user",
    "shinan.president_user",
    "shinan.judge_user",
)
users = st.one_of(st.sampled_from(RELATIVE_USERS), st.sampled_from(ABSOLUTE_USERS))


@dataclass
class Expect:
    """What the requirements say one case should look like now."""

    kind: str  # lixia | major | shinan | manual: decides what allocation by the rules does
    status: str
    court_id: int
    team: dict[str, int | None]
    is_major: bool
    method: str = ""
    promise_on: dt.date | None = None
    last_day: dt.date | None = None
    met_on: dt.date | None = None
    accepted_on: dt.date | None = None
    reviewed_on: dt.date | None = None
    filed_on: dt.date | None = None
    handover_on: dt.date | None = None
    handover_department: str = ""
    reopen_count: int = 0
    return_count: int = 0
    pending_acceptance: bool = False
    pending_escalation_to: int | None = None
    leader_since: dt.date | None = None  # when the current leader took the case
    visits: dict[int, bool] = field(default_factory=dict)  # visit id -> reopened_case

    def clear_team(self) -> None:
        self.team = dict.fromkeys(TEAM_ROLES)
        self.leader_since = None


@dataclass
class Outcome:
    """A prediction: refused (with why, for the failure message), or what success does."""

    refused: str | None = None
    apply: Callable[[], None] = lambda: None
    skip: bool = False  # a tolerated known bug would be triggered: do nothing


def refuse(why: str) -> Outcome:
    return Outcome(refused=why)


class CaseLifeMachine(RuleBasedStateMachine):
    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = timezone.make_aware(START)
        with clock.travel(self.now):
            self.world: World = build_world()
        w = self.world
        self.staff: dict[str, Staff] = {
            "high": w.high,
            "jinan": w.jinan,
            "lixia": w.lixia,
            "shinan": w.shinan,
        }
        self.courts: dict[str, Court] = {
            name: getattr(w.tree, name)
            for name in ("high", "jinan", "lixia", "shizhong", "qingdao", "shinan", "xuanwu")
        }
        self.court_by_id = {c.pk: c for c in self.courts.values()}
        self.staff_by_court = {s.court.pk: s for s in self.staff.values()}
        # person id -> (court id, attribute of Staff)
        self.person: dict[int, tuple[int, str]] = {}
        for s in self.staff.values():
            for attr in PERSON_ATTRS:
                self.person[getattr(s, attr).pk] = (s.court.pk, attr)
        self.model: dict[int, Expect] = {}
        self.pks: list[int] = []
        self.seen: dict[int, tuple[int, int]] = {}  # pk -> (version, audit events)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    @contextmanager
    def moment(self) -> Iterator[None]:
        """Every step happens a second after the last, so timestamps are strictly ordered."""
        self.now += dt.timedelta(seconds=1)
        with clock.travel(self.now):
            yield

    def fresh(self, pk: int) -> PetitionCase:
        return PetitionCase.objects.select_related("court", "court__parent").get(pk=pk)

    def parent_id(self, court_id: int) -> int | None:
        parent = self.court_by_id[court_id].parent_id
        return parent

    def user(self, key: str, case: PetitionCase) -> User:
        w = self.world
        own = self.staff_by_court.get(case.court_id)
        superior_id = case.court.parent_id or case.court_id
        superior = self.staff_by_court.get(superior_id)
        if key == "@office":
            return own.office if own else w.province_office
        if key == "@leader":
            account = User.objects.filter(person_id=case.leader_id).first()
            if account is not None:
                return account
            return own.leader_user if own else w.province_office
        if key == "@superior":
            return superior.office if superior else w.province_office
        if key == "@superior_leader":
            return superior.leader_user if superior else w.province_office
        if key == "province":
            return w.province_office
        court, account = key.split(".")
        return getattr(self.staff[court], account)

    def eligible(self, role: str, person_id: int, e: Expect) -> bool:
        court_id, attr = self.person[person_id]
        if court_id != e.court_id:
            return False
        if role == "leader":
            if e.is_major:
                return attr == "president"
            at_high = self.court_by_id[e.court_id].parent_id is None
            return attr in (LEADERS_AT_HIGH if at_high else LEADERS_BELOW_HIGH)
        return attr in MEMBER_ATTRS[role]

    def is_president(self, person_id: int | None) -> bool:
        return person_id is not None and self.person[person_id][1] == "president"

    def snapshot(self) -> dict[int, dict[str, Any]]:
        """Every field of every case and what hangs below it (invariant 4)."""
        shot = {}
        for pk in self.pks:
            shot[pk] = {
                "row": PetitionCase.objects.filter(pk=pk).values().get(),
                "visits": list(Visit.objects.filter(case_id=pk).values_list("id", "reopened_case")),
                "attachments": Attachment.objects.filter(case_id=pk).count(),
                "acceptance": list(
                    AcceptanceRequest.objects.filter(case_id=pk).values_list("id", "decision")
                ),
                "escalations": list(
                    EscalationRequest.objects.filter(case_id=pk).values_list("id", "decision")
                ),
                "guidance": Guidance.objects.filter(case_id=pk).count(),
                "activities": LeaderActivity.objects.filter(case_id=pk).count(),
                "notifications": Notification.objects.filter(case_id=pk).count(),
                "audit": AuditEvent.objects.filter(case_id=pk).count(),
                "petitioners": list(
                    PetitionCase.petitioners.through.objects.filter(
                        petitioncase_id=pk
                    ).values_list("petitioner_id", flat=True)
                ),
            }
        return shot

    def attempt(
        self,
        pk: int,
        user_key: str,
        action: Action,
        predict: Callable[[PetitionCase, User], Outcome],
        call: Callable[[PetitionCase, User], Any],
    ) -> Any:
        """Ask the policy as a view would, then call the service (or not) and check."""
        with self.moment():
            case = self.fresh(pk)
            user = self.user(user_key, case)
            outcome = predict(case, user)
            if outcome.skip:
                return None
            before = self.snapshot()
            if not can(user, action, case):
                # The view stops here (403/404): nothing may have changed.
                assert self.snapshot() == before
                if outcome.refused is None:
                    return None  # the service would do it: permissions are the policy's job
                # The state forbids it as well: the service must refuse on its own.
                self.expect_refused(outcome, before, lambda: call(self.fresh(pk), user))
                return None
            if outcome.refused is not None:
                self.expect_refused(outcome, before, lambda: call(self.fresh(pk), user))
                return None
            try:
                result = call(case, user)
            except Refused as exc:  # pragma: no cover - reported by the assertion
                raise AssertionError(f"expected success, service refused: {exc}") from exc
            outcome.apply()
            return result

    def expect_refused(self, outcome: Outcome, before: Any, call: Callable[[], Any]) -> None:
        try:
            call()
        except Refused as exc:
            assert has_chinese(str(exc)), f"refusal is not in Chinese: {exc!r}"
        else:
            raise AssertionError(f"the service accepted what it must refuse: {outcome.refused}")
        assert self.snapshot() == before, f"a refused action changed data: {outcome.refused}"

    def escalate(self, e: Expect, to_court_id: int) -> None:
        e.court_id = to_court_id
        e.clear_team()
        e.status = S.ALLOCATED
        e.method, e.promise_on, e.last_day = "", None, None

    # --- cases ----------------------------------------------------------------------------

    def make_case(self, kind: str, status: str) -> int:
        if kind == "manual":
            status = S.UNALLOCATED  # no rule finds a court for it
        if kind == "shinan" and status == S.ACCEPTED:
            status = S.SUBMITTED  # its reviewing court (青岛中院) has no staff in the world
        options: dict[str, Any] = {
            "lixia": {},
            "major": {"is_major": True},
            "shinan": {"number": "", "domicile": "山东省青岛市市南区香港中路1号"},
            "manual": {"number": "", "domicile": "北京市朝阳区建国路1号"},
        }[kind]
        with self.moment():
            case = case_in(self.world, CaseStatus(status), **options)
        case = self.fresh(case.pk)
        assert case.status == status
        e = Expect(
            kind=kind,
            status=status,
            court_id=case.court_id,
            team={role: getattr(case, f"{role}_id") for role in TEAM_ROLES},
            is_major=case.is_major,
            method=case.resolution_method,
            promise_on=case.promise_on,
            last_day=case.observation_last_day,
            met_on=case.met_standard_on,
            accepted_on=case.accepted_on,
            pending_acceptance=status == S.SUBMITTED,
            leader_since=self.today if case.leader_id else None,
            visits={v.pk: v.reopened_case for v in case.visits.all()},
        )
        self.model[case.pk] = e
        self.pks.append(case.pk)
        self.seen[case.pk] = (case.version, AuditEvent.objects.filter(case_id=case.pk).count())
        return case.pk

    kinds = st.sampled_from(["lixia", "shinan", "major", "manual"])
    statuses = st.sampled_from(list(CaseStatus.values))

    @initialize(target=cases, first=st.tuples(kinds, statuses), second=st.tuples(kinds, statuses))
    def two_cases(self, first: tuple[str, str], second: tuple[str, str]) -> Any:
        return multiple(self.make_case(*first), self.make_case(*second))

    @precondition(lambda self: len(self.pks) < 4)
    @rule(target=cases, kind=kinds, status=statuses)
    def another_case(self, kind: str, status: str) -> int:
        return self.make_case(kind, status)

    # --- allocation (R4) ------------------------------------------------------------------

    @rule(
        pk=cases,
        who=users,
        mode=st.sampled_from(
            [
                "rules",
                "manual:lixia",
                "manual:shinan",
                "manual:jinan",
                "manual:high",
                "manual:shizhong",
                "noreason:lixia",
                "manual:xuanwu",
            ]
        ),
    )
    def allocate(self, pk: int, who: str, mode: str) -> None:
        e = self.model[pk]
        how, _, court_name = mode.partition(":")
        court = self.courts[court_name] if court_name else None

        def predict(case: PetitionCase, user: User) -> Outcome:
            if how == "rules":
                rule_court = {
                    "lixia": "lixia",
                    "major": "lixia",
                    "shinan": "shinan",
                    "manual": None,
                }[e.kind]
                if rule_court is None:
                    return refuse("no rule finds a court and none was named")
                target = self.courts[rule_court].pk
            else:
                assert court is not None
                if how == "noreason":
                    return refuse("a manual allocation needs a reason")
                if court.root_path() != self.courts["high"].root_path():
                    return refuse("the court must be in the province")
                target = court.pk
            if e.status not in (S.UNALLOCATED, S.ALLOCATED):
                return refuse(f"allocation from {e.status}")
            moved = target != e.court_id
            if moved and e.pending_escalation_to is not None and tolerated("stale-escalation"):
                return Outcome(skip=True)

            def apply() -> None:
                if moved and e.status == S.ALLOCATED:
                    e.clear_team()
                e.court_id = target
                e.status = S.ALLOCATED

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            if how == "rules":
                return services.case_allocate(actor=user, case=case)
            reason = "" if how == "noreason" else "上级指定"
            return services.case_allocate(actor=user, case=case, court=court, reason=reason)

        self.attempt(pk, who, Action.CASE_ALLOCATE, predict, call)

    # --- the team (R5, R6) ----------------------------------------------------------------

    @rule(
        pk=cases,
        who=users,
        variant=st.sampled_from(
            [
                "full",
                "full_president",
                "full_committee",
                "partial",
                "outside_quota",
                "foreign",
                "wrong_position",
                "swap_leader",
                "remove",
            ]
        ),
        roles=st.sets(st.sampled_from(list(TEAM_ROLES)), min_size=1, max_size=3),
    )
    def assign_team(self, pk: int, who: str, variant: str, roles: set[str]) -> None:
        e = self.model[pk]
        s = self.staff_by_court.get(e.court_id, self.world.lixia)
        other = self.world.shinan if s is not self.world.shinan else self.world.lixia
        team = {
            "leader": s.president if e.is_major else s.leader,
            "division_leader": s.division_leader,
            "staff": s.staff,
            "petition_contact": s.contact,
        }
        members: dict[str, Any]
        if variant == "full":
            members = {**team, "leader": s.leader}  # the non-president on a major case
        elif variant == "full_president":
            members = {**team, "leader": s.president}
        elif variant == "full_committee":
            members = {**team, "leader": s.committee}
        elif variant == "partial":
            members = {role: team[role] for role in sorted(roles)}
        elif variant == "outside_quota":
            members = {**team, "leader": s.leader_outside_quota}
        elif variant == "foreign":
            role = sorted(roles)[0]
            members = {**team, role: other.team[role]}
        elif variant == "wrong_position":
            members = {**team, "petition_contact": s.judge}
        elif variant == "swap_leader":
            current = e.team["leader"]
            pick = s.committee if current != s.committee.pk else s.president
            members = {"leader": s.president if e.is_major else pick}
        else:
            members = {sorted(roles)[0]: None}
        ids = {role: (p.pk if p is not None else None) for role, p in members.items()}

        def predict(case: PetitionCase, user: User) -> Outcome:
            if e.status == S.UNALLOCATED:
                return refuse("no team before allocation")
            if e.status == S.SUBMITTED:
                return refuse("no team change while under review")
            for role, person_id in ids.items():
                if person_id is not None and not self.eligible(role, person_id, e):
                    return refuse(f"{role} {self.person[person_id]} is not eligible")
            new_team = {**e.team, **ids}
            complete = all(v is not None for v in new_team.values())
            if not complete and e.status in (S.OBSERVATION, S.MET_STANDARD, S.ACCEPTED):
                # BUG(team-removal): R6 - a case past "in resolution" must keep its four
                # members; team_assign lets a member be removed and leaves e.g. an
                # observation case without a leader (see invariant 5).
                if tolerated("team-removal"):
                    return Outcome(skip=True)
                return refuse(f"removing a team member from a case in {e.status}")
            if (
                new_team["leader"] != e.team["leader"]
                and e.team["leader"] is not None
                and tolerated("nominal-new-leader")
            ):
                return Outcome(skip=True)

            def apply() -> None:
                if new_team["leader"] != e.team["leader"]:
                    e.leader_since = self.today if new_team["leader"] else None
                e.team = new_team
                if complete and e.status == S.ALLOCATED:
                    e.status = S.IN_RESOLUTION
                elif not complete and e.status == S.IN_RESOLUTION:
                    e.status = S.ALLOCATED

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.team_assign(actor=user, case=case, members=members)

        self.attempt(pk, who, Action.TEAM_ASSIGN, predict, call)

    @rule(pk=cases, who=users, value=st.booleans())
    def mark_major(self, pk: int, who: str, value: bool) -> None:
        e = self.model[pk]

        def predict(case: PetitionCase, user: User) -> Outcome:
            if value and e.team["leader"] is not None and not self.is_president(e.team["leader"]):
                return refuse("a major case must be led by the president (R5)")

            def apply() -> None:
                e.is_major = value

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.case_update_record(actor=user, case=case, changes={"is_major": value})

        self.attempt(pk, who, Action.CASE_EDIT, predict, call)

    @rule(pk=cases, who=users, days_ago=st.sampled_from([0, 1, 10, 40, -1]))
    def leader_activity(self, pk: int, who: str, days_ago: int) -> None:
        e = self.model[pk]
        day = self.today - dt.timedelta(days=days_ago)
        before = self.fresh(pk).leader_last_activity_on

        def predict(case: PetitionCase, user: User) -> Outcome:
            if e.team["leader"] is None:
                return refuse("no leader yet")
            if day > self.today:
                return refuse("an activity cannot be in the future")
            return Outcome()

        def call(case: PetitionCase, user: User) -> Any:
            return services.leader_activity_record(
                actor=user, case=case, happened_on=day, kind=ActivityKind.RECEPTION, summary="接访"
            )

        if self.attempt(pk, who, Action.LEADER_ACTIVITY, predict, call) is not None:
            case = self.fresh(pk)
            assert case.leader_last_activity_on == max(d for d in (before, day) if d is not None)
            assert not case.possibly_nominal

    # --- the three standards (R9) ---------------------------------------------------------

    def attachment(self, pk: int, purpose: AttachmentPurpose) -> Attachment:
        with self.moment():
            return services.attachment_add(
                actor=self.world.province_office,
                case=self.fresh(pk),
                purpose=purpose,
                name="承诺书.pdf",
                stream=io.BytesIO(PDF),
            )

    @rule(
        pk=cases,
        who=users,
        document=st.sampled_from(["promise", "promise", "other_purpose", "other_case"]),
        days_ago=st.sampled_from([0, 3, 30, -1]),
    )
    def written_promise(self, pk: int, who: str, document: str, days_ago: int) -> None:
        e = self.model[pk]
        others = [p for p in self.pks if p != pk]
        if document == "other_case" and not others:
            document = "other_purpose"
        doc = (
            self.attachment(others[0], AttachmentPurpose.PROMISE)
            if document == "other_case"
            else self.attachment(
                pk,
                AttachmentPurpose.PROMISE if document == "promise" else AttachmentPurpose.OTHER,
            )
        )
        day = self.today - dt.timedelta(days=days_ago)

        def predict(case: PetitionCase, user: User) -> Outcome:
            if document != "promise":
                return refuse("a written promise needs this case's signed promise")
            if day > self.today:
                return refuse("a promise cannot be in the future")
            if e.status not in (S.IN_RESOLUTION, S.OBSERVATION):
                return refuse(f"written promise from {e.status}")

            def apply() -> None:
                e.status = S.MET_STANDARD
                e.method = ResolutionMethod.WRITTEN
                e.promise_on, e.last_day, e.met_on = day, None, day

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.resolution_written(actor=user, case=case, promise_on=day, document=doc)

        self.attempt(pk, who, Action.CASE_WORK, predict, call)

    @rule(pk=cases, who=users, days_ago=st.sampled_from([0, 1, 30, 200, 366, -1]))
    def oral_promise(self, pk: int, who: str, days_ago: int) -> None:
        e = self.model[pk]
        day = self.today - dt.timedelta(days=days_ago)

        def predict(case: PetitionCase, user: User) -> Outcome:
            if day > self.today:
                return refuse("a promise cannot be in the future")
            if e.status != S.IN_RESOLUTION:
                return refuse(f"oral promise from {e.status}")

            def apply() -> None:
                e.status = S.OBSERVATION
                e.method = ResolutionMethod.ORAL
                e.promise_on, e.last_day = day, one_year_later(day)

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.resolution_oral(actor=user, case=case, promise_on=day)

        self.attempt(pk, who, Action.CASE_WORK, predict, call)

    @rule(
        pk=cases,
        who=users,
        step=st.sampled_from(["review", "filing", "handover", "handover_nobody", "bogus"]),
        days_ago=st.sampled_from([0, 5, -1]),
    )
    def termination(self, pk: int, who: str, step: str, days_ago: int) -> None:
        e = self.model[pk]
        day = self.today - dt.timedelta(days=days_ago)
        name = "handover" if step == "handover_nobody" else step
        department = "" if step == "handover_nobody" else "街道办事处"

        def predict(case: PetitionCase, user: User) -> Outcome:
            if step == "bogus":
                return refuse("unknown termination step")
            if e.status != S.IN_RESOLUTION:
                return refuse(f"termination from {e.status}")
            if day > self.today:
                return refuse("a step cannot be done in the future")
            if step == "filing" and e.reviewed_on is None:
                return refuse("filing before the review")
            if step == "handover_nobody":
                return refuse("a hand-over names the department")

            def apply() -> None:
                if step == "review":
                    e.reviewed_on = day
                elif step == "filing":
                    e.filed_on = day
                else:
                    e.handover_on, e.handover_department = day, department
                dates = (e.reviewed_on, e.filed_on, e.handover_on)
                if all(dates) and e.handover_department:
                    e.status = S.MET_STANDARD
                    e.method = ResolutionMethod.TERMINATION
                    e.met_on = max(d for d in dates if d)

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.termination_step(
                actor=user, case=case, step=name, done_on=day, department=department
            )

        self.attempt(pk, who, Action.CASE_WORK, predict, call)

    # --- visits (R9.2, R10) ---------------------------------------------------------------

    def visit_day(self, e: Expect, when: str) -> dt.date:
        today = self.today
        if when == "future":
            return today + dt.timedelta(days=1)
        if when == "long_ago":
            return dt.date(2018, 6, 1)
        if when == "in_window" and e.promise_on and e.last_day:
            middle = e.promise_on + (e.last_day - e.promise_on) / 2
            return min(middle, today)
        if when == "last_day" and e.last_day:
            return min(e.last_day, today)
        if when == "after_last_day" and e.last_day:
            return min(e.last_day + dt.timedelta(days=1), today)
        if when == "before_promise" and e.promise_on:
            return e.promise_on - dt.timedelta(days=1)
        if when == "before_met" and e.met_on:
            return e.met_on - dt.timedelta(days=1)
        if when == "on_met" and e.met_on:
            return min(e.met_on, today)
        return today

    @rule(
        pk=cases,
        who=users,
        level=st.sampled_from([VisitLevel.BEIJING, VisitLevel.PROVINCE, VisitLevel.LOCAL]),
        when=st.sampled_from(
            [
                "today",
                "in_window",
                "last_day",
                "after_last_day",
                "before_promise",
                "before_met",
                "on_met",
                "long_ago",
                "future",
            ]
        ),
    )
    def visit(self, pk: int, who: str, level: str, when: str) -> None:
        e = self.model[pk]
        day = self.visit_day(e, when)
        upward = level != VisitLevel.LOCAL

        def effect() -> str:
            """What R9.2 and R10 say the visit does: nothing, back to resolution, reopen."""
            if not upward:
                return "none"
            if e.status == S.OBSERVATION:
                assert e.promise_on and e.last_day
                if e.promise_on <= day <= e.last_day:
                    return "back"
                if day > e.last_day:
                    # The year passed without a visit, so the case met the standard on the
                    # day after the last day "by itself" (R9.2), whether or not the daily
                    # tick has run yet; this visit comes after that: a re-petition (R10).
                    return "reopen"
                return "none"
            if e.status in STANDARD_MET:
                assert e.met_on
                if day >= e.met_on:
                    return "reopen"
                if e.method == ResolutionMethod.ORAL and e.promise_on and e.last_day:
                    if e.promise_on <= day <= e.last_day:
                        return "back"  # a visit inside the window, recorded late
                # A visit from before the standard was met is history, not a re-petition.
                return "none"
            return "none"

        def predict(case: PetitionCase, user: User) -> Outcome:
            if day > self.today:
                return refuse("a visit cannot be in the future")
            what = effect()
            impl_reopens = upward and e.status in STANDARD_MET
            if (
                e.status in STANDARD_MET
                and what != "reopen"
                and impl_reopens
                and tolerated("visit-date-ignored")
            ):
                return Outcome(skip=True)
            if e.status == S.OBSERVATION and what == "reopen" and tolerated("visit-before-tick"):
                return Outcome(skip=True)

            def apply() -> None:
                if what == "none":
                    return
                if what == "reopen":
                    e.reopen_count += 1
                e.status = S.IN_RESOLUTION
                e.method, e.met_on, e.accepted_on = "", None, None
                e.promise_on = e.last_day = None
                e.pending_acceptance = False

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.visit_record(
                actor=user,
                case=case,
                data=services.VisitInput(visited_on=day, level=level, receiving_body="国家信访局"),
            )

        status_before = e.status
        created = self.attempt(pk, who, Action.CASE_EDIT, predict, call)
        if created is not None:
            e.visits[created.pk] = effect_of(status_before, e)
            created.refresh_from_db()
            # BUG(visit-date-ignored) / BUG(visit-before-tick) show up here first.
            assert created.reopened_case == e.visits[created.pk], (
                f"{level} visit dated {day} on a case that was {status_before}: "
                f"reopened_case={created.reopened_case}, the requirements say "
                f"{e.visits[created.pk]}"
            )

    # --- acceptance (R11) -----------------------------------------------------------------

    @rule(pk=cases, who=users, evidence=st.sampled_from(["none", "own", "foreign"]))
    def submit(self, pk: int, who: str, evidence: str) -> None:
        e = self.model[pk]
        if evidence == "own":
            files = list(Attachment.objects.filter(case_id=pk)[:1])
        elif evidence == "foreign":
            files = list(Attachment.objects.exclude(case_id=pk)[:1])
        else:
            files = []

        def predict(case: PetitionCase, user: User) -> Outcome:
            if e.status != S.MET_STANDARD:
                return refuse(f"submission from {e.status}")
            if evidence == "foreign" and files:
                return refuse("evidence of another case")

            def apply() -> None:
                e.status = S.SUBMITTED
                e.pending_acceptance = True

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.acceptance_submit(actor=user, case=case, note="申请验收", evidence=files)

        request = self.attempt(pk, who, Action.ACCEPTANCE_SUBMIT, predict, call)
        if request is not None:
            court = self.court_by_id[e.court_id]
            assert request.reviewing_court_id == (court.parent_id or court.pk)

    @rule(pk=cases, who=users, accept=st.booleans(), reason=st.sampled_from(["", "材料不全"]))
    def decide(self, pk: int, who: str, accept: bool, reason: str) -> None:
        e = self.model[pk]
        request = AcceptanceRequest.objects.filter(case_id=pk).order_by("-pk").first()
        if request is None:
            return

        def predict(case: PetitionCase, user: User) -> Outcome:
            if not e.pending_acceptance:
                return refuse("no pending acceptance request")
            if not accept and not reason:
                return refuse("a return needs its reason")

            def apply() -> None:
                e.pending_acceptance = False
                if accept:
                    e.status, e.accepted_on = S.ACCEPTED, self.today
                else:
                    e.status = S.IN_RESOLUTION
                    e.return_count += 1
                    e.method, e.met_on, e.promise_on, e.last_day = "", None, None, None

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.acceptance_decide(
                actor=user, request=request, accept=accept, reason=reason
            )

        self.attempt(pk, who, Action.ACCEPTANCE_DECIDE, predict, call)

    # --- escalation and guidance (R12) ----------------------------------------------------

    @rule(pk=cases, who=users, reason=st.sampled_from(["", "案情复杂，本院难以化解"]))
    def request_escalation(self, pk: int, who: str, reason: str) -> None:
        e = self.model[pk]
        parent = self.parent_id(e.court_id)

        def predict(case: PetitionCase, user: User) -> Outcome:
            if parent is None:
                return refuse("the high court has no superior")
            if e.status not in ESCALATABLE:
                return refuse(f"escalation from {e.status}")
            if not reason:
                return refuse("an escalation request needs a reason")
            if e.pending_escalation_to is not None:
                return refuse("one pending escalation request at a time")

            def apply() -> None:
                e.pending_escalation_to = parent

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.escalation_request(actor=user, case=case, reason=reason)

        self.attempt(pk, who, Action.ESCALATION_REQUEST, predict, call)

    @rule(pk=cases, who=users, approve=st.booleans(), note=st.sampled_from(["", "同意"]))
    def decide_escalation(self, pk: int, who: str, approve: bool, note: str) -> None:
        e = self.model[pk]
        request = EscalationRequest.objects.filter(case_id=pk).order_by("-pk").first()
        if request is None:
            return
        if e.pending_escalation_to is not None:
            request = EscalationRequest.objects.get(case_id=pk, decision=Decision.PENDING)

        def predict(case: PetitionCase, user: User) -> Outcome:
            to = e.pending_escalation_to
            if to is None:
                return refuse("no pending escalation request")
            if not approve and not note:
                return refuse("declining needs a note")
            if approve and e.status not in ESCALATABLE:
                return refuse(f"escalation from {e.status}")

            def apply() -> None:
                e.pending_escalation_to = None
                if approve:
                    self.escalate(e, to)

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.escalation_decide(
                actor=user, request=request, approve=approve, note=note
            )

        self.attempt(pk, who, Action.ESCALATION_DECIDE, predict, call)

    @rule(pk=cases, who=users, reason=st.sampled_from(["", "上级法院决定提级"]))
    def take_up(self, pk: int, who: str, reason: str) -> None:
        e = self.model[pk]
        parent = self.parent_id(e.court_id)

        def predict(case: PetitionCase, user: User) -> Outcome:
            if parent is None:
                return refuse("the high court has no superior")
            if not reason:
                return refuse("taking a case up needs a reason")
            if e.status not in ESCALATABLE:
                return refuse(f"escalation from {e.status}")
            if e.pending_escalation_to is not None and tolerated("stale-escalation"):
                return Outcome(skip=True)

            def apply() -> None:
                # The case is escalated: a request still pending for it is settled by this
                # (R12). BUG(stale-escalation): the service leaves it pending (invariant 6).
                e.pending_escalation_to = None
                self.escalate(e, parent)

            return Outcome(apply=apply)

        def call(case: PetitionCase, user: User) -> Any:
            return services.case_take_up(actor=user, case=case, reason=reason)

        self.attempt(pk, who, Action.ESCALATION_DECIDE, predict, call)

    @rule(pk=cases, who=users, text=st.sampled_from(["", "请尽快组织听证"]))
    def guidance(self, pk: int, who: str, text: str) -> None:
        def predict(case: PetitionCase, user: User) -> Outcome:
            own = user.court
            if own is None or own.pk == case.court_id or not case.court.is_within(own):
                return refuse("only a superior court gives guidance")
            if not text:
                return refuse("guidance needs a text")
            return Outcome()

        def call(case: PetitionCase, user: User) -> Any:
            return services.guidance_add(actor=user, case=case, text=text)

        self.attempt(pk, who, Action.GUIDANCE, predict, call)

    # --- time (R8, R9.2) ------------------------------------------------------------------

    @rule(
        step=st.sampled_from(["1", "29", "31", "90", "365", "366", "obs_last", "obs_after"]),
        run_tick=st.sampled_from([True, True, True, False]),
    )
    def advance(self, step: str, run_tick: bool) -> None:
        target = self.today + dt.timedelta(days=1)
        if step.isdigit():
            target = self.today + dt.timedelta(days=int(step))
        else:
            ends = sorted(e.last_day for e in self.model.values() if e.status == S.OBSERVATION)
            extra = 0 if step == "obs_last" else 1
            later = [d + dt.timedelta(days=extra) for d in ends if d]
            later = [d for d in later if d > self.today]
            if later:
                target = later[0]
        self.now = clock.start_of_day(target) + dt.timedelta(hours=9)
        if run_tick:
            self.run_tick()

    @rule()
    def tick_today(self) -> None:
        self.run_tick()

    def run_tick(self) -> None:
        flagged_before = dict(
            PetitionCase.objects.filter(pk__in=self.pks).values_list("pk", "possibly_nominal")
        )
        with self.moment():
            services.tick(as_of=self.today)
        for e in self.model.values():
            if e.status == S.OBSERVATION and e.last_day and e.last_day < self.today:
                e.status = S.MET_STANDARD
                e.met_on = e.last_day + dt.timedelta(days=1)
        cutoff = self.today - dt.timedelta(days=NOMINAL_DAYS)
        for case in PetitionCase.objects.filter(pk__in=self.pks):
            if case.possibly_nominal and not flagged_before[case.pk]:
                e = self.model[case.pk]
                assert case.status in (S.IN_RESOLUTION, S.OBSERVATION)
                last = case.leader_last_activity_on
                assert last is None or last <= cutoff
                # BUG(nominal-new-leader): R8 - a leader is "nominal" after N days without
                # activity; a leader who took the case less than N days ago is flagged
                # because tick measures from team_since, which a new leader does not reset.
                assert e.leader_since is not None and e.leader_since <= cutoff, (
                    f"case {case.ledger_no} flagged as nominal on {self.today}: its leader "
                    f"took the case on {e.leader_since} (team_since {case.team_since})"
                )

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def matches_the_model(self) -> None:
        for pk in self.pks:
            e, c = self.model[pk], self.fresh(pk)
            where = f"case {c.ledger_no} ({e.kind})"
            assert c.status == e.status, f"{where}: status {c.status}, expected {e.status}"
            assert c.court_id == e.court_id, f"{where}: court {c.court}"
            team = {role: getattr(c, f"{role}_id") for role in TEAM_ROLES}
            assert team == e.team, f"{where}: team {team}, expected {e.team}"
            assert c.is_major == e.is_major
            assert c.resolution_method == e.method, f"{where}: method {c.resolution_method!r}"
            assert c.met_standard_on == e.met_on, f"{where}: met_standard_on {c.met_standard_on}"
            assert c.accepted_on == e.accepted_on
            assert c.reopen_count == e.reopen_count, f"{where}: reopen_count {c.reopen_count}"
            assert c.return_count == e.return_count
            if e.status == S.OBSERVATION or e.method == ResolutionMethod.ORAL:
                assert c.promise_on == e.promise_on
                assert c.observation_last_day == e.last_day
            assert c.termination_reviewed_on == e.reviewed_on
            assert c.termination_filed_on == e.filed_on
            assert c.handover_on == e.handover_on
            pending = c.acceptance_requests.filter(decision=Decision.PENDING).exists()
            assert pending == e.pending_acceptance, f"{where}: pending acceptance {pending}"
            escalation = c.escalations.filter(decision=Decision.PENDING).first()
            to = escalation.to_court_id if escalation else None
            assert to == e.pending_escalation_to, f"{where}: pending escalation to {to}"
            for visit_id, reopened in Visit.objects.filter(case_id=pk).values_list(
                "id", "reopened_case"
            ):
                assert reopened == e.visits.get(visit_id, False)

    @invariant()
    def resolved_exactly_when_accepted_and_not_reopened_since(self) -> None:
        """1. R10, R11."""
        for pk in self.pks:
            case = self.fresh(pk)
            last_reopening = Visit.objects.filter(case_id=pk, reopened_case=True).aggregate(
                at=Max("recorded_at")
            )["at"]
            accepted = AcceptanceRequest.objects.filter(case_id=pk, decision=Decision.ACCEPTED)
            if last_reopening is not None:
                accepted = accepted.filter(decided_at__gt=last_reopening)
            assert case.is_resolved == accepted.exists(), case.ledger_no

    @invariant()
    def one_responsible_court_and_a_known_status(self) -> None:
        """2. Every case has exactly one existing responsible court and a known status."""
        for pk in self.pks:
            case = PetitionCase.objects.get(pk=pk)
            assert case.court_id is not None
            assert Court.objects.filter(pk=case.court_id).exists()
            assert case.status in CaseStatus.values

    @invariant()
    def every_change_is_audited_and_the_chain_is_whole(self) -> None:
        """3. The version only grows, and never faster than the case's audit events."""
        for pk in self.pks:
            version = PetitionCase.objects.filter(pk=pk).values_list("version", flat=True).get()
            events = AuditEvent.objects.filter(case_id=pk).count()
            old_version, old_events = self.seen[pk]
            assert version >= old_version
            assert events - old_events >= version - old_version, (
                f"case {pk}: version +{version - old_version}, audit +{events - old_events}"
            )
            self.seen[pk] = (version, events)
        assert audit_verify() is None

    @invariant()
    def a_case_in_resolution_has_its_full_eligible_team(self) -> None:
        """5. R5, R6. From "in resolution" on, all four places are filled by people of the
        responsible court who may hold them. This holds for accepted cases too: a case can be
        escalated (and lose its team) only before it meets the standard, and a team cannot
        be changed while under review. (People leaving their posts would make an accepted
        case's historical team fail `member_refusal`; no rule here does that.)"""
        for pk in self.pks:
            case = self.fresh(pk)
            if case.status not in RESOLUTION_STATUSES:
                continue
            for role in TEAM_ROLES:
                person = getattr(case, role)
                assert person is not None, f"{case.ledger_no} is {case.status} without {role}"
                assert person.court_id == case.court_id
                assert member_refusal(role, person, case) is None

    @invariant()
    def at_most_one_pending_request_of_each_kind(self) -> None:
        """6. One pending acceptance (only while submitted, reviewed by the superior court),
        one pending escalation (from the case's court to its superior)."""
        for pk in self.pks:
            case = self.fresh(pk)
            pending = list(AcceptanceRequest.objects.filter(case_id=pk, decision="pending"))
            assert len(pending) <= 1
            assert bool(pending) == (case.status == S.SUBMITTED)
            escalations = list(EscalationRequest.objects.filter(case_id=pk, decision="pending"))
            assert len(escalations) <= 1
            for request in escalations:
                # BUG(stale-escalation): a request made for another court (the case was
                # re-allocated or taken up since) stays pending and can still be approved.
                assert request.from_court_id == case.court_id, (
                    f"{case.ledger_no}: pending escalation from {request.from_court} but the "
                    f"case is at {case.court}"
                )
                assert request.to_court_id == case.court.parent_id

    @invariant()
    def status_and_resolution_fields_agree(self) -> None:
        """7. R9, R11."""
        for pk in self.pks:
            case = PetitionCase.objects.get(pk=pk)
            if case.status == S.OBSERVATION:
                assert case.resolution_method == ResolutionMethod.ORAL
                assert case.promise_on is not None
                assert case.observation_last_day == one_year_later(case.promise_on)
            if case.status in STANDARD_MET:
                assert case.met_standard_on is not None
                assert case.resolution_method in ResolutionMethod.values
                assert case.resolution_method != ""
            else:
                assert case.met_standard_on is None
            if case.status == S.ACCEPTED:
                assert case.accepted_on is not None
            else:
                assert case.accepted_on is None
            if case.status in (S.UNALLOCATED, S.ALLOCATED, S.IN_RESOLUTION):
                assert case.resolution_method == ""
            if case.status != S.UNALLOCATED:
                assert case.allocation_rule in AllocationRule.values
                assert case.allocation_rule != ""


def effect_of(status_before: str, e: Expect) -> bool:
    """Whether the last visit reopened the case, read off the model after it was applied."""
    return status_before in (S.OBSERVATION, *STANDARD_MET) and e.status == S.IN_RESOLUTION


@pytest.mark.django_db
def test_case_life_state_machine(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    run_state_machine_as_test(
        CaseLifeMachine,
        settings=hsettings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


# --- boundaries by example (R9.2, periods.py) -----------------------------------------------


pytestmark_examples = pytest.mark.django_db


def _oral_case(world: World, promise_on: dt.date) -> PetitionCase:
    with clock.travel(promise_on):
        case = case_in(world, CaseStatus.IN_RESOLUTION)
        return services.resolution_oral(actor=world.lixia.office, case=case, promise_on=promise_on)


def _tick(day: dt.date) -> None:
    with clock.travel(day):
        services.tick(as_of=day)


def _visit(world: World, case: PetitionCase, day: dt.date, today: dt.date | None = None) -> Visit:
    with clock.travel(today or day):
        return services.visit_record(
            actor=world.lixia.office,
            case=case,
            data=services.VisitInput(visited_on=day, level=VisitLevel.PROVINCE),
        )


def _reload(case: PetitionCase) -> PetitionCase:
    return PetitionCase.objects.get(pk=case.pk)


def test_the_observation_year_counts_like_the_civil_code() -> None:
    assert observation_last_day(dt.date(2019, 3, 15)) == dt.date(2020, 3, 15)
    assert observation_last_day(dt.date(2020, 2, 29)) == dt.date(2021, 2, 28)
    assert observation_last_day(dt.date(2019, 2, 28)) == dt.date(2020, 2, 28)
    assert observation_last_day(dt.date(2019, 12, 31)) == dt.date(2020, 12, 31)


@pytest.mark.django_db
def test_on_the_last_day_of_observation_the_case_still_waits(world: World) -> None:
    case = _oral_case(world, dt.date(2019, 3, 15))
    assert case.observation_last_day == dt.date(2020, 3, 15)
    _tick(dt.date(2020, 3, 15))
    assert _reload(case).status == S.OBSERVATION


@pytest.mark.django_db
def test_a_province_visit_on_the_last_day_sends_the_case_back(world: World) -> None:
    case = _oral_case(world, dt.date(2019, 3, 15))
    _tick(dt.date(2020, 3, 15))
    visit = _visit(world, case, dt.date(2020, 3, 15))
    case = _reload(case)
    assert visit.reopened_case
    assert case.status == S.IN_RESOLUTION
    assert case.reopen_count == 0  # back to resolution, not a re-petition (R9.2, not R10)
    assert case.resolution_method == "" and case.observation_last_day is None
    _tick(dt.date(2020, 3, 16))
    assert _reload(case).status == S.IN_RESOLUTION


@pytest.mark.django_db
def test_the_day_after_the_last_day_the_case_meets_the_standard(world: World) -> None:
    case = _oral_case(world, dt.date(2019, 3, 15))
    _tick(dt.date(2020, 3, 16))
    case = _reload(case)
    assert case.status == S.MET_STANDARD
    assert case.met_standard_on == dt.date(2020, 3, 16)
    assert not case.is_resolved


@pytest.mark.django_db
def test_a_province_visit_after_the_standard_was_met_reopens_the_case(world: World) -> None:
    case = _oral_case(world, dt.date(2019, 3, 15))
    _tick(dt.date(2020, 3, 16))
    visit = _visit(world, case, dt.date(2020, 3, 16))
    case = _reload(case)
    assert visit.reopened_case
    assert case.status == S.IN_RESOLUTION
    assert case.reopen_count == 1
    assert case.met_standard_on is None


@pytest.mark.django_db
def test_a_local_visit_on_the_last_day_changes_nothing(world: World) -> None:
    case = _oral_case(world, dt.date(2019, 3, 15))
    with clock.travel(dt.date(2020, 3, 15)):
        services.visit_record(
            actor=world.lixia.office,
            case=case,
            data=services.VisitInput(visited_on=dt.date(2020, 3, 15), level=VisitLevel.LOCAL),
        )
    assert _reload(case).status == S.OBSERVATION


@pytest.mark.django_db
def test_a_promise_on_29_february_is_observed_through_28_february(world: World) -> None:
    case = _oral_case(world, dt.date(2020, 2, 29))
    assert case.observation_last_day == dt.date(2021, 2, 28)
    _tick(dt.date(2021, 2, 28))
    assert _reload(case).status == S.OBSERVATION
    _visit(world, case, dt.date(2021, 2, 28))
    assert _reload(case).status == S.IN_RESOLUTION


@pytest.mark.django_db
def test_a_promise_on_29_february_meets_the_standard_on_1_march(world: World) -> None:
    case = _oral_case(world, dt.date(2020, 2, 29))
    _tick(dt.date(2021, 2, 28))
    assert _reload(case).status == S.OBSERVATION
    _tick(dt.date(2021, 3, 1))
    case = _reload(case)
    assert case.status == S.MET_STANDARD
    assert case.met_standard_on == dt.date(2021, 3, 1)
