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
