"""`huajie synth` (issue #7): the national synthetic dataset is deterministic and is data the
real code accepts: a whole audit chain (R19), cases that satisfy the lifecycle's invariants
(R4-R12), supervision figures "as of" the day that equal a plain recount (R16-R18), and
pages and the API that work for its accounts (R2)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client, override_settings

from huajie.accounts.models import Role, Scope, User
from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases import search
from huajie.cases.casenumber import parse_case_number
from huajie.cases.eligibility import member_refusal, missing_roles
from huajie.cases.identity import normalize_id_number
from huajie.cases.models import (
    AcceptanceRequest,
    Campaign,
    CaseStatus,
    Decision,
    OriginalCase,
    PetitionCase,
    Petitioner,
)
from huajie.cases.periods import observation_last_day
from huajie.cases.services import tick
from huajie.courts.models import Court, CourtLevel, nation
from huajie.demo.synth import (
    ADMIN_USERNAME,
    MIN_COURTS,
    NATION_USERNAME,
    Options,
    SynthError,
    fingerprint,
    generate,
    id_number,
    plan_courts,
)
from huajie.supervision import metrics
from tests.supervision.recount import recount

AS_OF = dt.date(2019, 9, 30)
SMALL = Options(courts=120, cases=1500, seed=7, as_of=AS_OF, batch=400)
# Events the services write without saving the case (so without a new version).
NO_SAVE = {"case.create", "case.measure", "case.visit", "case.attachment", "case.escalated"}
PAST_TEAM = (
    CaseStatus.IN_RESOLUTION,
    CaseStatus.OBSERVATION,
    CaseStatus.MET_STANDARD,
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
)


def quiet(_line: str) -> None:
    """Progress lines are not what these tests look at."""


@pytest.fixture(scope="module")
def dataset(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """One small national dataset shared by the read-only tests of this module, removed
    afterwards (it is committed: generating it once keeps the module fast)."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):  # type: ignore[attr-defined]
        generate(SMALL, progress=quiet)
        yield
        call_command("flush", interactive=False, verbosity=0)


# --- determinism and refusal ---------------------------------------------------------------


@pytest.mark.django_db
def test_same_seed_same_rows_other_seed_other_rows(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    small = Options(courts=100, cases=150, seed=3, as_of=AS_OF, batch=40)
    lines: list[str] = []
    generate(small, progress=lines.append)
    first = fingerprint()
    assert any("已生成 150/150 件 (100%)" in line for line in lines)

    with pytest.raises(SynthError, match="已有法院或案件数据"):
        generate(small, progress=quiet)

    generate(small, reset=True, progress=quiet)
    assert fingerprint() == first

    generate(Options(courts=100, cases=150, seed=4, as_of=AS_OF), reset=True, progress=quiet)
    assert fingerprint() != first


@pytest.mark.django_db
def test_reset_refuses_a_database_it_did_not_make(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    Court.objects.create(
        name="某高级人民法院", short_name="某高院", code="鲁", level="high", path="0001/"
    )
    with pytest.raises(SynthError, match="不是 huajie synth 生成的"):
        generate(Options(courts=100, cases=10, as_of=AS_OF), reset=True, progress=quiet)
    assert Court.objects.count() == 1


def test_bad_options_are_refused_in_chinese() -> None:
    with pytest.raises(SynthError, match="法院数至少为"):
        plan_courts(MIN_COURTS - 1, 1)
    with pytest.raises(SynthError, match="案件数应在"):
        generate(Options(cases=0), progress=quiet)
    with pytest.raises(SynthError, match="截止日"):
        generate(Options(cases=10, as_of=dt.date(2019, 2, 1)), progress=quiet)


def test_id_numbers_are_valid_and_distinct() -> None:
    numbers = [id_number("370102", k) for k in range(0, 2_000_000, 997)]
    assert len(set(numbers)) == len(numbers)
    assert all(normalize_id_number(n) == n for n in numbers[:500])


# --- the tree and the accounts -------------------------------------------------------------


@pytest.mark.django_db
def test_courts_paths_and_accounts(dataset: None) -> None:
    levels = dict(Court.objects.values_list("level").annotate(n=Count("id")))
    assert levels == {"high": 32, "intermediate": 32, "basic": 56}
    assert Court.objects.filter(name="新疆维吾尔自治区高级人民法院").exists()
    for court in Court.objects.select_related("parent"):
        expected = (court.parent.path if court.parent else "") + court.path[-5:]
        assert court.path == expected
        assert court.code[0] in "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新兵"
    sd = User.objects.get(username="sd_xf")
    assert (sd.role, sd.scope, sd.court.code) == (Role.PROVINCE_OFFICE, Scope.PROVINCE, "鲁")  # type: ignore[union-attr]
    assert User.objects.get(username=ADMIN_USERNAME).is_superuser
    national = User.objects.get(username=NATION_USERNAME)
    assert (national.role, national.scope, national.court) == (
        Role.NATION_OFFICE,
        Scope.NATION,
        None,
    )
    assert User.objects.count() == 2 * 120 + 2
    assert Campaign.objects.count() == 1


# --- the audit chain and the cases ---------------------------------------------------------


@pytest.mark.django_db
def test_audit_chain_verifies(dataset: None) -> None:
    assert audit_verify() is None
    assert AuditEvent.objects.count() > 10 * SMALL.cases


@pytest.mark.django_db
def test_statuses_are_spread_over_the_campaign(dataset: None) -> None:
    stock = Counter(PetitionCase.objects.filter(origin="stock").values_list("status", flat=True))
    for status in (
        CaseStatus.ALLOCATED,
        CaseStatus.IN_RESOLUTION,
        CaseStatus.OBSERVATION,
        CaseStatus.MET_STANDARD,
        CaseStatus.SUBMITTED,
        CaseStatus.ACCEPTED,
    ):
        assert stock[status] > 0, status
    assert stock[CaseStatus.UNALLOCATED] == 0
    assert stock[CaseStatus.ACCEPTED] > stock[CaseStatus.ALLOCATED]
    cases = PetitionCase.objects
    assert cases.filter(origin="new").exists()
    assert cases.filter(reopen_count__gt=0).exists()
    assert cases.filter(return_count__gt=0).exists()
    assert cases.filter(allocation_rule="escalated").exists()
    methods = set(cases.exclude(resolution_method="").values_list("resolution_method", flat=True))
    assert methods == {"written", "oral", "termination"}
    assert AcceptanceRequest.objects.filter(decision=Decision.PENDING).exists()
    assert AcceptanceRequest.objects.filter(decision=Decision.RETURNED).exists()
    # Skewed: the busiest court holds many times the median court's cases.
    per_court = sorted(cases.values("court").annotate(n=Count("id")).values_list("n", flat=True))
    assert per_court[-1] > 5 * per_court[len(per_court) // 2]


@pytest.mark.django_db
def test_every_case_is_consistent_with_its_history(dataset: None) -> None:
    events: dict[int, list[AuditEvent]] = {}
    for event in AuditEvent.objects.filter(case_id__isnull=False).order_by("id"):
        events.setdefault(event.case_id, []).append(event)  # type: ignore[arg-type]
    pending = Counter(
        AcceptanceRequest.objects.filter(decision=Decision.PENDING).values_list(
            "case_id", flat=True
        )
    )
    for case in PetitionCase.objects.all():
        history = events[case.pk]
        assert case.version == 1 + sum(e.verb not in NO_SAVE for e in history), case
        state = [e for e in history if "status" in e.after or e.verb in metrics.IMPLIED_STATUS]
        last = state[-1]
        assert last.court_id == case.court_id
        assert last.after.get("status", metrics.IMPLIED_STATUS.get(last.verb)) == case.status
        assert all(e.at.date() <= AS_OF for e in history)
        assert [e.at for e in history] == sorted(e.at for e in history)
        assert pending[case.pk] == (case.status == CaseStatus.SUBMITTED)
        if case.status in PAST_TEAM:
            assert not missing_roles(case), case
        if case.status in (CaseStatus.MET_STANDARD, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED):
            assert case.met_standard_on is not None and case.resolution_method
        if case.status == CaseStatus.ACCEPTED:
            assert case.accepted_on is not None
        if case.status == CaseStatus.OBSERVATION:
            assert case.promise_on is not None
            assert case.observation_last_day == observation_last_day(case.promise_on)
        if case.origin == "new":
            assert case.first_receipt_owner_id is not None and case.received_on is not None
        # The daily rule would not flag anyone: leaders are active at least monthly.
        if case.status in (CaseStatus.IN_RESOLUTION, CaseStatus.OBSERVATION):
            assert case.leader_last_activity_on or case.leader_since
            latest = case.leader_last_activity_on or case.leader_since
            assert (AS_OF - latest).days < 30  # type: ignore[operator]


@pytest.mark.django_db
def test_teams_are_eligible(dataset: None) -> None:
    cases = (
        PetitionCase.objects.filter(status__in=PAST_TEAM)
        .select_related("court", "leader", "division_leader", "staff", "petition_contact")
        .prefetch_related(
            "leader__positions",
            "division_leader__positions",
            "staff__positions",
            "petition_contact__positions",
        )
        .order_by("id")[:400]
    )
    for case in cases:
        for role in ("leader", "division_leader", "staff", "petition_contact"):
            assert member_refusal(role, getattr(case, role), case) is None, (case, role)


@pytest.mark.django_db
def test_petitioners_and_case_numbers_parse(dataset: None) -> None:
    ids = list(Petitioner.objects.values_list("id_number", flat=True))
    assert len(ids) == len(set(ids))
    assert all(normalize_id_number(n) == n for n in ids)  # type: ignore[arg-type]
    for original in OriginalCase.objects.select_related("court")[:500]:
        number = parse_case_number(original.number)
        assert str(number) == original.number
        assert number.court_code == original.court.code  # type: ignore[union-attr]


@pytest.mark.django_db
def test_search_columns_are_what_the_services_would_keep(dataset: None) -> None:
    """The list's search finds synthetic cases as it finds entered ones (cases/search.py)."""
    assert not PetitionCase.objects.filter(search_text="").exists()
    assert PetitionCase.objects.exclude(search_id_tails="").exists()
    assert list(search.differences(PetitionCase, OriginalCase)) == []


@pytest.mark.django_db
def test_the_daily_rules_find_nothing_left_to_do_on_the_day(dataset: None) -> None:
    """Observation periods and leaders' activity are as the daily tick would have left
    them: running it for the as-of day changes nothing."""
    before = AuditEvent.objects.count()
    result = tick(as_of=AS_OF)
    assert (result.observation_passed, result.flagged_nominal) == (0, 0)
    assert AuditEvent.objects.count() == before


# --- the supervision figures -----------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_as_of_the_day_equal_a_plain_recount(dataset: None) -> None:
    campaign = Campaign.objects.get()
    counts = recount()
    busiest = (
        PetitionCase.objects.values("court__path")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("court__path", flat=True)
    )
    provinces = {path[:5] for path in list(busiest)[:3]}
    compared = 0
    for root in provinces:
        high = Court.objects.get(path=root)
        snap = metrics.snapshot(campaign, AS_OF, high)
        for court in Court.objects.subtree_of(high):
            mine, theirs = snap.own(court), counts.get(court.pk)
            if theirs is None:
                assert mine.tasks == mine.new == 0
                continue
            assert mine.tasks == theirs.tasks
            assert mine.accepted == theirs.accepted
            assert mine.met == theirs.met
            assert mine.new == theirs.new
            assert mine.new_accepted == theirs.new_accepted
            assert mine.reopened_cases == theirs.reopened_cases
            assert mine.nominal == theirs.nominal == 0
            assert {s: n for s, n in mine.statuses.items() if n} == {
                s: n for s, n in theirs.statuses.items() if n
            }
            compared += 1
    assert compared >= 3


@pytest.mark.django_db
def test_the_nation_is_every_court_counted_once(dataset: None) -> None:
    """Issue #7: the national snapshot (one grouped query per kind over every court) equals
    the plain recount court by court, and the national page renders for synth_nation."""
    campaign = Campaign.objects.get()
    counts = recount()
    national = metrics.snapshot(campaign, AS_OF, nation())
    for court in Court.objects.all():
        mine, theirs = national.own(court), counts.get(court.pk)
        if theirs is None:
            assert mine.tasks == mine.new == 0
            continue
        assert (mine.tasks, mine.accepted, mine.met, mine.new) == (
            theirs.tasks,
            theirs.accepted,
            theirs.met,
            theirs.new,
        ), court
    assert national.subtree(nation()).tasks == sum(c.tasks for c in counts.values())
    client = Client()
    client.force_login(User.objects.get(username=NATION_USERNAME))
    page = client.get(f"/supervision/?as_of={AS_OF.isoformat()}").content.decode()
    assert "全国 · 化解进度" in page
    for high in Court.objects.filter(parent=None):
        assert f'href="/supervision/courts/{high.pk}/?as_of={AS_OF.isoformat()}"' in page


# --- pages and the API -----------------------------------------------------------------------


def _busiest_basic_court() -> Court:
    row = (
        PetitionCase.objects.filter(court__level=CourtLevel.BASIC)
        .values("court")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert row is not None
    return Court.objects.get(pk=row["court"])


@pytest.mark.django_db
def test_pages_render_for_a_synthetic_office_user(dataset: None) -> None:
    court = _busiest_basic_court()
    user = User.objects.get(person__court=court, role=Role.PETITION_OFFICE)
    client = Client()
    client.force_login(user)
    case = PetitionCase.objects.filter(court=court).filter(~Q(status="allocated")).first()
    assert case is not None
    for url in (
        "/workbench/",
        "/cases/",
        f"/cases/{case.pk}/",
        f"/supervision/?as_of={AS_OF.isoformat()}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert case.ledger_no in client.get(f"/cases/{case.pk}/").content.decode()
    api = client.get("/api/v1/cases/")
    assert api.status_code == 200
    assert api.json()["count"] == PetitionCase.objects.filter(court=court).count()
