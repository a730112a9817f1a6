"""The authentication backend reads the signed-in user with their person and court in one
query (huajie.accounts.backends; issue #7, the constant cost of every page), and refuses
the same users Django's backend refuses."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huajie.accounts.backends import AccountBackend
from tests.cases.world import World


def test_the_user_comes_with_person_and_court_in_one_query(world: World) -> None:
    user = world.lixia.office
    with CaptureQueriesContext(connection) as queries:
        found = AccountBackend().get_user(user.pk)
        assert found is not None
        assert (found.display_name, found.court) == (user.person.name, user.person.court)
    assert len(queries) == 1


def test_a_page_asks_once_for_the_user(world: World) -> None:
    client = Client()
    client.force_login(world.lixia.office)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notifications/").status_code == 200
    users = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    people = [q["sql"] for q in queries if 'FROM "courts_person"' in q["sql"]]
    assert len(users) == 1 and people == []


def test_inactive_and_missing_users_are_not_signed_in(world: World) -> None:
    user = world.lixia.office
    client = Client()
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert AccountBackend().get_user(user.pk) is None
    assert AccountBackend().get_user(10**9) is None
    response = client.get("/workbench/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sessions_are_signed_in_through_this_backend(world: World) -> None:
    assert settings.AUTHENTICATION_BACKENDS[-1] == "huajie.accounts.backends.AccountBackend"
    client = Client()
    client.force_login(world.lixia.office)
    request = type("Request", (), {"session": client.session})()
    assert request.session[SESSION_KEY] == str(world.lixia.office.pk)
    assert get_user(request) == world.lixia.office  # type: ignore[arg-type]


def test_the_user_is_read_as_select_related_reads_them(world: World) -> None:
    """Every field of the user, their person and court, as Django's own join gives them;
    a user without a person has none; a session naming no number signs no one in."""
    from huajie.accounts.backends import user_with_court
    from huajie.accounts.models import User
    from tests.factories import UserFactory

    for user in (world.lixia.office, world.province_office, UserFactory(person=None)):
        expected = User.objects.select_related("person__court").get(pk=user.pk)
        found = user_with_court(user.pk)
        assert found is not None and not found._state.adding
        for model_pair in ((found, expected),) + (
            ((found.person, expected.person), (found.court, expected.court))
            if expected.person_id
            else ()
        ):
            got, want = model_pair
            for field in type(want)._meta.concrete_fields:
                assert getattr(got, field.attname) == getattr(want, field.attname), field
        assert found.person_id == expected.person_id
    assert AccountBackend().get_user("not a number") is None
