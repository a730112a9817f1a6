"""Supervision pages: the dashboard (R18), the assessment (R16), exemplary cases (R21) and the
summary report (R20). Each page asks the policy: a court out of sight is 404, an action the
role may not take is 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from huajie.accounts.models import User
from huajie.accounts.policy import (
    Action,
    can,
    get_for_user,
    require,
    scope_courts,
    scope_ids_q,
    sees_nation,
    sight_root,
    user_of,
)
from huajie.cases.models import Campaign, CaseStatus, PetitionCase
from huajie.cases.transitions import Refused
from huajie.core import clock
from huajie.courts.models import Court, nation
from huajie.supervision import assessment, dashboard, metrics, report, services
from huajie.supervision.models import CourtVeto


def parse_as_of(value: str | None) -> tuple[dt.date, str | None]:
    """The "as of" day from the query string: today when absent; never after today."""
    today = clock.today()
    if not value:
        return today, None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return today, "日期格式应为 年-月-日，例如 2019-06-30；已按今天显示。"
    if day > today:
        return today, "统计日期不能晚于今天；已按今天显示。"
    return day, None


def _campaign(request: HttpRequest, day: dt.date) -> Campaign | None:
    year = request.GET.get("campaign", "")
    if year.isdigit():
        found = Campaign.objects.filter(year=int(year)).first()
        if found is not None:
            return found
    return metrics.campaign_on(day)


def _node(user: User, court_id: int | None, *, national: bool = False) -> Court:
    """The court a page is about: `court_id`, else the top of the user's sight. Pages that
    have no national view (`national=False`) start a national viewer at the first
    province."""
    if court_id is None:
        root = sight_root(user)
        if root is not None and root.is_nation and not national:
            root = scope_courts(user).order_by("path").first()
        if root is None:
            raise Http404("您的账户尚未关联法院")
        return root
    return get_for_user(user, Court.objects.all(), court_field=None, pk=court_id)


def _crumbs(user: User, node: Court) -> list[Court]:
    """The visible ancestors of `node`, from the top of the user's sight down to it (the
    nation first for those who see it)."""
    top = [nation()] if sees_nation(user) else []
    if node.is_nation:
        return top
    step = len(node.path) // node.depth if node.depth else len(node.path)
    prefixes = [node.path[: step * n] for n in range(1, node.depth + 1)]
    return top + list(scope_courts(user).filter(path__in=prefixes).order_by("path"))


@login_required
def dashboard_view(request: HttpRequest, court_id: int | None = None) -> HttpResponse:
    user = user_of(request)
    node = _node(user, court_id, national=True)
    as_of, error = parse_as_of(request.GET.get("as_of"))
    campaign = _campaign(request, as_of)
    context: dict[str, Any] = {
        "node": node,
        "as_of": as_of,
        "today": clock.today(),
        "error": error,
        "crumbs": _crumbs(user, node),
        "campaign": campaign,
        # The summary report and the assessment are of a province or a court.
        "may_report": not node.is_nation and can(user, Action.REPORT_MAKE, node),
        "national_formats": [("docx", "Word"), ("pdf", "PDF"), ("xlsx", "Excel")],
    }
    if campaign is not None:
        context.update(_dashboard_context(node, as_of, campaign))
    return render(request, "supervision/dashboard.html", context)


def _dashboard_context(node: Court, as_of: dt.date, campaign: Campaign) -> dict[str, Any]:
    today = clock.today()
    live = as_of == today
    # The page shows the node's courts alone: an area's dashboard counts only its own.
    snap = metrics.snapshot(campaign, as_of, node, only_under=True)
    as_of_query = "" if live else f"?as_of={as_of.isoformat()}"
    rows = dashboard.table_rows(snap, node, live, as_of_query)
    total = snap.subtree(node)
    return {
        "live": live,
        "snap": snap,
        "rows": rows,
        "total": total,
        "total_row": dashboard.table_row(snap, metrics.Row(node, total), live, None, is_total=True),
        "expected": metrics.percent(snap.expected),
        "rate": metrics.percent(total.rate),
        "behind": total.rate is not None and total.rate < snap.expected,
        "outlook": metrics.forecast(campaign, as_of, total),
        "status_columns": dashboard.STATUS_COLUMNS,
        # Warnings are about now, whatever day the figures are for.
        "warnings": dashboard.warnings(
            node, snap if live else metrics.snapshot(campaign, today, node, only_under=True), today
        ),
        "charts": dashboard.chart_data(snap, node, rows),
        "period": snap.period,
    }


# --- assessment (R16) ----------------------------------------------------------------------


def _assessment_node(request: HttpRequest) -> Court:
    user = user_of(request)
    court_id = request.GET.get("court", "")
    node = _node(user, int(court_id) if court_id.isdigit() else None)
    require(user, Action.ASSESSMENT_VIEW, node)
    return node


@login_required
def assessment_view(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    node = _assessment_node(request)
    as_of, error = parse_as_of(request.GET.get("as_of"))
    campaign = _campaign(request, as_of)
    context: dict[str, Any] = {"node": node, "as_of": as_of, "error": error, "campaign": campaign}
    if campaign is not None:
        context["sheet"] = assessment.assess(campaign, as_of, node)
        context["may_veto"] = can(user, Action.ASSESSMENT_VETO, node)
        context["courts"] = list(scope_courts(user).subtree_of(node).in_tree_order())
    return render(request, "supervision/assessment.html", context)


@login_required
def assessment_export(request: HttpRequest) -> FileResponse:
    import tempfile

    node = _assessment_node(request)
    as_of, _error = parse_as_of(request.GET.get("as_of"))
    campaign = _campaign(request, as_of)
    if campaign is None:
        raise Http404("尚未建立专项活动")
    sheet = assessment.assess(campaign, as_of, node)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    assessment.write_xlsx(sheet, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"考核情况-{node.short_name}-{as_of:%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_POST
def veto_set_view(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    court_id = request.POST.get("court", "")
    if not court_id.isdigit():
        raise Http404("请选择法院")
    court = get_for_user(
        user, Court.objects.all(), action=Action.ASSESSMENT_VETO, court_field=None, pk=court_id
    )
    campaign = metrics.campaign_on(clock.today())
    if campaign is None:
        raise Http404("尚未建立专项活动")
    try:
        services.veto_set(
            actor=user, campaign=campaign, court=court, reason=request.POST.get("reason", "")
        )
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已对{court.short_name}实行一票否决。")
    return redirect(reverse("supervision:assessment"))


@login_required
@require_POST
def veto_lift_view(request: HttpRequest, veto_id: int) -> HttpResponse:
    user = user_of(request)
    veto = get_for_user(
        user, CourtVeto.objects.select_related("court"), action=Action.ASSESSMENT_VETO, pk=veto_id
    )
    try:
        services.veto_lift(actor=user, veto=veto, reason=request.POST.get("reason", ""))
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已撤销{veto.court.short_name}的一票否决。")
    return redirect(reverse("supervision:assessment"))


# --- exemplary cases (R21) -----------------------------------------------------------------


@login_required
def exemplary_list(request: HttpRequest) -> HttpResponse:
    """Exemplary cases in the user's scope; the high court's office also sees the accepted
    cases it may mark, with a search by ledger number."""
    user = user_of(request)
    cases = PetitionCase.objects.filter(scope_ids_q(user)).select_related("court", "leader")
    marked = list(cases.filter(is_exemplary=True).order_by("court__path", "ledger_no"))
    root = sight_root(user)
    may_mark = root is not None and can(user, Action.CASE_EXEMPLARY, root)
    candidates = None
    query = request.GET.get("q", "").strip()
    if may_mark:
        pool = cases.filter(status=CaseStatus.ACCEPTED, is_exemplary=False)
        if query:
            pool = pool.filter(ledger_no__icontains=query)
        candidates = Paginator(pool.order_by("-accepted_on", "ledger_no"), 30).get_page(
            request.GET.get("page")
        )
    notes = metrics.exemplary_notes([c.pk for c in marked])
    return render(
        request,
        "supervision/exemplary.html",
        {
            "marked": [(c, notes.get(c.pk, "")) for c in marked],
            "may_mark": may_mark,
            "candidates": candidates,
            "q": query,
            "page_query": urlencode({"q": query}) if query else "",
        },
    )


@login_required
@require_POST
def exemplary_mark(request: HttpRequest, case_id: int) -> HttpResponse:
    user = user_of(request)
    case = get_for_user(user, PetitionCase.objects.all(), action=Action.CASE_EXEMPLARY, pk=case_id)
    exemplary = request.POST.get("exemplary", "1") == "1"
    try:
        services.case_mark_exemplary(
            actor=user, case=case, exemplary=exemplary, note=request.POST.get("note", "")
        )
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        verb = "评为先进典型" if exemplary else "取消先进典型"
        messages.success(request, f"案件{case.ledger_no}已{verb}。")
    return redirect(reverse("supervision:exemplary"))


# --- summary report (R20) ------------------------------------------------------------------


@login_required
def report_download(request: HttpRequest, court_id: int, fmt: str) -> FileResponse:
    user = user_of(request)
    node = get_for_user(
        user, Court.objects.all(), action=Action.REPORT_MAKE, court_field=None, pk=court_id
    )
    if fmt not in ("docx", "pdf"):
        raise Http404("没有这种格式")
    as_of, _error = parse_as_of(request.GET.get("as_of"))
    campaign = _campaign(request, as_of)
    if campaign is None:
        raise Http404("尚未建立专项活动")
    data, filename, content_type = report.render(campaign, as_of, node, fmt)
    import io

    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type
    )
