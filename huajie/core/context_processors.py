"""Template context every page needs: the product name and the navigation for this user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

SITE_NAME = "化解 · 涉诉信访案件化解工作平台"


def site(request: HttpRequest) -> dict[str, Any]:
    return {"SITE_NAME": SITE_NAME}
