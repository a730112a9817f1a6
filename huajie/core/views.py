"""Site-wide pages: the start page and the friendly error pages (no stack trace, in Chinese)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from huajie.accounts.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where each user starts: national supervision has no court and no cases of its own, so
    its home is the national dashboard; everyone else's is the workbench."""
    if getattr(request.user, "role", None) == Role.NATION_OFFICE:
        return redirect("supervision:dashboard")
    return redirect("cases:workbench")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request refused before any view (Django's own checks, such as a Host header the
    site does not answer to): JSON under the API, as its other errors; a page elsewhere."""
    reason = (
        "请求的主机名（Host）不是本系统的地址"
        if isinstance(exception, DisallowedHost)
        else "请求无效"
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=400)
    # Without the request's context: the middleware that sets the user has not run.
    page = render_to_string("errors/400.html", {"reason": reason})
    return HttpResponse(page, status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)
