"""API: exchange a username and password for a bearer token."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from huajie.accounts.models import ApiToken, User
from huajie.core.api_errors import BODY, errors

router = Router(tags=["认证"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    username: str


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, **errors(*BODY)},
    summary="以用户名和密码换取接口令牌",
)
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    user = authenticate(request, username=payload.username, password=payload.password)
    if not isinstance(user, User) or not user.is_active:
        raise HttpError(401, "用户名或密码错误")
    return TokenOut(token=ApiToken.issue(user), username=user.username)
