"""The ledger list's search box (R3): a petitioner's name, the last digits of an ID number,
a ledger number or an original case number.

A case answers the search from two columns of its own, kept by the services
(`records.case_create`, `records.original_case_add`, the ledger import's bulk replay and
`huajie synth`), instead of from its petitioners and original cases through joins. Through
the joins, a province office's search at a million cases probed three tables for each of
its 52,000 cases: 900 ms for two queries (docs/performance.md). From the case row alone it
is a filter on the rows the list reads anyway.

- `search_text`: the ledger number, the petitioners' names and the original case numbers,
  one a line, upper-cased (so the search ignores the case of Latin letters in all of them).
- `search_id_tails`: each ID number followed by a line break, so that "ends with 1234" is
  "contains 1234⏎" and the middle digits of an ID number match nothing.

A petitioner's name and ID number do not change once recorded (`petitioner_upsert`
refuses a different name for a known ID number) and a ledger number stays with its case,
so the columns change only when a case is entered or an original case is added.
`huajie search check` recomputes them from the tables and reports any difference;
`huajie search rebuild` rewrites the ones that differ.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q

LINE = "\n"
BATCH = 5_000  # cases recomputed per round trip by `differences` and `rebuild`


def columns(
    ledger_no: str, petitioners: Iterable[tuple[str, str | None]], original_numbers: Iterable[str]
) -> dict[str, str]:
    """The search columns of a case with this ledger number, these (name, ID number)
    petitioners and these original case numbers, each in id order."""
    people = list(petitioners)
    text = LINE.join([ledger_no, *(name for name, _id in people), *original_numbers])
    tails = "".join(f"{number}{LINE}" for _name, number in people if number)
    return {"search_text": text.upper(), "search_id_tails": tails.upper()}


def search_q(text: str) -> Q:
    """The cases the search box's `text` finds."""
    term = text.strip().upper()
    q = Q(search_text__contains=term)
    if term.isdigit() or (term[:-1].isdigit() and term.endswith("X")):
        q |= Q(search_id_tails__contains=term + LINE)
    return q


def refresh(case: Any) -> None:
    """Recompute `case`'s columns from its petitioners and original cases, on the instance
    and in the database (without a new version: nothing a person entered changed)."""
    from huajie.cases.models import OriginalCase, PetitionCase

    found = computed(PetitionCase, OriginalCase, [case.pk])[case.pk]
    for name, value in found.items():
        setattr(case, name, value)
    PetitionCase.objects.filter(pk=case.pk).update(**found)


def computed(
    case_model: Any, original_model: Any, case_ids: list[int]
) -> dict[int, dict[str, str]]:
    """The columns of these cases as their rows say they should be. Models are passed in so
    that a migration can use its historical ones."""
    through = case_model.petitioners.through
    people: dict[int, list[tuple[int, str, str | None]]] = defaultdict(list)
    links = through.objects.filter(petitioncase_id__in=case_ids).values_list(
        "petitioncase_id", "petitioner_id", "petitioner__name", "petitioner__id_number"
    )
    for case_id, petitioner_id, name, id_number in links:
        people[case_id].append((petitioner_id, name, id_number))
    numbers: dict[int, list[str]] = defaultdict(list)
    originals = original_model.objects.filter(case_id__in=case_ids).order_by("pk")
    for case_id, number in originals.values_list("case_id", "number"):
        numbers[case_id].append(number)
    ledger = case_model.objects.filter(pk__in=case_ids).values_list("pk", "ledger_no")
    return {
        pk: columns(
            ledger_no,
            [(name, id_number) for _p, name, id_number in sorted(people[pk])],
            numbers[pk],
        )
        for pk, ledger_no in ledger
    }


@dataclass(frozen=True)
class Difference:
    case_id: int
    ledger_no: str
    stored: dict[str, str]
    counted: dict[str, str]


def differences(case_model: Any, original_model: Any) -> Iterator[Difference]:
    """Every case whose stored columns differ from what its rows say, in id order, a batch
    of cases in memory at a time."""
    fields = ("search_text", "search_id_tails")
    for batch in _batches(case_model):
        stored = case_model.objects.filter(pk__in=batch).values_list("pk", "ledger_no", *fields)
        counted = computed(case_model, original_model, batch)
        for pk, ledger_no, *values in sorted(stored):
            have = dict(zip(fields, values, strict=True))
            if have != counted[pk]:
                yield Difference(pk, ledger_no, have, counted[pk])


def rebuild(case_model: Any, original_model: Any) -> int:
    """Rewrite the columns that differ; the number of cases rewritten. One statement a
    batch (`UPDATE … FROM (VALUES …)`, which PostgreSQL and SQLite 3.33+ both take)."""
    rewritten = 0
    pending: list[Difference] = []
    for difference in differences(case_model, original_model):
        pending.append(difference)
        if len(pending) >= BATCH // 5:
            rewritten += _write(case_model, pending)
            pending = []
    return rewritten + _write(case_model, pending)


def _batches(case_model: Any) -> Iterator[list[int]]:
    last = 0
    while True:
        batch = list(
            case_model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def _write(case_model: Any, found: list[Difference]) -> int:
    if not found:
        return 0
    quote = connection.ops.quote_name
    rows = ", ".join(["(%s, %s, %s)"] * len(found))
    params: list[Any] = []
    for d in found:
        params += [d.case_id, d.counted["search_text"], d.counted["search_id_tails"]]
    table = quote(case_model._meta.db_table)
    sql = (
        f"UPDATE {table} SET search_text = v.column2, search_id_tails = v.column3 "  # noqa: S608 (our own names; the values bind)
        f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(found)
