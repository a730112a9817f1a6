"""Login, logout, throttling: what a user at the login page meets, in Chinese."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, Tree, user_at

pytestmark = pytest.mark.django_db


def test_login_then_logout(tree: Tree) -> None:
    user = user_at(tree.lixia, username="lx_xf")
    client = Client()
    response = client.post("/accounts/login/", {"username": "lx_xf", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/courts/").status_code == 200
    assert user.display_name in client.get("/courts/").content.decode()
    client.post("/accounts/logout/")
    assert client.get("/courts/").status_code == 302


def test_wrong_password_says_so_in_chinese(tree: Tree) -> None:
    user_at(tree.lixia, username="lx_xf")
    response = Client().post("/accounts/login/", {"username": "lx_xf", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_repeated_failures_lock_the_account_for_a_while(tree: Tree, settings: object) -> None:
    user_at(tree.lixia, username="lx_xf")
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "lx_xf", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "lx_xf", "password": PASSWORD})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()


def test_login_page_is_chinese_and_has_labels() -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert '<html lang="zh-CN">' in page
    assert '<label for="id_username">用户名</label>' in page


def _post_from(client: Client, forwarded: str, password: str) -> int:
    response = client.post(
        "/accounts/login/",
        {"username": "lx_xf", "password": password},
        REMOTE_ADDR="10.0.0.2",  # the reverse proxy
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return response.status_code


def test_behind_our_proxy_a_lockout_holds_one_client_not_everybody(
    tree: Tree, settings: object
) -> None:
    """With nginx in front every request comes from nginx: throttling must key on the client
    nginx saw, and a client cannot pick its own address by sending X-Forwarded-For."""
    settings.HUAJIE_TRUSTED_PROXIES = 1  # type: ignore[attr-defined]
    user_at(tree.lixia, username="lx_xf")
    for _ in range(5):
        # The attacker prepends addresses of its own; nginx appends the real one.
        _post_from(Client(), "1.1.1.1, 203.0.113.9", "wrong")
    assert _post_from(Client(), "203.0.113.9", PASSWORD) == 429
    assert _post_from(Client(), "5.5.5.5, 203.0.113.9", PASSWORD) == 429
    assert _post_from(Client(), "198.51.100.7", PASSWORD) == 302  # another person


def test_without_a_proxy_forwarded_headers_are_ignored(tree: Tree, settings: object) -> None:
    settings.HUAJIE_TRUSTED_PROXIES = 0  # type: ignore[attr-defined]
    user_at(tree.lixia, username="lx_xf")
    for n in range(5):
        _post_from(Client(), f"192.0.2.{n}", "wrong")  # a new forged address each time
    assert _post_from(Client(), "192.0.2.99", PASSWORD) == 429
