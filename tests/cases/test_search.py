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
from huajie.demo.synth import id_number
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
def test_the_columns_answer_as_the_joins_did(group: int, data: st.DataObject) -> None:
    """Any piece of any field, or any text at all, finds the same cases both ways: the cases
    in the search index and the group petition too long for it."""
    source = data.draw(st.sampled_from(FIELDS + GROUP_FIELDS))
    start = data.draw(st.integers(0, len(source) - 1))
    piece = source[start : data.draw(st.integers(start + 1, len(source)))]
    alphabet = "张三李四群访019Xab-()号"
    term = data.draw(st.one_of(st.just(piece), st.text(alphabet=alphabet, max_size=4)))
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
    PetitionCase.objects.filter(pk=three["pair"]).update(**dict.fromkeys(search.FIELDS, ""))
    with pytest.raises(CommandError, match=r"案件检索列有 1 件不符[\s\S]*2019-0002"):
        call_command("search", "check")
    assert _found("李四") == set()
    call_command("search", "rebuild")
    call_command("search", "check")
    assert _found("李四") == {three["pair"]}


def test_rebuild_fills_cases_from_before_the_columns(three: dict[str, int]) -> None:
    """What migration 0011 does for the cases already in a database."""
    PetitionCase.objects.update(**dict.fromkeys(search.FIELDS, ""))
    assert search.rebuild(PetitionCase, OriginalCase) == 3
    assert search.rebuild(PetitionCase, OriginalCase) == 0
    stored = PetitionCase.objects.get(pk=three["pair"])
    assert stored.search_text == "2019-0002\n李四\nWANG WU\n(2016)鲁01民终77号"
    assert stored.search_id_tails == f"{ID_B}\n"
    assert stored.search_text_short == stored.search_text
    assert stored.search_id_tails_short == stored.search_id_tails


# A group petition: more petitioners than the search index's short columns hold.
GROUP = [(f"群访人{n:02d}", id_number("370102", 7 * n)) for n in range(1, 16)]
GROUP_FIELDS = ["2019-Q100", GROUP[-1][0], GROUP[-1][1], "(2018)鲁0102民初55号"]


@pytest.fixture
def group(world: World, three: dict[str, int]) -> int:
    return _case(world, "2019-q100", GROUP, ["(2018)鲁0102民初55号"])


def test_a_case_too_long_for_the_index_keeps_only_its_whole_columns(group: int) -> None:
    """R3: a group petition's text passes search.SHORT; the index copies are NULL, and the
    search still finds the case by anything in it."""
    stored = PetitionCase.objects.get(pk=group)
    assert len(stored.search_id_tails) > search.SHORT
    assert stored.search_text_short is None and stored.search_id_tails_short is None
    assert _found("群访人15") == _found(GROUP[-1][1][-4:]) == _found("Q100") == {group}
    assert _found("民初55号") == {group}
    assert _found(GROUP[-1][1][6:12]) == set()  # the middle of an ID number, as for any case
    assert list(search.differences(PetitionCase, OriginalCase)) == []


def test_a_case_just_within_the_limit_is_in_the_index(world: World) -> None:
    names, room = [], search.SHORT - len("2019-L001")
    for mark in "甲乙丙丁戊己":  # names of at most 60 characters, a line each
        if room > 0:
            names.append(mark * min(60, room - 1))
            room -= len(names[-1]) + 1
    pk = _case(world, "2019-l001", [(name, "") for name in names], [])
    stored = PetitionCase.objects.get(pk=pk)
    assert len(stored.search_text) == search.SHORT
    assert stored.search_text_short == stored.search_text
    assert _found("甲甲") == {pk}
