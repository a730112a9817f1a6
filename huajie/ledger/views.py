"""The ledger import in the browser (R22): upload → dry-run preview → confirm → import.

The page belongs to the petition offices (`Action.LEDGER_IMPORT`): a court's office imports
for its own court, the high court's for the province; anyone else is refused with 403. An
import's page is scoped by the importing court like everything else: out of scope is 404.
Big sheets run in the worker; their page polls a progress bar with htmx.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huajie.accounts.policy import Action, get_for_user, require, scope_filter, user_of
from huajie.ledger import conf
from huajie.ledger.forms import ImportForm
from huajie.ledger.imports import import_confirm, import_upload
from huajie.ledger.models import ImportStatus, LedgerImport
from huajie.ledger.report import ImportReport
from huajie.ledger.safety import SheetRefused
from huajie.ledger.storage import marked_path, read_progress
from huajie.worker.models import JobStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = 20


def _record_for(request: HttpRequest, import_id: int) -> LedgerImport:
    return get_for_user(
        request.user,
        LedgerImport.objects.select_related("court", "campaign", "uploaded_by", "job"),
        action=Action.LEDGER_IMPORT,
        pk=import_id,
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if user.court is None:
        raise PermissionDenied("只有法院信访部门可以导入任务台账")
    require(user, Action.LEDGER_IMPORT, user.court)
    form = ImportForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = import_upload(
                user=user, campaign=form.cleaned_data["campaign"], stream=upload, name=upload.name
            )
        except SheetRefused as exc:
            error = str(exc)
        else:
            return redirect("ledger:detail", import_id=record.pk)
    recent = scope_filter(user, LedgerImport.objects.select_related("campaign", "uploaded_by"))
    return render(
        request,
        "ledger/import.html",
        {
            "form": form,
            "error": error,
            "recent": recent[:RECENT],
            "background_rows": conf.background_rows(),
            "max_mb": conf.max_bytes() // conf.MB,
        },
        status=400 if request.method == "POST" else 200,
    )


def _context(record: LedgerImport) -> dict[str, object]:
    report = ImportReport.from_json(record.report) if record.report else None
    failed = record.status == ImportStatus.FAILED or (
        record.is_running and record.job is not None and record.job.status == JobStatus.FAILED
    )
    progress = read_progress(record.pk) if record.is_running else {}
    total = progress.get("total") or record.rows or 1
    return {
        "record": record,
        "report": report,
        "failed": failed,
        "progress": progress,
        "percent": min(100, int(100 * progress.get("done", 0) / total)),
        "has_marked_copy": marked_path(record.pk).exists(),
    }


@login_required
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    record = _record_for(request, import_id)
    return render(request, "ledger/detail.html", _context(record))


@login_required
def import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The progress bar, polled by htmx; once the work is done the page reloads itself."""
    record = _record_for(request, import_id)
    context = _context(record)
    response = render(request, "ledger/_progress.html", context)
    if not record.is_running or context["failed"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_apply(request: HttpRequest, import_id: int) -> HttpResponse:
    record = _record_for(request, import_id)
    if not import_confirm(record):
        messages.error(request, "此台账已在导入或已导入，不能重复导入。")
    else:
        record.refresh_from_db()
        if record.status == ImportStatus.APPLIED:
            messages.success(request, "导入完成。")
        elif record.status == ImportStatus.REFUSED:
            messages.error(request, "导入时发现问题，整张表未导入，系统中没有任何改动。")
    return redirect("ledger:detail", import_id=record.pk)


@login_required
def import_marked(request: HttpRequest, import_id: int) -> FileResponse:
    record = _record_for(request, import_id)
    path = marked_path(record.pk)
    if not path.exists():
        raise Http404("没有标注副本")
    stem = record.file_name.rsplit(".", 1)[0]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{stem}.问题标注.xlsx", content_type=XLSX
    )
