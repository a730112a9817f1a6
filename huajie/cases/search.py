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
- `search_text_short`, `search_id_tails_short`: the same two, when both are at most
  `SHORT` characters (nearly every case); NULL for a case with more (a group petition of a
  dozen petitioners and more). They sit in an index with the court, status and ledger
  order (`case_search_by_court`), so a search reads the index alone: a province office's
  search read its 52,000 case rows scattered over 35,000 pages of the table (83 ms at a
  million cases on PostgreSQL), where the index holds them side by side in about 1,000
  pages (13 ms). The long cases, whose text an index entry cannot hold (PostgreSQL's B-tree
  takes about 2,700 bytes), are searched in their whole columns, found from an index of
  their own (`case_search_long`, which holds them alone).

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
Columns = dict[str, str | None]  # column name -> value (NULL: a short copy of a long case)
# Characters of each column a case's short copies may hold: within PostgreSQL's B-tree
# entry limit (about 2,700 bytes) with both columns at 3 bytes a character and room left.
SHORT = 250
BATCH = 5_000  # cases recomputed per round trip by `differences` and `rebuild`


def columns(
    ledger_no: str, petitioners: Iterable[tuple[str, str | None]], original_numbers: Iterable[str]
) -> Columns:
    """The search columns of a case with this ledger number, these (name, ID number)
    petitioners and these original case numbers, each in id order."""
    people = list(petitioners)
    text = LINE.join([ledger_no, *(name for name, _id in people), *original_numbers]).upper()
    tails = "".join(f"{number}{LINE}" for _name, number in people if number).upper()
    short = len(text) <= SHORT and len(tails) <= SHORT
    return {
        "search_text": text,
        "search_id_tails": tails,
        "search_text_short": text if short else None,
        "search_id_tails_short": tails if short else None,
    }


# The columns `columns` computes, in its order: what `differences` compares and `rebuild` writes.
FIELDS = tuple(columns("", [], []))


def search_q(text: str) -> Q:
    """The cases the search box's `text` finds: from the short columns where a case has
    them (read from the index), else from the whole ones."""
    from huajie.cases.models import PetitionCase

    term = text.strip().upper()
    # The long cases, found once from their own small index (`case_search_long`) and not
    # per case: a correlated subquery, even one never run, made PostgreSQL cost every plan
    # alike and read the nation's table in ledger order (1.1 s at a million cases).
    long_cases = PetitionCase.objects.filter(_matches(term, ""), search_text_short__isnull=True)
    return _matches(term, "_short") | Q(pk__in=long_cases.values("pk"))


def _matches(term: str, suffix: str) -> Q:
    """`term` in the text columns ending in `suffix`: anywhere in the text; at the end of an
    ID number if it is digits (with the X an ID number may end in)."""
    q = Q(**{f"search_text{suffix}__contains": term})
    if term.isdigit() or (term[:-1].isdigit() and term.endswith("X")):
        q |= Q(**{f"search_id_tails{suffix}__contains": term + LINE})
    return q


def refresh(case: Any) -> None:
    """Recompute `case`'s columns from its petitioners and original cases, on the instance
    and in the database (without a new version: nothing a person entered changed)."""
    from huajie.cases.models import OriginalCase, PetitionCase

    found = computed(PetitionCase, OriginalCase, [case.pk])[case.pk]
    for name, value in found.items():
        setattr(case, name, value)
    PetitionCase.objects.filter(pk=case.pk).update(**found)


def computed(case_model: Any, original_model: Any, case_ids: list[int]) -> dict[int, Columns]:
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
    stored: Columns
    counted: Columns


def differences(case_model: Any, original_model: Any) -> Iterator[Difference]:
    """Every case whose stored columns differ from what its rows say, in id order, a batch
    of cases in memory at a time."""
    fields = fields_of(case_model)
    for batch in _batches(case_model):
        stored = case_model.objects.filter(pk__in=batch).values_list("pk", "ledger_no", *fields)
        counted = computed(case_model, original_model, batch)
        for pk, ledger_no, *values in sorted(stored):
            have = dict(zip(fields, values, strict=True))
            should = {name: counted[pk][name] for name in fields}
            if have != should:
                yield Difference(pk, ledger_no, have, should)


def fields_of(case_model: Any) -> tuple[str, ...]:
    """The search columns `case_model` has: all of them, but in a migration older than one
    of them (0011 rebuilds the columns it adds, before 0015 adds the short ones)."""
    names = {field.name for field in case_model._meta.get_fields()}
    return tuple(name for name in FIELDS if name in names)


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
    fields = fields_of(case_model)
    rows = ", ".join(["(%s" + ", %s" * len(fields) + ")"] * len(found))
    params: list[Any] = []
    for d in found:
        params += [d.case_id, *(d.counted[name] for name in fields)]
    table = quote(case_model._meta.db_table)
    assignments = ", ".join(
        f"{quote(name)} = v.column{n}" for n, name in enumerate(fields, start=2)
    )
    sql = (
        f"UPDATE {table} SET {assignments} "  # noqa: S608 (our own names; the values bind)
        f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(found)
