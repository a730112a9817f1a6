"""Sessions (issue #8): a session ends HUAJIE_SESSION_SECONDS after login on the server, not
only in the browser; logging out deletes it on the server; logging in issues a new session id
(no session fixation)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, Tree, user_at

pytestmark = pytest.mark.django_db


def login(client: Client) -> str:
    response = client.post("/accounts/login/", {"username": "lx_xf", "password": PASSWORD})
    assert response.status_code == 302
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def sent_to_login(response: object) -> bool:
    return response.status_code == 302 and response["Location"].startswith(  # type: ignore[attr-defined, index]
        "/accounts/login/?next="
    )


def test_the_age_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import config.settings as module

    try:
        monkeypatch.delenv("HUAJIE_SESSION_SECONDS", raising=False)
        assert importlib.reload(module).SESSION_COOKIE_AGE == 8 * 3600
        monkeypatch.setenv("HUAJIE_SESSION_SECONDS", "1800")
        assert importlib.reload(module).SESSION_COOKIE_AGE == 1800
    finally:
        monkeypatch.undo()
        importlib.reload(module)


@pytest.mark.parametrize("age", [8 * 3600, 600])
def test_a_session_older_than_its_age_is_logged_out(tree: Tree, settings: object, age: int) -> None:
    settings.SESSION_COOKIE_AGE = age  # type: ignore[attr-defined]
    user_at(tree.lixia, username="lx_xf")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        login(client)
        assert client.get("/workbench/").status_code == 200
        # Just inside the age the session is alive (the browser would still send the cookie).
        traveller.move_to(start + dt.timedelta(seconds=age - 60))
        assert client.get("/workbench/").status_code == 200
        # Past it the server no longer knows the session, whatever the browser sends.
        traveller.move_to(start + dt.timedelta(seconds=age + 1))
        assert sent_to_login(client.get("/workbench/"))
        assert sent_to_login(client.get("/cases/"))
        assert client.get("/api/v1/courts/").status_code == 401


def test_the_cookie_ends_with_the_browser_and_says_how_it_may_travel(tree: Tree) -> None:
    user_at(tree.lixia, username="lx_xf")
    client = Client()
    login(client)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"]  # SESSION_EXPIRE_AT_BROWSER_CLOSE: no persistent cookie
    session = Session.objects.get(session_key=cookie.value)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < remaining <= settings.SESSION_COOKIE_AGE


def test_logout_ends_the_session_on_the_server(tree: Tree) -> None:
    user_at(tree.lixia, username="lx_xf")
    client = Client()
    key = login(client)
    assert Session.objects.filter(session_key=key).exists()
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # A copy of the old cookie (stolen, or kept by another tab) opens nothing.
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    assert sent_to_login(thief.get("/workbench/"))


def test_logout_needs_a_post_with_the_csrf_token(tree: Tree) -> None:
    user_at(tree.lixia, username="lx_xf")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value  # type: ignore[attr-defined]
    response = client.post(
        "/accounts/login/",
        {"username": "lx_xf", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 403  # no token: refused
    assert Session.objects.filter(session_key=key).exists()


def test_login_issues_a_new_session_id(tree: Tree) -> None:
    user_at(tree.lixia, username="lx_xf")
    # An attacker plants a session id of their own in the victim's browser…
    planted = Client()
    planted.get("/accounts/login/")
    store = planted.session
    store["planted"] = True
    store.save()
    fixed = store.session_key
    victim = Client()
    victim.cookies[settings.SESSION_COOKIE_NAME] = fixed
    # …the victim logs in: the session gets a new id and the planted one is gone.
    key = login(victim)
    assert key != fixed
    assert not Session.objects.filter(session_key=fixed).exists()
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = fixed  # type: ignore[index]
    assert sent_to_login(attacker.get("/workbench/"))
    assert victim.get("/workbench/").status_code == 200
