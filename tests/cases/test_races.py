"""Races (issue #8): two users act on one case at the same moment, on real parallel
connections. Exactly one wins where the actions exclude each other, the other is refused
with a clear Chinese message (409 through the API, a 400 page with the reason on the case
page, never a 500), nothing is lost, the audit chain stays
whole and the case's version counts its audited changes (R11, R10, R5, R19).

Each scenario is repeated HUAJIE_RACE_REPEATS times (default 20). Run on PostgreSQL with
`PGPORT_TEST=54341 scripts/with-postgres .venv/bin/pytest tests/cases/test_races.py`; on
SQLite the writers queue on the busy timeout (IMMEDIATE transactions) instead of failing with
"database is locked".
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases import services
from huajie.cases.models import (
    AcceptanceRequest,
    CaseStatus,
    Decision,
    PetitionCase,
    Visit,
    VisitLevel,
)
from huajie.cases.transitions import Refused
from huajie.core import clock
from tests.cases.world import World, case_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

REPEATS = int(os.environ.get("HUAJIE_RACE_REPEATS", "20"))
JOIN_SECONDS = 120

# Per scenario: repeats run and refusals seen, printed at the end (`pytest -s`) for the report.
TALLY: dict[str, Counter[str]] = {}


@pytest.fixture(scope="module", autouse=True)
def _print_tally() -> Iterator[None]:
    yield
    for name, tally in TALLY.items():
        print(f"\nraces: {name}: {dict(tally)}")


@dataclass
class Outcome:
    value: Any = None
    refused: Refused | None = None

    @property
    def won(self) -> bool:
        return self.refused is None


def race(*actions: Callable[[], Any]) -> list[Outcome]:
    """Run `actions` at once, each in its own thread with its own database connection,
    released together by a barrier. A Refused is an outcome; anything else fails the test."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[Outcome | None] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = Outcome(value=action())
        except Refused as exc:
            outcomes[index] = Outcome(refused=exc)
        except BaseException as exc:  # reported in the test's own thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    if errors:
        raise errors[0]
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None]


def tally(scenario: str, outcomes: list[Outcome]) -> None:
    counter = TALLY.setdefault(scenario, Counter())
    counter["repeats"] += 1
    counter["conflicts"] += sum(1 for outcome in outcomes if not outcome.won)


def assert_consistent(case_pk: int) -> PetitionCase:
    """The chain verifies, and every change to the case row has exactly one audit event:
    the version (1 at creation, +1 per save) equals the events about the case itself.
    (Events about its visits, original cases or attachments do not change the case row.)"""
    assert audit_verify() is None
    case = PetitionCase.objects.get(pk=case_pk)
    events = AuditEvent.objects.filter(case_id=case_pk, object_type="cases.petitioncase")
    assert case.version == events.count(), list(events.values_list("verb", flat=True))
    return case


def reviewer(world: World, case: PetitionCase) -> Any:
    return world.staff_of(case.court.parent or case.court).office


def one_winner(outcomes: list[Outcome]) -> tuple[Outcome, Outcome]:
    winners = [o for o in outcomes if o.won]
    losers = [o for o in outcomes if not o.won]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    return winners[0], losers[0]


# --- accept against return ------------------------------------------------------------------


def _decide(actor: Any, request_pk: int, accept: bool) -> Callable[[], AcceptanceRequest]:
    return lambda: services.acceptance_decide(
        actor=actor,
        request=AcceptanceRequest.objects.get(pk=request_pk),
        accept=accept,
        reason="" if accept else "承诺书未签名",
    )


def test_accept_and_return_of_one_request_at_once_one_wins(world: World) -> None:
    """R11: one decision per request; the other reviewer is told it was already decided."""
    for _ in range(REPEATS):
        case = case_in(world, CaseStatus.SUBMITTED)
        request_pk = case.acceptance_requests.get(decision=Decision.PENDING).pk
        actor = reviewer(world, case)
        outcomes = race(_decide(actor, request_pk, True), _decide(actor, request_pk, False))
        tally("accept vs return", outcomes)
        winner, loser = one_winner(outcomes)
        assert "该验收申请已经" in str(loser.refused) and "不能重复审查" in str(loser.refused)
        request = AcceptanceRequest.objects.get(pk=request_pk)
        case = assert_consistent(case.pk)
        if winner is outcomes[0]:
            assert request.decision == Decision.ACCEPTED
            assert case.status == CaseStatus.ACCEPTED and case.return_count == 0
        else:
            assert request.decision == Decision.RETURNED
            assert case.status == CaseStatus.IN_RESOLUTION and case.return_count == 1


def test_accept_and_return_through_the_api_one_is_409(world: World) -> None:
    """The same race through the JSON API: 200 for one, 409 with the Chinese reason."""
    for _ in range(max(REPEATS // 2, 1)):
        case = case_in(world, CaseStatus.SUBMITTED)
        request_pk = case.acceptance_requests.get(decision=Decision.PENDING).pk
        token = _token(reviewer(world, case))
        outcomes = race(_api_decide(token, request_pk, True), _api_decide(token, request_pk, False))
        statuses = sorted(outcome.value[0] for outcome in outcomes)
        TALLY.setdefault("accept vs return (API)", Counter()).update(
            {"repeats": 1, "conflicts": statuses.count(409)}
        )
        assert statuses == [200, 409], [o.value for o in outcomes]
        refused = next(o.value[1] for o in outcomes if o.value[0] == 409)
        assert "不能重复审查" in refused["detail"]
        assert_consistent(case.pk)


def _api_decide(
    token: str, request_pk: int, accept: bool
) -> Callable[[], tuple[int, dict[str, Any]]]:
    def call() -> tuple[int, dict[str, Any]]:
        response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            f"/api/v1/acceptance/{request_pk}/decision",
            data=json.dumps({"accept": accept, "reason": "" if accept else "材料不全"}),
            content_type="application/json",
        )
        return response.status_code, response.json()

    return call


def _token(user: Any) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        data=json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


# --- two visits -----------------------------------------------------------------------------


def _visit(
    actor: Any, case_pk: int, day: dt.date, level: VisitLevel, body: str = ""
) -> Callable[[], Visit]:
    return lambda: services.visit_record(
        actor=actor,
        case=PetitionCase.objects.get(pk=case_pk),
        data=services.VisitInput(visited_on=day, level=level, receiving_body=body),
    )


def test_two_visits_at_once_are_both_kept_and_reopen_the_case_once(world: World) -> None:
    """R10: two Beijing visits recorded at the same moment after the standard was met: both
    are kept, the case is reopened once and counted once (no lost update, no double count)."""
    for _ in range(REPEATS):
        case = case_in(world, CaseStatus.MET_STANDARD)
        before = Visit.objects.filter(case=case).count()
        actor, today = world.lixia.office, clock.today()
        outcomes = race(
            _visit(actor, case.pk, today, VisitLevel.BEIJING, "国家信访局"),
            _visit(actor, case.pk, today, VisitLevel.BEIJING, "最高人民法院"),
        )
        tally("two visits", outcomes)
        assert all(o.won for o in outcomes), [o.refused for o in outcomes]
        visits = Visit.objects.filter(case=case)
        assert visits.count() == before + 2
        assert visits.filter(reopened_case=True).count() == 1
        case = assert_consistent(case.pk)
        assert case.status == CaseStatus.IN_RESOLUTION
        assert case.reopen_count == 1
        # Visits entered with the case are part of its creation event; these two are their own.
        assert AuditEvent.objects.filter(case_id=case.pk, verb="case.visit").count() == 2


def test_two_visits_on_an_open_case_lose_nothing(world: World) -> None:
    """Two visits of different dates on a case in resolution: both kept, no status change."""
    for _ in range(REPEATS):
        case = case_in(world, CaseStatus.IN_RESOLUTION)
        before = assert_consistent(case.pk)
        actor, today = world.lixia.office, clock.today()
        outcomes = race(
            _visit(actor, case.pk, today - dt.timedelta(days=1), VisitLevel.PROVINCE),
            _visit(actor, case.pk, today - dt.timedelta(days=2), VisitLevel.PROVINCE),
        )
        tally("two visits, open case", outcomes)
        assert all(o.won for o in outcomes)
        assert Visit.objects.filter(case=case, level=VisitLevel.PROVINCE).count() == 2
        after = assert_consistent(case.pk)
        assert (after.status, after.version) == (before.status, before.version)


# --- team change against acceptance ---------------------------------------------------------


def _change_staff(world: World, case_pk: int) -> Callable[[], PetitionCase]:
    """Replace the case's 工作人员 with the court's judge (a replacement, never a gap)."""
    return lambda: services.team_assign(
        actor=world.lixia.office,
        case=PetitionCase.objects.get(pk=case_pk),
        members={"staff": world.lixia.judge},
    )


def _submit(user: Any, case_pk: int) -> Callable[[], AcceptanceRequest]:
    return lambda: services.acceptance_submit(
        actor=user, case=PetitionCase.objects.get(pk=case_pk), note="已签署"
    )


def _order(case_pk: int, first: str, then: str) -> bool:
    """Whether the case's latest `first` event came before its latest `then` event."""
    events = AuditEvent.objects.filter(case_id=case_pk).order_by("-pk")
    return bool(events.filter(verb=first)[0].pk < events.filter(verb=then)[0].pk)


def test_a_team_change_while_acceptance_is_submitted(world: World) -> None:
    """R5/R11: a team change and a submission at once. Either the change comes first (both
    succeed: the submitted case carries the new team) or the submission does, and the change
    is refused because the case is under review. Never a change inside a review."""
    for _ in range(REPEATS):
        case = case_in(world, CaseStatus.MET_STANDARD)
        outcomes = race(_submit(world.lixia.office, case.pk), _change_staff(world, case.pk))
        tally("team change vs submit", outcomes)
        submitted, changed = outcomes
        assert submitted.won, submitted.refused
        after = assert_consistent(case.pk)
        assert after.status == CaseStatus.SUBMITTED
        if changed.won:
            assert after.staff_id == world.lixia.judge.pk
            assert _order(case.pk, "case.team", "case.submit")
        else:
            assert "验收中" in str(changed.refused) and "不能调整专班" in str(changed.refused)
            assert after.staff_id == world.lixia.staff.pk


def test_a_team_change_while_acceptance_is_decided(world: World) -> None:
    """A team change and the reviewer's acceptance at once: the change is refused while the
    case is under review; after the acceptance a replacement is allowed."""
    for _ in range(REPEATS):
        case = case_in(world, CaseStatus.SUBMITTED)
        request_pk = case.acceptance_requests.get(decision=Decision.PENDING).pk
        accept = _decide(reviewer(world, case), request_pk, True)
        outcomes = race(accept, _change_staff(world, case.pk))
        tally("team change vs decide", outcomes)
        accepted, changed = outcomes
        assert accepted.won, accepted.refused
        after = assert_consistent(case.pk)
        assert after.status == CaseStatus.ACCEPTED
        if changed.won:
            assert after.staff_id == world.lixia.judge.pk
            assert _order(case.pk, "case.accept", "case.team")
        else:
            assert "验收中" in str(changed.refused)
            assert after.staff_id == world.lixia.staff.pk


# --- two submissions ------------------------------------------------------------------------


def test_two_users_submitting_acceptance_at_once_make_one_request(world: World) -> None:
    """R11: one open request per case; the second submitter is told the case awaits review."""
    for _ in range(REPEATS):
        case = case_in(world, CaseStatus.MET_STANDARD)
        outcomes = race(
            _submit(world.lixia.office, case.pk), _submit(world.lixia.leader_user, case.pk)
        )
        tally("two submissions", outcomes)
        _, loser = one_winner(outcomes)
        assert "待验收" in str(loser.refused) and "不能" in str(loser.refused)
        assert AcceptanceRequest.objects.filter(case=case).count() == 1
        assert assert_consistent(case.pk).status == CaseStatus.SUBMITTED


# --- the case page: the decision form of a request another reviewer just decided ------------


def _page_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post_decide(client: Client, case_pk: int, accept: bool) -> tuple[int, str]:
    response = client.post(
        f"/cases/{case_pk}/actions/decide/",
        {"decide-decision": "accept" if accept else "return", "decide-reason": "材料不全"},
    )
    return response.status_code, response.content.decode()


def test_the_page_tells_the_second_reviewer_the_request_was_just_decided(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the page read the case (待验收) and checked the form, then another
    reviewer decided before it looked up the pending request: that was a 500 (no pending
    request). Now the loser sees the service's refusal on the page. The interleaving is made
    deterministic by deciding inside the page's `blocked` check."""
    import dataclasses

    from huajie.cases import page_actions

    case = case_in(world, CaseStatus.SUBMITTED)
    request_pk = case.acceptance_requests.get(decision=Decision.PENDING).pk
    actor = reviewer(world, case)
    original = page_actions.BY_NAME["decide"]

    def blocked_then_decided_elsewhere(checked: PetitionCase) -> str | None:
        answer = original.blocked(checked)
        _decide(actor, request_pk, True)()  # the other reviewer, a moment later
        return answer

    monkeypatch.setitem(
        page_actions.BY_NAME,
        "decide",
        dataclasses.replace(original, blocked=blocked_then_decided_elsewhere),
    )
    status, body = _post_decide(_page_client(actor), case.pk, accept=False)
    assert status == 400, body[-2000:]
    assert "该验收申请已经通过，不能重复审查" in body
    after = assert_consistent(case.pk)
    assert after.status == CaseStatus.ACCEPTED and after.return_count == 0


def test_accept_and_return_on_the_page_at_once_one_wins(world: World) -> None:
    """Two reviewers press 通过 and 退回 on the case page at the same moment."""
    for _ in range(max(REPEATS // 2, 1)):
        case = case_in(world, CaseStatus.SUBMITTED)
        actor = reviewer(world, case)
        clients = [_page_client(actor), _page_client(actor)]
        outcomes = race(
            lambda: _post_decide(clients[0], case.pk, True),  # noqa: B023 (run before the loop moves on)
            lambda: _post_decide(clients[1], case.pk, False),  # noqa: B023
        )
        statuses = sorted(outcome.value[0] for outcome in outcomes)
        TALLY.setdefault("accept vs return (page)", Counter()).update(
            {"repeats": 1, "conflicts": statuses.count(400)}
        )
        # 302 back to the case for the winner; 400 with the reason for the loser, never 500.
        assert statuses == [302, 400], statuses
        body = next(o.value[1] for o in outcomes if o.value[0] == 400)
        assert "不能重复审查" in body or "没有待审查的验收申请" in body
        assert_consistent(case.pk)


def test_the_page_tells_the_second_superior_the_escalation_was_just_decided(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression, as above, for the decision on an escalation request (R12)."""
    import dataclasses

    from huajie.cases import page_actions

    case = case_in(world, CaseStatus.IN_RESOLUTION)
    request = services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解")
    original = page_actions.BY_NAME["escalation_decide"]

    def blocked_then_decided_elsewhere(checked: PetitionCase) -> str | None:
        answer = original.blocked(checked)
        services.escalation_decide(
            actor=world.jinan.office, request=request, approve=False, note="请继续做工作"
        )
        return answer

    monkeypatch.setitem(
        page_actions.BY_NAME,
        "escalation_decide",
        dataclasses.replace(original, blocked=blocked_then_decided_elsewhere),
    )
    response = _page_client(world.jinan.office).post(
        f"/cases/{case.pk}/actions/escalation_decide/",
        {"escalation_decide-decision": "approve", "escalation_decide-note": "同意"},
    )
    assert response.status_code == 400, response.content.decode()[-2000:]
    assert "该提级申请已经决定" in response.content.decode()
    after = assert_consistent(case.pk)
    assert after.court == world.tree.lixia  # the first decision (not to escalate) stands


# --- the dashboard's summary tables ---------------------------------------------------------


def test_folding_the_tallies_while_cases_change_loses_no_count(world: World) -> None:
    """The worker folds the tallies' rows (DELETE … RETURNING) while a case is allocated and
    another visited Beijing on other connections: every signed row is summed exactly once,
    so the tallies still equal a recount (huajie.cases.tally). On PostgreSQL this also found
    a deadlock: the services locked the case's court row with the case (`_lock`)."""
    from huajie.cases import tally as tallies
    from tests.cases.world import new_case

    for round_number in range(REPEATS):
        waiting = new_case(world, ledger_no=f"F-{round_number}")
        working = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no=f"G-{round_number}")
        actor, today = world.lixia.office, clock.today()
        outcomes = race(
            tallies.compact,
            lambda pk=waiting.pk: services.case_allocate(
                actor=world.province_office, case=PetitionCase.objects.get(pk=pk)
            ),
            _visit(actor, working.pk, today, VisitLevel.BEIJING, "国家信访局"),
        )
        tally("fold while writing", outcomes)
        assert all(o.won for o in outcomes), [o.refused for o in outcomes]
        assert tallies.differences() == []
