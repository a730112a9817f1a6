"""R1: the court tree and its subtree queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from huajie.courts.models import Court, CourtLevel
from huajie.courts.services import court_create
from tests.factories import Tree

pytestmark = pytest.mark.django_db


def test_subtree_is_the_court_and_everything_below(tree: Tree) -> None:
    assert {c.code for c in Court.objects.subtree_of(tree.jinan)} == {"鲁01", "鲁0102", "鲁0103"}
    assert {c.code for c in Court.objects.below(tree.jinan)} == {"鲁0102", "鲁0103"}


def test_is_within_follows_the_tree(tree: Tree) -> None:
    assert tree.lixia.is_within(tree.high)
    assert tree.lixia.is_within(tree.jinan)
    assert not tree.lixia.is_within(tree.qingdao)
    assert not tree.lixia.is_within(tree.other_high)


def test_paths_are_distinct_for_siblings_and_nest_under_parent(tree: Tree) -> None:
    assert tree.lixia.path.startswith(tree.jinan.path)
    assert tree.lixia.path != tree.shizhong.path
    assert tree.lixia.depth == 3 and tree.jinan.depth == 2 and tree.high.depth == 1


def test_only_a_high_court_may_be_a_root(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        court_create(
            name="无上级的中院",
            short_name="孤院",
            code="鲁99",
            level=CourtLevel.INTERMEDIATE,
            parent=None,
        )


def test_superior_is_the_parent(tree: Tree) -> None:
    assert tree.lixia.superior() == tree.jinan
    assert tree.high.superior() is None
