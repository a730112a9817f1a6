"""`field__any_of=[…]` (huajie/core/lookups.py, issue #7): the same rows as `__in`, sent as
one array on PostgreSQL, for ids, foreign keys and texts (the ledger import's ID numbers)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huajie.cases.models import Petitioner
from huajie.courts.models import Court
from tests.factories import build_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def petitioners() -> list[Petitioner]:
    return [
        Petitioner.objects.create(name=f"信访人{n}", id_number=f"11010119900101{n:04d}")
        for n in range(5)
    ]


def _sql_of(run: object) -> str:
    with CaptureQueriesContext(connection) as queries:
        run()  # type: ignore[operator]
    return queries.captured_queries[-1]["sql"]


def test_texts_any_of_finds_what_in_finds(petitioners: list[Petitioner]) -> None:
    wanted = [p.id_number for p in petitioners[1:4]] + ["110101199001019999"]
    found = Petitioner.objects.filter(id_number__any_of=wanted).order_by("pk")
    assert list(found) == list(Petitioner.objects.filter(id_number__in=wanted).order_by("pk"))
    assert [p.name for p in found] == ["信访人1", "信访人2", "信访人3"]


def test_ids_and_foreign_keys_any_of_find_what_in_finds() -> None:
    tree = build_tree()
    ids = [tree.high.pk, tree.lixia.pk]
    assert set(Court.objects.filter(pk__any_of=ids)) == {tree.high, tree.lixia}
    children = Court.objects.filter(parent__any_of=[tree.jinan.pk])
    assert set(children) == set(Court.objects.filter(parent__in=[tree.jinan.pk]))
    assert children.exists()


def test_an_empty_list_finds_nothing(petitioners: list[Petitioner]) -> None:
    assert list(Petitioner.objects.filter(id_number__any_of=[])) == []
    assert list(Court.objects.filter(pk__any_of=[])) == []


def test_the_list_is_one_value_on_postgresql(petitioners: list[Petitioner]) -> None:
    wanted = [p.id_number for p in petitioners]
    sql = _sql_of(lambda: list(Petitioner.objects.filter(id_number__any_of=wanted)))
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert sql.count("110101199001") == len(wanted)  # SQLite: the plain IN
