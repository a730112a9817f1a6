"""The case page and its actions (R3-R15 in the browser).

Actions are posted to one view that looks them up in `page_actions.ACTIONS`, asks the policy,
checks the state, validates the form and calls one service. With htmx the case body is
swapped in place; without JavaScript the browser is redirected back (post/redirect/get).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from huajie.accounts.policy import Action, can, get_for_user, user_of
from huajie.cases import casepage, services
from huajie.cases.attachments import storage_path
from huajie.cases.eligibility import missing_roles
from huajie.cases.models import (
    Notification,
    PetitionCase,
)
from huajie.cases.page_actions import BY_NAME, PageAction, offers_for
from huajie.cases.services import termination_missing
from huajie.cases.transitions import Refused
from huajie.core import clock

ACCEPTANCE_PAGE_SIZE = 50


def case_queryset() -> QuerySet[PetitionCase]:
    """The case as the page and its actions ask it questions; the records it shows are
    read by `casepage.read`."""
    return PetitionCase.objects.select_related("court__parent", "campaign")


def _case_for(request: HttpRequest, case_id: int, action: Action = Action.VIEW) -> PetitionCase:
    return get_for_user(request.user, case_queryset(), action=action, pk=case_id)


@dataclass(frozen=True)
class ShownAction:
    """An action as rendered: its form (bound again after a failed post) or why it is closed."""

    action: PageAction
    reason: str | None
    form: Any


def _sections(
    request: HttpRequest, case: PetitionCase, failed: str | None, failed_form: Any
) -> dict[str, list[ShownAction]]:
    """The actions offered, by section. Only the form that failed, or the one asked for with
    ?form= (pages without scripts), is built here; the others are fetched when opened."""
    asked = request.GET.get("form")
    sections: dict[str, list[ShownAction]] = {}
    for section, offers in offers_for(user_of(request), case).items():
        shown = []
        for offer in offers:
            form = None
            if offer.action.name == failed:
                form = failed_form
            elif offer.reason is None and offer.action.name == asked:
                form = _form_for(offer.action, case)
            shown.append(ShownAction(offer.action, offer.reason, form))
        sections[section] = shown
    return sections


def _context(
    request: HttpRequest,
    case: PetitionCase,
    *,
    failed: str | None = None,
    failed_form: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    page = casepage.read(case)
    case.has_pending_escalation = page.escalation_pending
    return {
        "case": case,
        "page": page,
        "sections": _sections(request, case, failed, failed_form),
        "failed": failed,
        "missing_roles": missing_roles(case),
        "termination_missing": termination_missing(case),
        "may_reveal": can(request.user, Action.REVEAL_IDENTITY, case),
        **extra,
    }


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    return render(request, "cases/detail.html", _context(request, case))


def _form_for(action: PageAction, case: PetitionCase, request: HttpRequest | None = None) -> Any:
    if request is None:
        return action.form(case=case, prefix=action.name)
    return action.form(request.POST, request.FILES, case=case, prefix=action.name)


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, case_id: int, name: str) -> HttpResponse:
    """GET: the action's form (fetched when its <details> opens); POST: do it."""
    action = BY_NAME.get(name)
    if action is None:
        raise Http404("没有这个操作")
    case = _case_for(request, case_id, action.permission)
    if request.method == "GET":
        reason = action.blocked(case)
        if reason:
            return HttpResponse(format_html('<p class="why">{}</p>', reason))
        item = ShownAction(action, None, _form_for(action, case))
        return render(request, "cases/_action_form.html", {"case": case, "item": item})
    form = _form_for(action, case, request)
    error = action.blocked(case)
    if error is None and form.is_valid():
        try:
            message = action.perform(user_of(request), case, form)
        except Refused as exc:
            error = str(exc)
        else:
            return _after_success(request, case_id, message)
    if error is None:
        error = "请按提示修改后再提交。"
    return _after_failure(request, case_id, action, form, error)


def _after_success(request: HttpRequest, case_id: int, message: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        case = _case_for(request, case_id)
        return render(
            request,
            "cases/_body.html",
            _context(request, case, flash=message, flash_kind="success"),
        )
    messages.success(request, message)
    return redirect("cases:detail", case_id=case_id)


def _after_failure(
    request: HttpRequest, case_id: int, action: PageAction, form: Any, error: str
) -> HttpResponse:
    case = _case_for(request, case_id)
    context = _context(
        request, case, flash=error, flash_kind="error", failed=action.name, failed_form=form
    )
    template = "cases/_body.html" if request.htmx else "cases/detail.html"  # type: ignore[attr-defined]
    # 200 so htmx swaps the explanation in; the page itself did not fail.
    return render(request, template, context, status=200 if request.htmx else 400)  # type: ignore[attr-defined]


@login_required
@require_POST
def reveal_identity(request: HttpRequest, case_id: int) -> HttpResponse:
    """Show full ID-card and phone numbers to a user allowed to see them; audited."""
    case = _case_for(request, case_id, Action.REVEAL_IDENTITY)
    services.identity_reveal(actor=user_of(request), case=case, petitioners=case.petitioners.all())
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "case": case,
            "petitioners": casepage.petitioners(case.pk),
            "revealed": True,
            "may_reveal": True,
        }
        return render(request, "cases/_petitioners.html", context)
    return render(request, "cases/detail.html", _context(request, case, revealed=True))


@login_required
def workbench_view(request: HttpRequest) -> HttpResponse:
    from huajie.cases.workbench import workbench

    return render(request, "cases/workbench.html", {"piles": workbench(user_of(request))})


@login_required
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    """Files are served only through the permission check, never from a public path."""
    case = _case_for(request, case_id)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("附件不存在")
    path = storage_path(attachment.sha256)
    if not path.exists():
        raise Http404("附件文件缺失，请联系管理员")
    response = FileResponse(
        path.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def acceptance_queue(request: HttpRequest) -> HttpResponse:
    from huajie.cases.workbench import acceptance_to_review

    requests = acceptance_to_review(user_of(request)).prefetch_related("evidence")
    # A page at a time: a province office reviews thousands at national scale (3,000
    # pending in one province of the 1,000,000-case dataset: 925 ms on one page).
    page = Paginator(requests, ACCEPTANCE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/acceptance_queue.html", {"page": page})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notes = list(
        Notification.objects.filter(recipient=user_of(request))
        .select_related("case")
        .order_by("-created_at", "-pk")[:200]
    )
    return render(request, "cases/notifications.html", {"notes": notes})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    services.notification_mark_read(user=user_of(request), notification_id=notification_id)
    return redirect("cases:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=user_of(request))
    return redirect("cases:notifications")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    from huajie.cases.keyset import keyset_page
    from huajie.cases.listing import PAGE_SIZE, CaseFilterForm, list_rows

    form = CaseFilterForm(request.GET or None, user=user_of(request))
    page = keyset_page(
        form.queryset(),
        sort=form.sort_order,
        size=PAGE_SIZE,
        read=list_rows,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        last=request.GET.get("last") == "1",
        number=_int_param(request.GET.get("p")),
        count_in_one_pass=form.searches,
    )
    params = request.GET.copy()
    for paging in ("after", "before", "last", "p", "page"):
        params.pop(paging, None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    template = "cases/_list_table.html" if request.htmx else "cases/list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": params.urlencode(),
            "sort_query": sort_params.urlencode(),
            "current_sort": request.GET.get("sort", ""),
        },
    )


def _int_param(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@login_required
def case_list_export(request: HttpRequest) -> FileResponse:
    """The list's current filter as a task-ledger sheet (R22)."""
    import tempfile

    from huajie.cases.listing import CaseFilterForm
    from huajie.ledger.export import write_ledger

    user = user_of(request)
    form = CaseFilterForm(request.GET or None, user=user)
    court = form.cleaned_data.get("court") if form.is_valid() else None
    owner = court.short_name if court else (user.court.short_name if user.court else "")
    title = f"{owner}防范和化解涉诉信访案件任务台账"
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    write_ledger(form.queryset(), user, handle, title)
    handle.seek(0)
    stamp = clock.today().strftime("%Y%m%d")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"任务台账-{owner}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def new_petition(request: HttpRequest) -> HttpResponse:
    """Register a new petition at the user's own court (R14)."""
    from huajie.cases.forms import NewPetitionForm
    from huajie.cases.models import Campaign

    user = user_of(request)
    court = user.court
    if court is None or not can(user, Action.NEW_PETITION, court):
        raise PermissionDenied("只有信访部门可以登记新发信访案件")
    campaign = Campaign.objects.filter(year__lte=clock.today().year).order_by("-year").first()
    if campaign is None:
        messages.error(request, "尚未建立专项活动，请联系省法院信访办。")
        return redirect("cases:workbench")
    form = NewPetitionForm(request.POST or None, court=court)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            case = services.new_petition_register(
                actor=user,
                campaign=campaign,
                owner=form.cleaned_data["owner"],
                received_on=form.cleaned_data["received_on"],
                data=form.case_input(),
            )
        except Refused as exc:
            error = str(exc)
        else:
            owner = form.cleaned_data["owner"]
            messages.success(
                request, f"已登记新发信访案件{case.ledger_no}，首接负责人{owner.name}一办到底。"
            )
            return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/new_petition.html",
        {"form": form, "error": error, "campaign": campaign, "court": court},
        status=400 if request.method == "POST" else 200,
    )
