"""Bulletin pages (R17): the list and each bulletin, published to every court of the
province; the downloads, served only through the permission check and only if each file still
matches its hash; and the issue page for the high court's petition office."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from huajie.accounts.models import User
from huajie.accounts.policy import (
    FORBIDDEN,
    NOT_FOUND,
    Action,
    can,
    publications_filter,
    reads_publications_of,
    require,
    sees_nation,
    user_of,
)
from huajie.bulletins import content, services
from huajie.bulletins.models import FORMATS, Bulletin
from huajie.bulletins.render import HEADINGS
from huajie.cases.models import Campaign
from huajie.cases.transitions import Refused
from huajie.core import clock
from huajie.courts.models import Court, nation
from huajie.supervision import metrics
from huajie.supervision.views import parse_as_of

log = logging.getLogger(__name__)


def _province_of(user: User) -> Court | None:
    court = user.court
    if court is not None:
        return Court.objects.get(path=court.root_path())
    if sees_nation(user):  # a superuser or national supervision: the first province
        return Court.objects.filter(parent__isnull=True).order_by("path").first()
    return None


def _bulletin(request: HttpRequest, bulletin_id: int, *, with_figures: bool = True) -> Bulletin:
    """The bulletin, if published to the user's province; `with_figures=False` leaves its
    figures unread (a province's are some 70 KB of JSON that a download does not show)."""
    bulletins = Bulletin.objects.select_related("campaign")
    if not with_figures:
        bulletins = bulletins.defer("figures")
    found = publications_filter(request.user, bulletins, "province").filter(pk=bulletin_id).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    bulletins = list(
        publications_filter(user, Bulletin.objects.select_related("campaign"), "province")
    )
    province = _province_of(user)
    may_issue = province is not None and can(user, Action.BULLETIN_ISSUE, province)
    return render(
        request,
        "bulletins/list.html",
        {"bulletins": bulletins, "may_issue": may_issue, "formats": FORMATS},
    )


@login_required
def bulletin_detail(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _bulletin(request, bulletin_id, with_figures=False)
    text = cache.get_or_set(_text_key(bulletin), lambda: _text(bulletin), timeout=None)
    return render(request, "bulletins/detail.html", {"bulletin": bulletin, "text": text})


def _text_key(bulletin: Bulletin) -> str:
    """An issued bulletin never changes (`BulletinImmutable`), so its text is written once
    per process and kept; the key names what it was written from, files' hashes included,
    so a bulletin is never shown another's text (in the tests, ids are used again)."""
    issued = (bulletin.issued_at.isoformat(), bulletin.issued_by_name)
    hashes = (bulletin.docx_sha256, bulletin.pdf_sha256, bulletin.xlsx_sha256)
    named = "\n".join((TEXT_VERSION, str(bulletin.pk), *issued, *hashes))
    return f"bulletin-text:{hashlib.sha256(named.encode()).hexdigest()}"


# Raised when the bulletin's page changes, so a running process writes it anew.
TEXT_VERSION = "1"


def _text(bulletin: Bulletin) -> str:
    """The bulletin as its page shows it, below the header: the same for every reader."""
    from huajie.bulletins.content import PROBLEMS

    f = Bulletin.objects.values_list("figures", flat=True).get(pk=bulletin.pk)
    # Each list as one line, written here: a province's hundred courts behind pace, looped
    # over name by name in the template, were most of the page's time.
    problems = [
        (title, "、".join(f"{i['name']} {i['count']}{unit}" for i in f["problems"][key]))
        for key, (title, unit, _a) in PROBLEMS.items()
    ]
    return render_to_string(
        "bulletins/_text.html",
        {
            "bulletin": bulletin,
            "f": f,
            "headings": HEADINGS,
            "problems": problems,
            "behind_pace": "、".join(b["name"] for b in f["behind_pace"]),
            "expected": metrics.percent(f["expected"]),
            "rate": metrics.percent(f["totals"]["rate"]),
        },
    )


@login_required
def bulletin_download(
    request: HttpRequest, bulletin_id: int, fmt: str
) -> HttpResponse | FileResponse:
    bulletin = _bulletin(request, bulletin_id, with_figures=False)
    if fmt not in FORMATS:
        raise Http404("没有这种格式")
    try:
        data = services.bulletin_file(bulletin, fmt)
    except (services.FileTampered, FileNotFoundError):
        log.exception("bulletin file check failed")
        return HttpResponse(
            "通报文件缺失或与发布时的校验值不符，已拒绝下载，请联系管理员核查。",
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=services.download_name(bulletin, fmt),
        content_type=FORMATS[fmt][1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def nation_bulletin(request: HttpRequest, fmt: str) -> FileResponse:
    """The national bulletin of the period containing `as_of` (default: yesterday), made on
    request for those who see the nation; 404 for everyone else (issue #7)."""
    user = user_of(request)
    require(user, Action.VIEW, nation())
    if fmt not in FORMATS:
        raise Http404("没有这种格式")
    as_of, _error = parse_as_of(request.GET.get("as_of"))
    campaign = metrics.campaign_on(as_of)
    if campaign is None:
        raise Http404("尚未建立专项活动")
    try:
        data, name = services.national_bulletin(campaign, as_of, fmt)
    except Refused as exc:
        raise Http404(str(exc)) from None
    response = FileResponse(
        io.BytesIO(data), as_attachment=True, filename=name, content_type=FORMATS[fmt][1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _issuer_province(request: HttpRequest) -> Court:
    """The province whose bulletin the user may issue: 404 outside any province, 403 for
    anyone but the high court's petition office."""
    user = user_of(request)
    province = _province_of(user)
    if province is None or not reads_publications_of(user, province):
        raise Http404(NOT_FOUND)
    if not can(user, Action.BULLETIN_ISSUE, province):
        raise PermissionDenied(FORBIDDEN)
    return province


@login_required
def bulletin_issue_view(request: HttpRequest) -> HttpResponse:
    province = _issuer_province(request)
    user = user_of(request)
    yesterday = clock.today() - dt.timedelta(days=1)
    value = request.POST.get("as_of") or request.GET.get("as_of") or yesterday.isoformat()
    error = None
    try:
        as_of = dt.date.fromisoformat(value)
    except ValueError:
        as_of, error = yesterday, "日期格式应为 年-月-日，例如 2019-06-30。"
    campaign = metrics.campaign_on(as_of)
    if request.method == "POST" and error is None:
        if campaign is None:
            error = "尚未建立专项活动。"
        else:
            try:
                bulletin = services.bulletin_issue(
                    province=province,
                    campaign=campaign,
                    as_of=as_of,
                    actor=user,
                    requirements=request.POST.get("requirements", ""),
                )
            except Refused as exc:
                error = str(exc)
            else:
                messages.success(request, f"第{bulletin.number}期通报已发布。")
                return redirect("bulletins:detail", bulletin_id=bulletin.pk)
    return render(
        request,
        "bulletins/issue.html",
        {
            "province": province,
            "as_of": as_of,
            "campaign": campaign,
            "preview": _preview(campaign, as_of),
            "error": error,
            "requirements": request.POST.get("requirements", ""),
        },
        status=400 if error and request.method == "POST" else 200,
    )


def _preview(campaign: Campaign | None, as_of: dt.date) -> dict[str, object] | None:
    if campaign is None:
        return None
    try:
        period, end = content.period_end_for(campaign, as_of)
    except ValueError:
        return None
    return {"number": period.number, "start": period.start, "end": end}
