"""R3: the ledger list's search box, answered from the case's own search columns
(cases/search.py, issue #7), kept by the services and checked by `huajie search`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huajie.cases import search, services
from huajie.cases.models import CaseStatus, OriginalCase, PetitionCase, PetitionType, VisitLevel
from tests.cases.test_api import as_, ok
from tests.cases.test_pages import client_for
from tests.cases.world import World, case_in
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

ID_A = "11010519491231002X"
ID_B = "370102198001011237"


def _case(world: World, ledger_no: str, people: list[tuple[str, str]], numbers: list[str]) -> int:
    case = services.case_create(
        actor=world.province_office,
        campaign=world.campaign,
        holding_court=world.tree.high,
        data=services.CaseInput(
            petition_type=PetitionType.PROVINCE,
            petitioners=[services.PetitionerInput(name=n, id_number=i) for n, i in people],
            ledger_no=ledger_no,
            original_cases=[services.OriginalCaseInput(number=n) for n in numbers],
            visits=[services.VisitInput(visited_on=dt.date(2018, 5, 1), level=VisitLevel.PROVINCE)],
        ),
    )
    return case.pk


@pytest.fixture
def three(world: World) -> dict[str, int]:
    return {
        "zhang": _case(world, "2019-ab01", [("张三丰", ID_A)], ["(2017)鲁0102民初1234号"]),
        "pair": _case(
            world, "2019-0002", [("李四", ID_B), ("Wang Wu", "")], ["(2016)鲁01民终77号"]
        ),
        "bare": _case(world, "2019-0003", [("赵六", "")], []),
    }


def _found(term: str) -> set[int]:
    return set(PetitionCase.objects.filter(search.search_q(term)).values_list("pk", flat=True))


def test_each_kind_of_term_finds_its_case(three: dict[str, int]) -> None:
    assert _found("张三") == {three["zhang"]}  # part of a name
    assert _found("AB01") == {three["zhang"]}  # ledger number, any case of letters
    assert _found("民初1234") == {three["zhang"]}  # original case number
    assert _found("002X") == _found("002x") == {three["zhang"]}  # ID tail with its X
    assert _found("1237") == {three["pair"]}  # ID tail
    assert _found("77") == {three["pair"]}  # ID tail or original number, the case once
    assert _found("wang") == {three["pair"]}  # a Latin name, any case
    assert _found("2019-000") == {three["pair"], three["bare"]}
    assert _found("  赵六 ") == {three["bare"]}


def test_the_middle_of_an_id_number_finds_nothing(three: dict[str, int]) -> None:
    """Only an ID number's last digits are searchable (the list masks the rest)."""
    assert _found("19800101") == set()
    assert _found(ID_B) == {three["pair"]}
    assert _found("张三\n2019") == set()  # a term never spans two lines of the column


def _joined(term: str) -> Q:
    """The search as it was answered before the columns, through the joins: the oracle."""
    term = term.strip()
    q = (
        Q(petitioners__name__icontains=term)
        | Q(ledger_no__icontains=term)
        | Q(original_cases__number__icontains=term)
    )
    if term.isdigit() or (term[:-1].isdigit() and term[-1:] in "xX"):
        q |= Q(petitioners__id_number__endswith=term.upper())
    return q


FIELDS = ["2019-ab01", "张三丰", ID_A, "(2017)鲁0102民初1234号", "李四", ID_B, "Wang Wu", "赵六"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_columns_answer_as_the_joins_did(three: dict[str, int], data: st.DataObject) -> None:
    """Any piece of any field, or any text at all, finds the same cases both ways."""
    source = data.draw(st.sampled_from(FIELDS))
    start = data.draw(st.integers(0, len(source) - 1))
    piece = source[start : data.draw(st.integers(start + 1, len(source)))]
    term = data.draw(st.one_of(st.just(piece), st.text(alphabet="张三李四019Xab-()号", max_size=4)))
    if not term.strip():
        return
    joined = set(PetitionCase.objects.filter(_joined(term)).values_list("pk", flat=True))
    assert _found(term) == joined


def test_an_original_case_added_later_is_found(world: World, three: dict[str, int]) -> None:
    case = PetitionCase.objects.get(pk=three["bare"])
    services.original_case_add(
        actor=world.province_office,
        case=case,
        data=services.OriginalCaseInput(number="(2015)鲁0102民初9号"),
    )
    assert _found("民初9号") == {three["bare"]}
    assert list(search.differences(PetitionCase, OriginalCase)) == []


def test_the_list_and_the_api_search_within_the_users_scope(world: World) -> None:
    """R2: the search narrows what a user sees; it never reaches past it."""
    case = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0888")
    lixia = client_for(world.lixia.office)
    assert "2019-0888" in lixia.get("/cases/?q=张三").content.decode()
    assert "2019-0888" not in lixia.get("/cases/?q=李四").content.decode()
    shinan = client_for(world.shinan.office)
    assert "2019-0888" not in shinan.get("/cases/?q=张三").content.decode()
    elsewhere = as_(UserFactory(person=PersonFactory(court=world.tree.other_high)))
    assert ok(elsewhere.get("/cases/", q="0888"))["count"] == 0
    found = ok(as_(world.province_office).get("/cases/", q="0888"))["items"]
    assert [row["id"] for row in found] == [case.pk]


def test_check_reports_a_stale_case_and_rebuild_mends_it(three: dict[str, int]) -> None:
    call_command("search", "check")  # the services kept every case
    PetitionCase.objects.filter(pk=three["pair"]).update(search_text="", search_id_tails="")
    with pytest.raises(CommandError, match=r"案件检索列有 1 件不符[\s\S]*2019-0002"):
        call_command("search", "check")
    assert _found("李四") == set()
    call_command("search", "rebuild")
    call_command("search", "check")
    assert _found("李四") == {three["pair"]}


def test_rebuild_fills_cases_from_before_the_columns(three: dict[str, int]) -> None:
    """What migration 0011 does for the cases already in a database."""
    PetitionCase.objects.update(search_text="", search_id_tails="")
    assert search.rebuild(PetitionCase, OriginalCase) == 3
    assert search.rebuild(PetitionCase, OriginalCase) == 0
    stored = PetitionCase.objects.get(pk=three["pair"])
    assert stored.search_text == "2019-0002\n李四\nWANG WU\n(2016)鲁01民终77号"
    assert stored.search_id_tails == f"{ID_B}\n"
