"""R9 (the three resolution standards), R10 (re-petition), R8 (leader activity)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine

from huajie.audit.models import AuditEvent
from huajie.cases import services
from huajie.cases.models import (
    ActivityKind,
    AttachmentPurpose,
    CaseStatus,
    MeasureKind,
    Notification,
    NotificationKind,
    VisitLevel,
)
from huajie.cases.periods import observation_last_day
from huajie.core import clock
from tests.cases.world import PDF, World, case_in, promise_document

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 6, 3)


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(dt.datetime(2019, 6, 3, 10, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def visit(world: World, case: object, day: dt.date, level: str = VisitLevel.BEIJING) -> object:
    with clock.travel(max(day, clock.today())):
        return services.visit_record(
            actor=world.lixia.office,
            case=case,  # type: ignore[arg-type]
            data=services.VisitInput(visited_on=day, level=level, receiving_body="国家信访局"),
        )


# --- written promise ---------------------------------------------------------------------


def test_a_written_promise_with_the_signed_document_meets_the_standard(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    doc = promise_document(world, case)
    case = services.resolution_written(
        actor=world.lixia.office, case=case, promise_on=TODAY, document=doc
    )
    assert case.status == CaseStatus.MET_STANDARD
    assert case.met_standard_on == TODAY
    assert not case.is_resolved  # only acceptance resolves (R11)


def test_a_written_promise_needs_a_promise_document_of_this_case(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    other = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-9999")
    wrong_purpose = services.attachment_add(
        actor=world.lixia.office,
        case=case,
        purpose=AttachmentPurpose.OTHER,
        name="x.pdf",
        stream=io.BytesIO(PDF),
    )
    for doc in (wrong_purpose, promise_document(world, other)):
        with pytest.raises(services.Refused, match="书面承诺书"):
            services.resolution_written(
                actor=world.lixia.office, case=case, promise_on=TODAY, document=doc
            )


def test_a_case_without_a_full_team_cannot_meet_the_standard(world: World) -> None:
    case = case_in(world, CaseStatus.ALLOCATED)
    with pytest.raises(services.Refused, match="专班尚未配齐"):
        services.resolution_oral(actor=world.lixia.office, case=case, promise_on=TODAY)


def test_a_promise_cannot_be_dated_in_the_future(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="不能晚于今天"):
        services.resolution_oral(
            actor=world.lixia.office, case=case, promise_on=TODAY + dt.timedelta(days=1)
        )


# --- oral promise and the one-year observation -------------------------------------------


@pytest.mark.parametrize(
    ("promise", "last_day"),
    [
        (dt.date(2019, 3, 15), dt.date(2020, 3, 15)),
        (dt.date(2020, 2, 29), dt.date(2021, 2, 28)),  # no 29 February next year
        (dt.date(2019, 2, 28), dt.date(2020, 2, 28)),  # into a leap year: not the 29th
        (dt.date(2019, 12, 31), dt.date(2020, 12, 31)),
    ],
)
def test_the_observation_year_ends_on_the_corresponding_day(
    promise: dt.date, last_day: dt.date
) -> None:
    assert observation_last_day(promise) == last_day


def test_an_oral_promise_starts_a_year_of_observation(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    case = services.resolution_oral(
        actor=world.lixia.office, case=case, promise_on=dt.date(2019, 3, 15)
    )
    assert case.status == CaseStatus.OBSERVATION
    assert case.observation_last_day == dt.date(2020, 3, 15)


def _oral(world: World, promise_on: dt.date) -> object:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    return services.resolution_oral(actor=world.lixia.office, case=case, promise_on=promise_on)


def test_the_case_is_still_observed_on_the_last_day(world: World) -> None:
    case = _oral(world, dt.date(2019, 3, 15))
    with clock.travel(dt.date(2020, 3, 15)):
        result = services.tick(as_of=dt.date(2020, 3, 15))
    case.refresh_from_db()  # type: ignore[attr-defined]
    assert result.observation_passed == 0
    assert case.status == CaseStatus.OBSERVATION  # type: ignore[attr-defined]


def test_the_day_after_the_last_day_the_case_meets_the_standard_by_itself(world: World) -> None:
    case = _oral(world, dt.date(2019, 3, 15))
    with clock.travel(dt.date(2020, 3, 16)):
        result = services.tick(as_of=dt.date(2020, 3, 16))
    case.refresh_from_db()  # type: ignore[attr-defined]
    assert result.observation_passed == 1
    assert case.status == CaseStatus.MET_STANDARD  # type: ignore[attr-defined]
    assert case.met_standard_on == dt.date(2020, 3, 16)  # type: ignore[attr-defined]
    assert Notification.objects.filter(kind=NotificationKind.OBSERVATION_PASSED).exists()


def test_a_promise_on_29_february_is_observed_through_28_february(world: World) -> None:
    with clock.travel(dt.date(2020, 3, 1)), time_machine.travel(dt.date(2020, 3, 1)):
        case = _oral(world, dt.date(2020, 2, 29))
    with clock.travel(dt.date(2021, 2, 28)):
        services.tick(as_of=dt.date(2021, 2, 28))
    case.refresh_from_db()  # type: ignore[attr-defined]
    assert case.status == CaseStatus.OBSERVATION  # type: ignore[attr-defined]
    with clock.travel(dt.date(2021, 3, 1)):
        services.tick(as_of=dt.date(2021, 3, 1))
    case.refresh_from_db()  # type: ignore[attr-defined]
    assert case.status == CaseStatus.MET_STANDARD  # type: ignore[attr-defined]


def test_a_visit_on_the_last_day_of_observation_sends_the_case_back(world: World) -> None:
    case = _oral(world, dt.date(2019, 3, 15))
    visit(world, case, dt.date(2020, 3, 15), VisitLevel.PROVINCE)
    case.refresh_from_db()  # type: ignore[attr-defined]
    assert case.status == CaseStatus.IN_RESOLUTION  # type: ignore[attr-defined]
    assert case.reopen_count == 0  # type: ignore[attr-defined]  # never met the standard
    assert case.observation_last_day is None  # type: ignore[attr-defined]


def test_a_local_visit_during_observation_changes_nothing(world: World) -> None:
    case = _oral(world, dt.date(2019, 3, 15))
    visit(world, case, dt.date(2019, 5, 1), VisitLevel.LOCAL)
    case.refresh_from_db()  # type: ignore[attr-defined]
    assert case.status == CaseStatus.OBSERVATION  # type: ignore[attr-defined]


def test_a_visit_after_the_observation_year_is_a_re_petition(world: World) -> None:
    case = _oral(world, dt.date(2019, 3, 15))
    with clock.travel(dt.date(2020, 3, 16)):
        services.tick(as_of=dt.date(2020, 3, 16))
    visit(world, case, dt.date(2020, 3, 16))
    case.refresh_from_db()  # type: ignore[attr-defined]
    assert case.status == CaseStatus.IN_RESOLUTION  # type: ignore[attr-defined]
    assert case.reopen_count == 1  # type: ignore[attr-defined]


def test_tick_twice_on_one_day_changes_nothing_the_second_time(world: World) -> None:
    _oral(world, dt.date(2019, 3, 15))
    with clock.travel(dt.date(2020, 4, 1)):
        first = services.tick(as_of=dt.date(2020, 4, 1))
        events = AuditEvent.objects.count()
        second = services.tick(as_of=dt.date(2020, 4, 1))
    assert first.observation_passed == 1
    assert (second.observation_passed, second.flagged_nominal) == (0, 0)
    assert AuditEvent.objects.count() == events


# --- termination --------------------------------------------------------------------------


def test_termination_needs_review_filing_and_hand_over(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    office = world.lixia.office
    case = services.termination_step(actor=office, case=case, step="review", done_on=TODAY)
    assert case.status == CaseStatus.IN_RESOLUTION
    case = services.termination_step(actor=office, case=case, step="filing", done_on=TODAY)
    assert case.status == CaseStatus.IN_RESOLUTION
    assert services.termination_missing(case) == ["移交稳控责任"]
    case = services.termination_step(
        actor=office, case=case, step="handover", done_on=TODAY, department="历下区委政法委"
    )
    assert case.status == CaseStatus.MET_STANDARD
    assert case.resolution_method == "termination"


def test_hand_over_needs_a_named_department(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="部门"):
        services.termination_step(
            actor=world.lixia.office, case=case, step="handover", done_on=TODAY, department=" "
        )


def test_filing_comes_after_the_review(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="先完成信访终结审查"):
        services.termination_step(actor=world.lixia.office, case=case, step="filing", done_on=TODAY)


def test_hand_over_and_review_without_filing_do_not_meet_the_standard(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    office = world.lixia.office
    services.termination_step(
        actor=office, case=case, step="handover", done_on=TODAY, department="公安分局"
    )
    case = services.termination_step(actor=office, case=case, step="review", done_on=TODAY)
    assert case.status == CaseStatus.IN_RESOLUTION


# --- re-petition (R10) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [CaseStatus.MET_STANDARD, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED]
)
def test_a_beijing_visit_after_the_standard_reopens_the_case(
    world: World, status: CaseStatus
) -> None:
    case = case_in(world, status, judge=world.lixia.judge.name)
    v = visit(world, case, TODAY)
    case.refresh_from_db()
    assert v.reopened_case  # type: ignore[attr-defined]
    assert case.status == CaseStatus.IN_RESOLUTION
    assert case.reopen_count == 1
    assert not case.is_resolved
    notified = set(
        Notification.objects.filter(kind=NotificationKind.REPETITION, case=case).values_list(
            "recipient__person", flat=True
        )
    )
    assert notified == {world.lixia.leader.pk, world.lixia.judge.pk}
    assert not case.acceptance_requests.filter(decision="pending").exists()


def test_a_visit_cannot_be_dated_in_the_future(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="不能晚于今天"):
        services.visit_record(
            actor=world.lixia.office,
            case=case,
            data=services.VisitInput(
                visited_on=TODAY + dt.timedelta(days=3), level=VisitLevel.BEIJING
            ),
        )


# --- classification, measures and leader activity (R7, R8) ----------------------------------


def test_classification_needs_at_least_one_kind(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="至少选择一种"):
        services.case_classify(
            actor=world.lixia.office, case=case, solve=False, educate=False, aid=False, lawful=False
        )
    case = services.case_classify(
        actor=world.lixia.office, case=case, solve=False, educate=True, aid=True, lawful=False
    )
    assert case.classifications == ["诉求无理·思想教育到位", "生活困难·帮扶救助到位"]


def test_a_public_hearing_records_its_outside_participants(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="人大代表"):
        services.measure_record(
            actor=world.lixia.office,
            case=case,
            data=services.MeasureInput(
                kind=MeasureKind.PUBLIC_HEARING, taken_on=TODAY, summary="公开听证"
            ),
        )
    measure = services.measure_record(
        actor=world.lixia.office,
        case=case,
        data=services.MeasureInput(
            kind=MeasureKind.PUBLIC_HEARING,
            taken_on=TODAY,
            summary="公开听证，信访人表示接受",
            participants=[
                {"name": "王建国", "identity": "人大代表"},
                {"name": "李秀英", "identity": "政协委员"},
            ],
        ),
    )
    assert len(measure.participants) == 2


def test_judicial_aid_needs_an_amount(world: World) -> None:
    from decimal import Decimal

    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="救助金额"):
        services.measure_record(
            actor=world.lixia.office,
            case=case,
            data=services.MeasureInput(
                kind=MeasureKind.JUDICIAL_AID, taken_on=TODAY, summary="司法救助"
            ),
        )
    measure = services.measure_record(
        actor=world.lixia.office,
        case=case,
        data=services.MeasureInput(
            kind=MeasureKind.JUDICIAL_AID,
            taken_on=TODAY,
            summary="发放司法救助金",
            aid_amount=Decimal("30000.00"),
        ),
    )
    assert measure.aid_amount == Decimal("30000.00")


def test_a_trial_supervision_correction_links_the_retrial_case(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    with pytest.raises(services.Refused, match="再审案号"):
        services.measure_record(
            actor=world.lixia.office,
            case=case,
            data=services.MeasureInput(
                kind=MeasureKind.TRIAL_SUPERVISION,
                taken_on=TODAY,
                summary="再审纠错",
                retrial_case_number="不是案号",
            ),
        )
    measure = services.measure_record(
        actor=world.lixia.office,
        case=case,
        data=services.MeasureInput(
            kind=MeasureKind.TRIAL_SUPERVISION,
            taken_on=TODAY,
            summary="依法再审改判",
            retrial_case_number="（2019）鲁01民再12号",
            retrial_outcome="撤销原判，改判支持",
        ),
    )
    assert measure.retrial_case_number == "(2019)鲁01民再12号"


def test_leader_activity_clears_the_nominal_flag_and_silence_raises_it(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    assert case.team_since == TODAY
    later = TODAY + dt.timedelta(days=30)
    with clock.travel(later):
        assert services.tick(as_of=later).flagged_nominal == 1
    case.refresh_from_db()
    assert case.possibly_nominal
    with clock.travel(later):
        services.leader_activity_record(
            actor=world.lixia.leader_user,
            case=case,
            happened_on=later,
            kind=ActivityKind.RECEPTION,
            summary="院领导亲自接访信访人，听取诉求",
        )
    case.refresh_from_db()
    assert not case.possibly_nominal
    assert case.leader_last_activity_on == later


def test_recent_leader_activity_is_not_nominal(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    services.leader_activity_record(
        actor=world.lixia.leader_user,
        case=case,
        happened_on=TODAY,
        kind=ActivityKind.FILE_REVIEW,
        summary="调阅原审卷宗",
    )
    day = TODAY + dt.timedelta(days=29)
    with clock.travel(day):
        assert services.tick(as_of=day).flagged_nominal == 0


def test_the_nominal_threshold_is_a_setting(world: World, settings: object) -> None:
    settings.HUAJIE_NOMINAL_AFTER_DAYS = 10  # type: ignore[attr-defined]
    case_in(world, CaseStatus.IN_RESOLUTION)
    day = TODAY + dt.timedelta(days=10)
    with clock.travel(day):
        assert services.tick(as_of=day).flagged_nominal == 1
