"""The ledger benchmark's bare-SQL floors (tests/bench/ledger_floors.py; issue #7) measure
what they say: the import's floor stores again exactly the rows added since its marks and
leaves nothing behind; the export's reads every case of the campaign."""

from __future__ import annotations

from django.db import connection

from huajie.cases.models import CaseStatus, PetitionCase
from tests.bench.ledger_floors import (
    _tables,
    export_floor,
    high_water_marks,
    stored_rows_floor,
)
from tests.cases.world import World, case_in, new_case


def _added_since(marks: dict[str, int]) -> int:
    total = 0
    with connection.cursor() as cursor:
        for table, pk in _tables().items():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{pk}" > %s', [marks[table]])  # noqa: S608
            total += cursor.fetchone()[0]
    return total


def test_the_import_floor_stores_again_exactly_the_new_rows(world: World) -> None:
    marks = high_water_marks()
    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001")
    case_in(world, CaseStatus.ALLOCATED, ledger_no="2019-0002")
    added = _added_since(marks)
    assert added > 20  # cases, petitioners, links, visits, originals, audit events, tallies
    seconds, rows = stored_rows_floor(marks)
    assert rows == added and seconds > 0
    leftovers = [t for t in connection.introspection.table_names() if t.startswith("bench_floor_")]
    assert leftovers == []
    assert _added_since(marks) == added  # the twins were rolled back, the rows are as they were


def test_the_export_floor_reads_every_case_of_the_campaign(world: World) -> None:
    for number in ("2019-0001", "2019-0002", "2019-0003"):
        case_in(world, CaseStatus.IN_RESOLUTION, ledger_no=number)
    seconds, cases = export_floor(world.campaign.pk)
    assert cases == PetitionCase.objects.filter(campaign=world.campaign).count() == 3
    assert seconds > 0


def test_the_list_floor_counts_what_the_list_finds(world: World) -> None:
    """The page bench's list floors ask what the list asks: the scope's cases by court id,
    with a status, from a cursor, and the search column (counted with the page)."""
    from huajie.cases import search
    from tests.bench.pages import list_floor

    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001")  # 张三
    case_in(world, CaseStatus.ALLOCATED, ledger_no="2019-0AB2")
    new_case(world, ledger_no="2019-0003")  # held by the high court, above 济南
    tree = world.tree
    in_jinan = PetitionCase.objects.filter(court__path__startswith=tree.jinan.path)
    with connection.cursor() as cursor:
        assert list_floor(tree.high.path, None, None, search="ab")(cursor) == 1
        assert list_floor(tree.high.path, None, None, search="ab")(cursor) == (
            PetitionCase.objects.filter(search.search_q("ab")).count()
        )
        assert list_floor(tree.high.path, None, None, search="张")(cursor) == 3  # all 张三
        assert list_floor(tree.jinan.path, None, None)(cursor) == in_jinan.count() == 2
        assert list_floor(tree.jinan.path, CaseStatus.ALLOCATED, None)(cursor) == 1
        assert list_floor(tree.jinan.path, None, ("2019-0001", 0))(cursor) == 2  # all counted
        assert list_floor("", None, None, every_court=True)(cursor) == 3
