"""The court select (R1): options from a queryset of courts, without a Court per option."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huajie.courts.forms import CourtChoice
from huajie.courts.models import Court
from tests.factories import Tree

pytestmark = pytest.mark.django_db


class _Form(forms.Form):
    court = CourtChoice(queryset=Court.objects.none(), required=False, empty_label="全部")

    def __init__(self, *args: object, under: Court) -> None:
        super().__init__(*args)
        field = self.fields["court"]
        assert isinstance(field, CourtChoice)
        field.queryset = Court.objects.subtree_of(under).in_tree_order()


def _no_court_built(*args: object) -> None:
    raise AssertionError("a Court was built for an option")


def test_the_options_are_the_courts_names_in_order_with_the_chosen_one_selected(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = _Form({"court": str(tree.lixia.pk)}, under=tree.jinan)
    assert form.is_valid()
    names = [c.name for c in Court.objects.subtree_of(tree.jinan).order_by("path")]
    monkeypatch.setattr(Court, "from_db", _no_court_built)
    with CaptureQueriesContext(connection) as queries:
        html = str(form["court"])
    assert len(queries) == 1  # the options' ids and names
    assert [html.index(f">{name}<") for name in names] == sorted(
        html.index(f">{name}<") for name in names
    )
    assert html.index('<option value="">全部</option>') < html.index(names[0])
    assert f'<option value="{tree.lixia.pk}" selected>{tree.lixia.name}</option>' in html
    assert tree.qingdao.name not in html


def test_the_chosen_court_cleans_to_a_court_and_one_outside_is_refused_in_chinese(
    tree: Tree,
) -> None:
    form = _Form({"court": str(tree.lixia.pk)}, under=tree.jinan)
    assert form.is_valid() and form.cleaned_data["court"] == tree.lixia
    outside = _Form({"court": str(tree.qingdao.pk)}, under=tree.jinan)
    assert not outside.is_valid()
    assert "选择一个有效的选项" in outside.errors["court"][0]
