"""R2: what a user sees is scoped by court; seeing is 404-or-not, acting is 403-or-not."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from huajie.accounts.models import Role, Scope
from huajie.accounts.policy import (
    Action,
    can,
    get_for_user,
    is_visible,
    require,
    scope_courts,
    scope_filter,
    scope_ids_q,
    sight_root,
)
from huajie.courts.models import Court, Person
from tests.factories import PersonFactory, Tree, UserFactory, user_at

pytestmark = pytest.mark.django_db


def codes(courts: object) -> set[str]:
    return {c.code for c in courts}  # type: ignore[attr-defined]


def test_own_court_scope_sees_only_its_court(tree: Tree) -> None:
    user = user_at(tree.lixia, scope=Scope.COURT)
    assert codes(scope_courts(user)) == {"鲁0102"}
    assert is_visible(user, tree.lixia)
    assert not is_visible(user, tree.shizhong)
    assert not is_visible(user, tree.jinan)


def test_supervisor_scope_sees_its_subtree_only(tree: Tree) -> None:
    user = user_at(tree.jinan, scope=Scope.SUBTREE)
    assert codes(scope_courts(user)) == {"鲁01", "鲁0102", "鲁0103"}
    assert not is_visible(user, tree.high)
    assert not is_visible(user, tree.shinan)  # a basic court in another city


def test_province_scope_sees_the_whole_province_but_not_another(tree: Tree) -> None:
    user = user_at(tree.high, role=Role.PROVINCE_OFFICE, scope=Scope.PROVINCE)
    assert codes(scope_courts(user)) == {"鲁", "鲁01", "鲁0102", "鲁0103", "鲁02", "鲁0202"}
    assert not is_visible(user, tree.xuanwu)


def test_province_scope_from_a_lower_court_still_means_its_province(tree: Tree) -> None:
    user = user_at(tree.shinan, scope=Scope.PROVINCE)
    assert is_visible(user, tree.lixia)
    assert not is_visible(user, tree.nanjing)


def test_user_in_another_city_does_not_see_the_court(tree: Tree) -> None:
    user = user_at(tree.qingdao, scope=Scope.SUBTREE)
    assert not is_visible(user, tree.lixia)
    with pytest.raises(Http404):
        require(user, Action.VIEW, tree.lixia)


def test_objects_are_scoped_through_their_court(tree: Tree) -> None:
    inside = PersonFactory(court=tree.shizhong)
    outside = PersonFactory(court=tree.shinan)
    user = user_at(tree.jinan, scope=Scope.SUBTREE)
    visible = set(scope_filter(user, Person.objects.all()))
    assert inside in visible
    assert outside not in visible


def test_scoping_by_court_ids_sees_what_scoping_by_path_sees(tree: Tree) -> None:
    """`scope_ids_q` (the ledger list's scope, by court ids) admits exactly what `scope_q`
    does, under any court in sight the list is narrowed to (with its subordinates or
    alone), for every kind of sight."""
    courts = list(Court.objects.all())
    for court in courts:
        PersonFactory(court=court)
    inactive = user_at(tree.lixia)
    inactive.is_active = False
    users = [
        user_at(tree.lixia, scope=Scope.COURT),
        user_at(tree.jinan, scope=Scope.SUBTREE),
        user_at(tree.shinan, scope=Scope.PROVINCE),
        UserFactory(person=None, is_superuser=True),
        UserFactory(person=None, scope=Scope.PROVINCE),
        inactive,
    ]
    for user in users:
        by_path = set(scope_filter(user, Person.objects.all()))
        assert set(Person.objects.filter(scope_ids_q(user))) == by_path, user
        for court in courts:
            # A court out of sight is a court without cases for the user.
            seen = is_visible(user, court)
            under = {p for p in by_path if seen and p.court.path.startswith(court.path)}
            assert set(Person.objects.filter(scope_ids_q(user, court))) == under, (user, court)
            alone = {p for p in under if p.court == court}
            found = set(Person.objects.filter(scope_ids_q(user, court, subordinates=False)))
            assert found == alone, (user, court)
    assert Person.objects.filter(scope_ids_q(users[1], tree.qingdao)).count() == 0
    jinan_alone = Person.objects.filter(scope_ids_q(users[1], tree.jinan, subordinates=False))
    assert set(jinan_alone) == set(Person.objects.filter(court=tree.jinan))


def test_user_without_a_person_sees_nothing(tree: Tree) -> None:
    user = UserFactory(person=None, scope=Scope.PROVINCE)
    assert scope_courts(user).count() == 0
    assert not is_visible(user, tree.high)


def test_inactive_user_sees_nothing(tree: Tree) -> None:
    user = user_at(tree.lixia)
    user.is_active = False
    assert scope_courts(user).count() == 0


def test_superuser_sees_every_province(tree: Tree) -> None:
    user = UserFactory(person=None, is_superuser=True)
    assert scope_courts(user).count() == Court.objects.count()


def test_court_admin_manages_own_courts_people_only(tree: Tree) -> None:
    admin = user_at(tree.lixia, role=Role.COURT_ADMIN)
    own = PersonFactory(court=tree.lixia)
    assert can(admin, Action.PERSON_MANAGE, own)


def test_supervisor_sees_but_may_not_manage_subordinate_people(tree: Tree) -> None:
    supervisor = user_at(tree.jinan, role=Role.COURT_ADMIN, scope=Scope.SUBTREE)
    below = PersonFactory(court=tree.lixia)
    assert is_visible(supervisor, below)
    assert not can(supervisor, Action.PERSON_MANAGE, below)
    with pytest.raises(PermissionDenied):
        require(supervisor, Action.PERSON_MANAGE, below)


def test_get_for_user_answers_404_outside_scope_and_403_inside(tree: Tree) -> None:
    staff = user_at(tree.lixia, role=Role.PETITION_OFFICE)
    own = PersonFactory(court=tree.lixia)
    foreign = PersonFactory(court=tree.shinan)
    with pytest.raises(Http404):
        get_for_user(staff, Person.objects.all(), pk=foreign.pk)
    with pytest.raises(PermissionDenied):
        get_for_user(staff, Person.objects.all(), action=Action.PERSON_MANAGE, pk=own.pk)
    assert get_for_user(staff, Person.objects.all(), pk=own.pk) == own


def test_missing_and_hidden_objects_look_the_same(tree: Tree) -> None:
    staff = user_at(tree.lixia)
    foreign = PersonFactory(court=tree.shinan)
    missing_pk = Person.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    messages = []
    for pk in (foreign.pk, missing_pk):
        with pytest.raises(Http404) as caught:
            get_for_user(staff, Person.objects.all(), pk=pk)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_the_top_of_sight_is_the_first_court_seen(
    tree: Tree,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    """`sight_root` is the court an ancestor-first list of the courts seen starts with; for
    a court or subtree scope, and the province office at its high court, that is the
    user's own court, known without a query."""
    cases = [
        (user_at(tree.lixia, scope=Scope.COURT), tree.lixia, 0),
        (user_at(tree.jinan, scope=Scope.SUBTREE), tree.jinan, 0),
        (user_at(tree.high, role=Role.PROVINCE_OFFICE, scope=Scope.PROVINCE), tree.high, 0),
        (user_at(tree.shinan, scope=Scope.PROVINCE), tree.high, 1),  # its province's top
    ]
    for user, root, queries in cases:
        user = type(user).objects.select_related("person__court").get(pk=user.pk)
        assert scope_courts(user).order_by("path").first() == root
        with django_assert_num_queries(queries):
            assert sight_root(user) == root
    assert sight_root(user_at(tree.lixia, scope=Scope.NATION)).is_nation  # type: ignore[union-attr]
    nobody = UserFactory(person=None)
    assert sight_root(nobody) is None
