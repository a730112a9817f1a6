"""The import's ledger numbers (`huajie.ledger.numbers`, issue #7, R1): numbers given out
by the services' rule, taken numbers refused, and a campaign's other numbers asked of the
database per chunk instead of held in memory (a million of them took 140 MB)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huajie.cases.services.records import _next_ledger_no
from huajie.cases.transitions import Refused
from huajie.ledger.numbers import LedgerNumbers
from tests.cases.world import World, new_case

pytestmark = pytest.mark.django_db


def test_numbers_are_given_by_the_services_rule(world: World) -> None:
    """One more than the count of numbers with the prefix, skipping taken ones: as
    `records._next_ledger_no` gives them, each time."""
    for number in ("2019-0001", "2019-0003", "2019-abc", "川-7"):
        new_case(world, ledger_no=number)
    numbers = LedgerNumbers(world.campaign)
    for _ in range(3):
        expected = _next_ledger_no(world.campaign, "2019")
        assert numbers.give("") == expected
        new_case(world, ledger_no=expected)  # the database moves on the same way
    assert expected == "2019-0006"


def test_other_numbers_are_asked_of_the_database(world: World) -> None:
    new_case(world, ledger_no="2019-0001")
    new_case(world, ledger_no="川-7")
    numbers = LedgerNumbers(world.campaign)
    asked = numbers.to_look_up({"川-7", "B-1", "2019-0001", "2019-0002"})
    # 2019-0002 is known free (every number with the prefix was read); 2019-0001 is taken,
    # and asked about so that the planner reads its case.
    assert asked == {"川-7", "B-1", "2019-0001"}
    assert numbers._others == set()  # 川-7 was not read into memory
    numbers.looked_up(asked, found={"川-7", "2019-0001"})
    assert (numbers.taken("川-7"), numbers.taken("B-1")) == (True, False)
    with pytest.raises(Refused, match="川-7"):
        numbers.give("川-7")
    assert numbers.give("B-1") == "B-1"
    assert numbers.taken("B-1")
    with pytest.raises(Refused, match="B-1"):
        numbers.give("B-1")
    with CaptureQueriesContext(connection) as queries:
        assert numbers.to_look_up({"B-1", "2019-0002"}) == {"B-1"}
    assert queries.captured_queries == []


def test_a_number_nobody_asked_about_is_a_bug_not_a_guess(world: World) -> None:
    numbers = LedgerNumbers(world.campaign)
    with pytest.raises(LookupError):
        numbers.taken("X-1")


def test_cases_created_meanwhile_are_read_back_when_stale(world: World) -> None:
    numbers = LedgerNumbers(world.campaign)
    numbers.refresh()
    new_case(world, ledger_no="川-9")  # the services, for a row the batch does not take
    new_case(world, ledger_no="2019-0001")
    numbers.stale()
    assert numbers.taken("川-9") and numbers.taken("2019-0001")
    assert numbers.give("") == "2019-0002"


def test_a_huge_serial_does_not_grow_the_bitmap(world: World) -> None:
    numbers = LedgerNumbers(world.campaign)
    assert numbers.give("2019-99999999999") == "2019-99999999999"
    assert numbers.taken("2019-99999999999")
    assert len(numbers._serials) < 1024
