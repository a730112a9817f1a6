"""Export cases to the task ledger sheet (R22), streaming: rows are read in chunks and written
by openpyxl's write-only workbook, so memory stays flat however many cases are exported.

Text that a spreadsheet would run as a formula (starting with = + - @) is written as a cell
of string type, so Excel and LibreOffice show it as text and never evaluate it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import Count, Max, Min, Prefetch, QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from huajie.accounts.models import User
from huajie.accounts.policy import Action, can
from huajie.cases.identity import mask_id_number, mask_phone
from huajie.cases.models import (
    AcceptanceRequest,
    CaseStatus,
    Measure,
    OriginalCase,
    PetitionCase,
    Petitioner,
)
from huajie.courts.models import Person
from huajie.ledger.layout import COLUMNS, SEPARATOR

CHUNK = 2000
PLACEHOLDER = "无"
FORMULA_STARTS = ("=", "+", "-", "@")

ACCEPTANCE_LABELS = {"pending": "待验收", "accepted": "已验收", "returned": "已退回"}


# Prefetched lists by attribute (`related`), not through the related managers: a manager
# filled from a prefetch still builds a queryset per case and relation, about a third of
# the export's time.
PREFETCHED = {
    "petitioners": "ledger_petitioners",
    "original_cases": "ledger_originals",
    "measures": "ledger_measures",
    "acceptance_requests": "ledger_requests",
    "positions": "ledger_positions",
}


def related(obj: Any, name: str) -> list[Any]:
    """`obj.<name>.all()` as a list, from `export_queryset`'s prefetch when it was made."""
    found = obj.__dict__.get(PREFETCHED[name])
    return found if found is not None else list(getattr(obj, name).all())


def export_queryset(qs: QuerySet[PetitionCase]) -> QuerySet[PetitionCase]:
    """Everything a ledger row needs, in a fixed number of queries per chunk."""
    return (
        qs.select_related("court", "leader", "division_leader", "staff", "petition_contact")
        .annotate(
            first_visit=Min("visits__visited_on"),
            last_visit=Max("visits__visited_on"),
            visit_count=Count("visits", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "petitioners",
                queryset=Petitioner.objects.order_by("pk"),
                to_attr=PREFETCHED["petitioners"],
            ),
            Prefetch(
                "original_cases",
                queryset=OriginalCase.objects.select_related("court"),
                to_attr=PREFETCHED["original_cases"],
            ),
            Prefetch(
                "measures",
                queryset=Measure.objects.order_by("taken_on", "pk"),
                to_attr=PREFETCHED["measures"],
            ),
            Prefetch(
                "acceptance_requests",
                queryset=AcceptanceRequest.objects.order_by("pk"),
                to_attr=PREFETCHED["acceptance_requests"],
            ),
            Prefetch("leader__positions", to_attr=PREFETCHED["positions"]),
        )
    )


def _join(values: list[str]) -> str:
    return SEPARATOR.join(v for v in values if v)


def _per_petitioner(values: list[str]) -> str:
    """One value per petitioner, in the order of the names: with several petitioners an
    empty one is written as 无, so the import can tell whose number or address is whose."""
    if len(values) > 1 and any(values):
        return SEPARATOR.join(v or PLACEHOLDER for v in values)
    return _join(values)


def _acceptance(case: PetitionCase) -> tuple[str, dt.date | None]:
    requests = related(case, "acceptance_requests")
    if not requests:
        return "未申请", None
    last = requests[-1]
    return ACCEPTANCE_LABELS[last.decision], case.accepted_on


def row_values(case: PetitionCase, reveal: bool) -> dict[str, Any]:
    petitioners = related(case, "petitioners")
    originals = related(case, "original_cases")
    acceptance, accepted_on = _acceptance(case)
    leader: Person | None = case.leader
    return {
        "ledger_no": case.ledger_no,
        "petitioners": _join([p.name for p in petitioners]),
        "id_numbers": _per_petitioner(
            [
                (p.id_number or "") if reveal else mask_id_number(p.id_number or "")
                for p in petitioners
            ]
        ),
        "phones": _per_petitioner(
            [p.phone if reveal else mask_phone(p.phone) for p in petitioners]
        ),
        "domicile": _per_petitioner([p.domicile for p in petitioners]),
        "residence": _per_petitioner([p.residence for p in petitioners]),
        "petition_type": case.get_petition_type_display(),
        "first_visit": getattr(case, "first_visit", None),
        "last_visit": getattr(case, "last_visit", None),
        "visit_count": getattr(case, "visit_count", 0),
        "original_courts": _join(
            list(dict.fromkeys(o.court.short_name if o.court else o.court_code for o in originals))
        ),
        "original_numbers": _join([o.number for o in originals]),
        "trial_judges": _join(list(dict.fromkeys(o.trial_judge_name for o in originals))),
        "causes": _join(list(dict.fromkeys(o.cause for o in originals))),
        "stage": case.get_source_stage_display()
        if case.source_stage
        else _join(list(dict.fromkeys(o.get_stage_display() for o in originals if o.stage))),
        "claims": case.claims,
        "risk_level": case.get_risk_level_display(),
        "is_major": "是" if case.is_major else "否",
        "court": case.court.short_name if case.status != CaseStatus.UNALLOCATED else "",
        "leader": leader.name if leader else "",
        "leader_title": _join([p.title for p in related(leader, "positions")]) if leader else "",
        "division_leader": case.division_leader.name if case.division_leader else "",
        "staff": case.staff.name if case.staff else "",
        "petition_contact": case.petition_contact.name if case.petition_contact else "",
        "classification": _join(
            [label.split("·")[-1].removesuffix("到位") for label in case.classifications]
        ),
        "measures": "；".join(
            f"{m.taken_on} {m.get_kind_display()}：{m.summary}" for m in related(case, "measures")
        ),
        "progress": case.get_status_display(),
        "resolution_method": {
            "written": "书面承诺",
            "oral": "口头承诺",
            "termination": "依法终结",
        }.get(case.resolution_method, ""),
        "met_standard_on": case.met_standard_on,
        "acceptance": acceptance,
        "accepted_on": accepted_on,
        "remarks": case.remarks,
    }


def _cell(sheet: Worksheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # a string, never a formula, whatever it starts with
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _rows(qs: QuerySet[PetitionCase], user: User | None) -> Iterator[dict[str, Any]]:
    for case in export_queryset(qs).iterator(chunk_size=CHUNK):
        reveal = user is None or can(user, Action.REVEAL_IDENTITY, case)
        yield row_values(case, reveal=reveal)


def write_ledger(
    qs: QuerySet[PetitionCase], user: User | None, path: Path | IO[bytes], title: str
) -> int:
    """Write the ledger of `qs` as seen by `user` to `path`; returns the number of rows.

    `user` None is the operator at the command line (`huajie ledger export`): every ID and
    phone number in full."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("任务台账")
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[_letter(index)].width = column.width
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for count, values in enumerate(_rows(qs, user), start=1):
        values["row"] = count
        sheet.append([_cell(sheet, values.get(column.key)) for column in COLUMNS])
    workbook.save(path)
    return count


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
