"""Running imports in tests and watching what they change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from huajie.accounts.models import User
from huajie.audit.models import AuditEvent
from huajie.cases.models import Campaign, OriginalCase, PetitionCase, Petitioner, Visit
from huajie.ledger.importing import import_sheet
from huajie.ledger.plan import Importer
from huajie.ledger.report import ImportReport


@dataclass(frozen=True)
class Counts:
    cases: int
    petitioners: int
    visits: int
    originals: int
    events: int
    versions: int


def counts() -> Counts:
    return Counts(
        PetitionCase.objects.count(),
        Petitioner.objects.count(),
        Visit.objects.count(),
        OriginalCase.objects.count(),
        AuditEvent.objects.count(),
        sum(PetitionCase.objects.values_list("version", flat=True)),
    )


def run(path: Path, user: User, campaign: Campaign, *, dry_run: bool = False) -> ImportReport:
    return import_sheet(path, Importer.for_user(user, campaign), dry_run=dry_run)


def texts(report: ImportReport, errors: bool = True) -> list[str]:
    return [p.text() for p in (report.errors if errors else report.warnings)]
