"""Queries compiled once (huajie.core.prepared, issue #7): the rows are the queryset's own,
converted as Django converts them, for any parameters, on any thread."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huajie.cases import services
from huajie.cases.models import Campaign, Measure, PetitionCase, Visit
from huajie.core.prepared import PreparedQuery
from tests.cases.world import World, case_in

pytestmark = pytest.mark.django_db


def _measures_of(case_id: int) -> Any:
    return Measure.objects.filter(case_id=case_id).values_list(
        "taken_on", "kind", "aid_amount", "participants", "recorded_at", "case__court__name"
    )


MEASURES = PreparedQuery(_measures_of)


def _add_measures(case: PetitionCase, count: int) -> None:
    for n in range(count):
        Measure.objects.create(
            case=case,
            kind="judicial_aid",
            taken_on=dt.date(2019, 3, 1) + dt.timedelta(days=n),
            summary="救助",
            aid_amount=Decimal("1234.50") + n,
            participants=[{"name": f"参加人{n}", "identity": "律师"}],
        )


def test_rows_are_the_querysets_own_with_its_conversions(world: World) -> None:
    case = case_in(world, "in_resolution")
    _add_measures(case, 3)
    rows = MEASURES(case.pk)
    assert rows == list(_measures_of(case.pk))
    taken_on, _, aid, participants, recorded_at, court = rows[0]
    assert isinstance(taken_on, dt.date) and aid == Decimal("1234.50")
    assert participants == [{"name": "参加人0", "identity": "律师"}]
    assert recorded_at.tzinfo is not None and court == world.tree.lixia.name


# The world is only read: the same one serves every example.
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ids=st.lists(st.integers(min_value=-5, max_value=50), min_size=1, max_size=4))
def test_any_parameters_give_what_the_queryset_gives(world: World, ids: list[int]) -> None:
    campaigns = PreparedQuery(
        lambda *wanted: Campaign.objects.filter(pk__in=wanted).values_list("pk", "year"),
        parameters=len(ids),
    )
    assert sorted(campaigns(*ids)) == sorted(
        Campaign.objects.filter(pk__in=ids).values_list("pk", "year")
    )


def test_a_models_records_come_back_as_its_instances(world: World) -> None:
    case = case_in(world, "in_resolution")
    _add_measures(case, 2)
    measures = PreparedQuery(lambda case_id: Measure.objects.filter(case_id=case_id))
    found, expected = measures(case.pk), list(Measure.objects.filter(case_id=case.pk))
    assert found == expected  # the same records, in the model's order
    for got, want in zip(found, expected, strict=True):
        assert not got._state.adding and got._state.db == "default"
        for field in Measure._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
    assert found[0].aid_amount == Decimal("1234.50") and found[0].case == case


def test_a_missing_parameter_matches_nothing(world: World) -> None:
    campaigns = PreparedQuery(
        lambda a, b: Campaign.objects.filter(pk__in=[a, b]).values_list("year", flat=False),
        parameters=2,
    )
    assert campaigns(world.campaign.pk, None) == [(world.campaign.year,)]
    assert campaigns(None, None) == []


def test_the_sql_is_compiled_once(world: World) -> None:
    built: list[int] = []

    def build(case_id: int) -> Any:
        built.append(case_id)
        return _measures_of(case_id)

    query = PreparedQuery(build)
    case = case_in(world, "in_resolution")
    _add_measures(case, 1)
    assert len(query(case.pk)) == 1 and query(case.pk + 1000) == []
    assert len(built) == 2  # once with each set of placeholders, then never again


def test_each_shape_is_compiled_once_and_run_with_its_own_sql(world: World) -> None:
    built: list[tuple[int, ...]] = []

    def build(year: int, *, ids: tuple[int, ...]) -> Any:
        built.append(ids)
        return Campaign.objects.filter(pk__any_of=ids, year=year).values_list("pk")

    query = PreparedQuery(build)
    other = services.campaign_create(year=2020)
    year = world.campaign.year
    assert query(year, shape=(world.campaign.pk,), ids=(world.campaign.pk,)) == [
        (world.campaign.pk,)
    ]
    assert query(2020, shape=(world.campaign.pk, other.pk), ids=(world.campaign.pk, other.pk)) == [
        (other.pk,)
    ]
    assert query(year, shape=(world.campaign.pk,), ids=(world.campaign.pk,)) != []
    assert len(built) == 4  # two shapes, each compiled with both sets of placeholders
    assert query(year, shape=(), ids=()) == []  # an empty list matches nothing, as in Django


def test_a_constant_equal_to_a_placeholder_is_not_taken_for_a_parameter(world: World) -> None:
    from huajie.core.prepared import _FIRST

    campaigns = PreparedQuery(
        lambda pk: Campaign.objects.filter(Q(pk=pk) | Q(year=_FIRST[0])).values_list("year")
    )
    assert campaigns(world.campaign.pk) == [(world.campaign.year,)]


def test_a_small_integer_column_takes_its_parameter(world: World) -> None:
    """Django finds no rows for a value outside an integer field's range; the placeholders
    are inside every one's."""
    case = case_in(world, "in_resolution")
    visits = PreparedQuery(
        lambda reopened, case_id: Visit.objects.filter(
            case_id=case_id, case__reopen_count=reopened
        ).values_list("level"),
        parameters=2,
    )
    assert visits(0, case.pk) == list(Visit.objects.filter(case=case).values_list("level"))
    assert visits(0, case.pk) != []


def test_a_query_whose_sql_changes_with_its_parameter_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="must not change"):
        PreparedQuery(
            lambda n: Campaign.objects.filter(pk__in=range(n - 30_000)).values_list("pk")
        )(1)


@pytest.mark.django_db(transaction=True)
def test_another_thread_runs_it_on_its_own_connection(world: World) -> None:
    case = case_in(world, "in_resolution")
    _add_measures(case, 2)
    assert len(MEASURES(case.pk)) == 2  # compiled here, on this thread's connection
    seen: list[Any] = []

    def other_thread() -> None:
        from django.db import connections

        try:
            seen.append(MEASURES(case.pk))
            seen.append(connections["default"] is not connection)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == [MEASURES(case.pk), True]


def test_what_cannot_be_prepared_is_refused(world: World) -> None:
    with pytest.raises(TypeError, match="plain querysets"):
        PreparedQuery(lambda pk: Measure.objects.filter(pk=pk).select_related("case"))(1)
    with pytest.raises(TypeError, match="plain querysets"):
        PreparedQuery(lambda pk: Campaign.objects.filter(pk=pk).only("year"))(1)
    with pytest.raises(TypeError, match="plain querysets"):
        PreparedQuery(lambda pk: Campaign.objects.filter(pk=pk).values("year"))(1)
    with pytest.raises(ValueError, match="do not appear"):
        PreparedQuery(lambda pk: Campaign.objects.values_list("pk"))(1)
    with pytest.raises(TypeError, match="expected 1 parameters"):
        PreparedQuery(lambda pk: Campaign.objects.filter(pk=pk).values_list("pk"))(1, 2)
    with pytest.raises(ValueError, match="0 to 16"):
        PreparedQuery(lambda: Campaign.objects.values_list("pk"), parameters=17)


def test_only_the_latest_shapes_are_kept(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from huajie.core import prepared

    monkeypatch.setattr(prepared, "MAX_SHAPES", 2)
    built: list[int] = []

    def build(*, year: int) -> Any:
        built.append(year)
        return Campaign.objects.filter(year=year).values_list("pk")

    query = PreparedQuery(build, parameters=0)
    for year in (2019, 2020, 2021):
        query(shape=year, year=year)
    assert len(query._compiled) == 2 and len(built) == 6
    query(shape=2021, year=2021)  # kept: not compiled again
    assert len(built) == 6
    assert query(shape=2019, year=2019) == [(world.campaign.pk,)]  # dropped: compiled again
    assert len(built) == 8
