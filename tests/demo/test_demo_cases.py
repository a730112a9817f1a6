"""R3–R15: the demo 2019 campaign — 1,241 stock cases and the new petitions of Shandong's
courts as of 15 July 2019, written through the services, loaded once for this module."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test.utils import override_settings
from django.utils.timezone import localtime

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases.allocation import DomicileIndex, suggest
from huajie.cases.eligibility import TEAM_ROLES, member_refusal
from huajie.cases.models import (
    AcceptanceRequest,
    CaseStatus,
    Decision,
    Origin,
    PetitionCase,
    Petitioner,
)
from huajie.courts.models import Court, CourtLevel, PositionKind
from huajie.demo import cases as demo_cases
from huajie.demo.province import load_demo_province

pytestmark = pytest.mark.django_db

PASSWORD = "demo-test-pw"

# Each status's share of the 1,241 stock cases: (at least, at most).
BANDS: dict[CaseStatus, tuple[float, float]] = {
    CaseStatus.UNALLOCATED: (0.01, 0.04),
    CaseStatus.ALLOCATED: (0.015, 0.06),
    CaseStatus.IN_RESOLUTION: (0.38, 0.55),
    CaseStatus.OBSERVATION: (0.05, 0.11),
    CaseStatus.MET_STANDARD: (0.07, 0.15),
    CaseStatus.SUBMITTED: (0.04, 0.10),
    CaseStatus.ACCEPTED: (0.15, 0.27),
}


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, int]]:
    """The demo province and campaign, loaded once into the test database inside a
    transaction that is rolled back when the module is done (each test's own changes roll
    back to this state)."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(MEDIA_ROOT=media):
                summary = load_demo_province(PASSWORD)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield {**summary, "media": sum(p.is_file() for p in Path(media).rglob("*"))}
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def stock() -> Any:
    return PetitionCase.objects.filter(campaign__year=2019, origin=Origin.STOCK)


def test_the_ledger_has_the_notice_s_1241_stock_cases_and_new_petitions_apart(
    demo: dict[str, int],
) -> None:
    assert stock().count() == demo_cases.STOCK_CASES == 1241
    new = PetitionCase.objects.filter(origin=Origin.NEW)
    assert new.count() == demo_cases.NEW_PETITIONS
    assert demo["stock_cases"] == 1241 and demo["new_petitions"] == demo_cases.NEW_PETITIONS
    assert demo["cases_added"] == 1241 + demo_cases.NEW_PETITIONS
    # R14: every new petition keeps its first-receipt owner, a president or division head.
    for case in new.select_related("first_receipt_owner"):
        owner = case.first_receipt_owner
        assert owner is not None and owner.court_id == case.court_id
        assert owner.has_position("president", "court_leader", "division_leader")
        assert case.allocation_rule == "first_receipt" and case.received_on is not None
    assert set(new.values_list("status", flat=True)) >= {"in_resolution", "accepted"}


def test_every_status_is_present_in_plausible_proportions(demo: dict[str, int]) -> None:
    counts = Counter(stock().values_list("status", flat=True))
    for status, (low, high) in BANDS.items():
        share = counts[status] / 1241
        assert low <= share <= high, (status, counts[status])
    for status in CaseStatus:  # the summary the demo command prints
        assert demo[f"status_{status}"] == PetitionCase.objects.filter(status=status).count()


def test_every_case_has_one_responsible_court_and_allocations_say_why(
    demo: dict[str, int],
) -> None:
    high = Court.objects.get(code="鲁")
    province = set(Court.objects.subtree_of(high).values_list("pk", flat=True))
    cases = PetitionCase.objects.all()
    assert set(cases.values_list("court_id", flat=True)) <= province
    unallocated = cases.filter(status=CaseStatus.UNALLOCATED)
    assert set(unallocated.values_list("court_id", flat=True)) == {high.pk}  # held, not allocated
    assert not unallocated.exclude(allocation_rule="").exists()
    allocated = cases.exclude(status=CaseStatus.UNALLOCATED)
    assert not allocated.filter(Q(allocation_rule="") | Q(allocation_reason="")).exists()
    assert not allocated.filter(allocated_at__isnull=True).exists()
    rules = Counter(allocated.values_list("allocation_rule", flat=True))
    assert rules["who_handled"] > 900 and 60 < rules["domicile"] < 250
    assert rules["escalated"] > 0 and rules["first_receipt"] == demo_cases.NEW_PETITIONS
    # The cases left for a person really are beyond the rules (neither court nor domicile).
    domiciles = DomicileIndex(high)
    for case in unallocated.prefetch_related("original_cases__court", "petitioners"):
        assert suggest(case, domiciles).court is None, case.ledger_no
    levels = Counter(allocated.values_list("court__level", flat=True))
    assert levels[CourtLevel.BASIC] > levels[CourtLevel.INTERMEDIATE] > levels[CourtLevel.HIGH] > 0


def test_cases_in_resolution_have_a_full_eligible_team_and_major_ones_the_president(
    demo: dict[str, int],
) -> None:
    working = PetitionCase.objects.filter(status=CaseStatus.IN_RESOLUTION).select_related(
        "court", *TEAM_ROLES
    )
    assert working.count() > 400
    for case in working.prefetch_related(*(f"{role}__positions" for role in TEAM_ROLES)):
        for role in TEAM_ROLES:
            person = getattr(case, role)
            assert person is not None, (case.ledger_no, role)
            assert member_refusal(role, person, case) is None, (case.ledger_no, role)
    major = PetitionCase.objects.filter(is_major=True, leader__isnull=False)
    assert major.count() > 10
    assert not major.exclude(leader__positions__kind=PositionKind.PRESIDENT).exists()
    # A team is assembled for everything past 待组建专班.
    assert not PetitionCase.objects.filter(status=CaseStatus.ALLOCATED, team_since__isnull=False)
    assert PetitionCase.objects.filter(
        status=CaseStatus.ALLOCATED, petition_contact__isnull=False
    ).exists()


def test_accepted_cases_were_accepted_by_the_reviewing_court(demo: dict[str, int]) -> None:
    accepted = PetitionCase.objects.filter(status=CaseStatus.ACCEPTED).select_related(
        "court__parent"
    )
    assert accepted.count() > 150
    decisions = {
        r.case_id: r
        for r in AcceptanceRequest.objects.filter(decision=Decision.ACCEPTED).select_related(
            "decided_by__person"
        )
    }
    for case in accepted:
        request = decisions[case.pk]
        reviewer = case.court.parent or case.court
        assert request.reviewing_court_id == reviewer.pk, case.ledger_no
        assert request.decided_by.person.court_id == reviewer.pk  # type: ignore[union-attr]
        assert case.accepted_on is not None and case.met_standard_on is not None
    submitted = PetitionCase.objects.filter(status=CaseStatus.SUBMITTED)
    assert not submitted.annotate(
        pending=Count("acceptance_requests", filter=Q(acceptance_requests__decision="pending"))
    ).exclude(pending=1)
    # R10, R11: some returns and some re-petitions after acceptance are on record.
    assert PetitionCase.objects.filter(return_count__gt=0).count() >= 5
    assert PetitionCase.objects.filter(reopen_count__gt=0, status="in_resolution").count() >= 5


def test_the_time_rules_are_current_for_the_demo_day(demo: dict[str, int]) -> None:
    nominal = PetitionCase.objects.filter(possibly_nominal=True)
    assert 20 <= nominal.count() <= 150
    assert set(nominal.values_list("status", flat=True)) <= {"in_resolution", "observation"}
    observing = PetitionCase.objects.filter(status=CaseStatus.OBSERVATION)
    assert all(d.year == 2020 for d in observing.values_list("observation_last_day", flat=True))
    passed = AuditEvent.objects.filter(verb="case.observation_passed")
    assert passed.count() > 0
    # The cases' history is one chronological timeline, and the hash chain verifies.
    events = AuditEvent.objects.filter(case_id__isnull=False).order_by("id")
    times = [localtime(at).date() for at in events.values_list("at", flat=True)]
    assert times == sorted(times)
    assert times[0] == demo_cases.LEDGER_DAY and times[-1] == demo_cases.DEMO_DAY
    assert audit_verify() is None


def test_the_records_look_like_a_real_ledger(demo: dict[str, int]) -> None:
    petitioners = Petitioner.objects.filter(cases__origin=Origin.STOCK).distinct()
    with_id = petitioners.exclude(id_number=None).count() / petitioners.count()
    assert 0.75 <= with_id <= 0.92
    assert Petitioner.objects.annotate(n=Count("cases")).filter(n__gt=1).exists()
    dupes = (
        Petitioner.objects.filter(id_number=None)
        .values("name", "phone")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert dupes.exists()
    pairs = stock().annotate(n=Count("petitioners")).filter(n=2).count()
    assert 60 <= pairs <= 200
    without_originals = stock().annotate(n=Count("original_cases")).filter(n=0).count()
    assert 0.08 <= without_originals / 1241 <= 0.18
    assert demo["media"] > 100  # the signed promises are stored files


def test_the_big_cities_carry_most_of_the_ledger(demo: dict[str, int]) -> None:
    def cases_of(city: str) -> int:
        court = Court.objects.get(short_name=city)
        return PetitionCase.objects.filter(court__path__startswith=court.path).count()

    assert cases_of("济南中院") + cases_of("青岛中院") > 2 * (
        cases_of("莱芜中院") + cases_of("日照中院")
    )
    assert cases_of("莱芜中院") > 0


def test_loading_again_adds_nothing(demo: dict[str, int]) -> None:
    before = (PetitionCase.objects.count(), AuditEvent.objects.count())

    out = io.StringIO()
    call_command("demo", "--load-only", stdout=out)

    assert (PetitionCase.objects.count(), AuditEvent.objects.count()) == before
    assert "存量案件 1241 件" in out.getvalue()
    assert "本次新增 0 件" in out.getvalue()
