"""The site's URLs plus one view that fails, to see the 500 page as a user would."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
