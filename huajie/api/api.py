"""The JSON API under /api/v1/: the same services and the same permission policy as the
pages. Errors come back as {"detail": "…"} in Chinese."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from huajie.accounts.api import router as accounts_router
from huajie.api import errors
from huajie.api.auth import SessionAuth, TokenAuth
from huajie.cases.api import (
    acceptance_router,
    campaigns_router,
    escalations_router,
    notifications_router,
)
from huajie.cases.api import router as cases_router
from huajie.cases.transitions import Refused
from huajie.courts.api import router as courts_router

api = NinjaAPI(
    title="化解 · 涉诉信访案件化解工作平台 API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=errors.JsonParser(),
)
errors.install(api)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "不存在或无权查看"}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "您没有执行此操作的权限"}, status=403
    )


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    found = [{"field": f, "message": m} for f, messages in fields for m in messages]
    return api.create_response(
        request, {"detail": "；".join(exc.messages), "errors": found}, status=422
    )


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /api/v1/ (an id that is not a number included): JSON, like the
    API's own 404, not the HTML page. Exempt from CSRF like the API's views, so an unsafe
    method to a wrong path is a 404, not the HTML page of a failed CSRF check."""
    return api.create_response(request, {"detail": "不存在或无权查看"}, status=404)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


api.add_router("/auth", accounts_router)
api.add_router("/courts", courts_router)
api.add_router("/cases", cases_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/acceptance", acceptance_router)
api.add_router("/escalations", escalations_router)
api.add_router("/notifications", notifications_router)
