"""Password rules (issue #8): AUTH_PASSWORD_VALIDATORS refuse weak passwords with the reason in
Chinese; a logged-in user changes their own password from a page linked in the header; the
old password, the user's other sessions and their API tokens stop working."""

from __future__ import annotations

import pytest
from django.test import Client

from huajie.accounts.models import ApiToken, User
from huajie.audit.models import AuditEvent
from tests.factories import PASSWORD, Tree, user_at

pytestmark = pytest.mark.django_db

NEW = "Qiu-ju-da-guan-si-1992"


def login(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in"
    return client


def change(client: Client, old: str, new: str, again: str | None = None) -> str:
    response = client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )
    if response.status_code == 302:
        assert response["Location"] == "/accounts/password/done/"
        return ""
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def user(tree: Tree) -> User:
    return user_at(tree.lixia, username="zhangwei")


@pytest.mark.parametrize(
    ("weak", "reason"),
    [
        ("Ab3-xy", "这个密码太短了，至少需要 8 个字符"),  # MinimumLengthValidator
        ("password123", "这个密码太常见了"),  # CommonPasswordValidator
        ("83917465012", "密码只包含数字"),  # NumericPasswordValidator
        ("zhangwei2", "密码跟 用户名 太相似了"),  # UserAttributeSimilarityValidator
    ],
)
def test_a_weak_password_is_refused_with_the_reason_in_chinese(
    user: User, weak: str, reason: str
) -> None:
    client = login("zhangwei", PASSWORD)
    page = change(client, PASSWORD, weak)
    assert reason in page, page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not user.check_password(weak)


def test_the_wrong_old_password_or_a_mismatch_is_refused(user: User) -> None:
    client = login("zhangwei", PASSWORD)
    assert "原密码输入有误" in change(client, "not-my-password", NEW)
    assert "两次输入的新密码不一致" in change(client, PASSWORD, NEW, NEW + "x")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_good_password_is_accepted_and_the_old_one_stops_working(user: User) -> None:
    elsewhere = login("zhangwei", PASSWORD)  # the same user on another computer
    token = ApiToken.issue(user)
    assert elsewhere.get("/workbench/").status_code == 200
    client = login("zhangwei", PASSWORD)

    assert change(client, PASSWORD, NEW) == ""
    done = client.get("/accounts/password/done/")
    assert "密码已修改" in done.content.decode()
    # This session goes on; the other one is logged out; the API token is void.
    assert client.get("/workbench/").status_code == 200
    assert elsewhere.get("/workbench/")["Location"].startswith("/accounts/login/")
    api = Client().get("/api/v1/courts/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()

    refused = Client().post("/accounts/login/", {"username": "zhangwei", "password": PASSWORD})
    assert refused.status_code == 200
    assert "用户名或密码错误" in refused.content.decode()
    login("zhangwei", NEW)

    event = AuditEvent.objects.get(verb="account.password_change")
    assert event.actor == user
    assert event.court_id == user.court.pk  # type: ignore[union-attr]
    assert "作废接口令牌 1 个" in event.summary
    assert NEW not in str(event.before) + str(event.after) + event.summary


def test_the_page_is_linked_from_the_header_and_needs_a_login(user: User) -> None:
    assert Client().get("/accounts/password/")["Location"].startswith("/accounts/login/")
    client = login("zhangwei", PASSWORD)
    workbench = client.get("/workbench/").content.decode()
    assert 'href="/accounts/password/"' in workbench
    page = client.get("/accounts/password/").content.decode()
    assert '<label for="id_old_password">原密码</label>' in page
    # The rules shown are the validators' own help texts, in Chinese.
    assert "你的密码必须包含至少 8 个字符。" in page
    assert "你的密码不能全都是数字。" in page


def test_the_demo_and_test_passwords_satisfy_the_rules(user: User) -> None:
    # The demo's accounts are set directly, not through a form; they must still be passwords a
    # user could have chosen, or the demo would teach bad habits.
    from django.conf import settings
    from django.contrib.auth.password_validation import validate_password

    validate_password(settings.HUAJIE_DEMO_PASSWORD, User(username="lx_xf"))
    validate_password(PASSWORD, user)
