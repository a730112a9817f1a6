"""The worker's part of the ledger import: big sheets are checked and imported here."""

from __future__ import annotations

from typing import Any

from huajie.ledger.imports import JOB_KIND, run_import
from huajie.ledger.models import LedgerImport
from huajie.worker.registry import job_kind


@job_kind(JOB_KIND)
def ledger_import(payload: dict[str, Any]) -> dict[str, Any]:
    """Check (`apply` false) or import a stored sheet. Runs in the job's transaction, so an
    import and the job's completion commit together: all or nothing."""
    record = LedgerImport.objects.select_related("campaign", "court", "uploaded_by").get(
        pk=payload["import_id"]
    )
    report = run_import(record, apply=bool(payload.get("apply")))
    return {
        "status": record.status,
        "rows": report.rows_read,
        "created": report.counts["create"],
        "updated": report.counts["update"],
        "errors": report.error_count,
    }
