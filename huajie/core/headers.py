"""The Permissions-Policy header: browser features no Huajie page uses (camera, microphone,
geolocation…) are switched off for every response, so injected or third-party code cannot ask
for them. Django has no setting for this header and the one library for it is not a dependency;
the header is one string built once from settings.PERMISSIONS_POLICY.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "Permissions-Policy"


def permissions_policy(features: Mapping[str, Sequence[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` → `camera=(), fullscreen=(self)`.

    An empty allow-list turns the feature off everywhere, our own pages included."""
    parts = []
    for feature, origins in features.items():
        parts.append(f"{feature}=({' '.join(_origin(o) for o in origins)})")
    return ", ".join(parts)


def _origin(origin: str) -> str:
    # The header's keywords are bare (self, *); URLs are quoted.
    return origin if origin in ("self", "*") else f'"{origin}"'


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.value = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.value and HEADER not in response:
            response[HEADER] = self.value
        return response
