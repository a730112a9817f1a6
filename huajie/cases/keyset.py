"""Keyset ("seek") pagination for the ledger list.

OFFSET pagination reads and throws away every row before the page, so page 2,000 of a
national list costs 100,000 rows. A keyset page instead starts from the last row the user
saw — `WHERE (key, pk) > (last key, last pk) ORDER BY key, pk LIMIT n` — which an index on
the sort key answers in the same time on every page.

A cursor is that (key, pk) pair, signed so that a hand-edited URL cannot smuggle an
arbitrary value into the query, and carried in the page's links (`after` / `before`) with
the page number it leads to (`p`, only for display). `last=1` asks for the last page.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from django.core import signing
from django.db.models import Count, F, Q, QuerySet, Value, Window
from django.db.models.functions import Coalesce, Concat

from huajie.cases.models import PetitionCase

SORTS: dict[str, str] = {
    "ledger_no": "ledger_no",
    "court": "court__path",
    "status": "status",
    "updated": "updated_at",
    "risk": "risk_level",
    "leader": "leader__name",
}
# Sort keys that can be NULL are compared as "" so that the (key, pk) order is total.
_NULLABLE = {"leader__name"}
_DATETIME = {"updated_at"}
_SIGNER = signing.Signer(salt="huajie.cases.keyset")


@dataclass(frozen=True)
class Cursor:
    key: Any
    pk: int

    def encode(self) -> str:
        key = self.key.isoformat() if isinstance(self.key, dt.datetime) else self.key
        raw = json.dumps([key, self.pk], ensure_ascii=False, separators=(",", ":"))
        packed = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        return _SIGNER.sign(packed)

    @classmethod
    def decode(cls, token: str, field: str) -> Cursor | None:
        """The cursor in `token`, or None for a token that was not made here."""
        try:
            packed = _SIGNER.unsign(token)
            raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
            key, pk = json.loads(raw)
            if field in _DATETIME:
                key = dt.datetime.fromisoformat(key)
            if not isinstance(pk, int) or not isinstance(key, str | dt.datetime):
                return None
        except (signing.BadSignature, ValueError, TypeError):
            return None
        return cls(key, pk)


Row = TypeVar("Row")
# A page's (sort key, id) pairs, in the page's order.
Keys = list[tuple[Any, int]]
# The annotation `with_sort_key` orders by, and the id.
_KEY_FIELDS = ("sort_key", "pk")
# What reads a page's rows: given the page's cases (unordered) and their ids in order, the
# rows in that order.
Reader = Callable[[QuerySet[PetitionCase], list[int]], Sequence[Row]]


@dataclass
class KeysetPage(Generic[Row]):
    """One page of rows and what the pager needs to link to its neighbours."""

    rows: Sequence[Row]
    count: int
    number: int
    size: int
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.size))

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


def sort_field(sort: str) -> tuple[str, bool]:
    """The model field behind a `sort` parameter and whether it runs descending."""
    return SORTS.get(sort.lstrip("-"), "ledger_no"), sort.startswith("-")


# Sort keys with an index in their order (`case_by_ledger_no`).
_INDEXED = {"ledger_no"}


def with_sort_key(
    qs: QuerySet[PetitionCase], sort: str, *, by_index: bool = True
) -> QuerySet[PetitionCase]:
    """`qs` annotated with `sort_key` and ordered by (sort_key, pk) in the sort's direction.

    `by_index` False: the same order in a form no index serves, so that the database sorts
    the rows that match instead of reading the key's index in order until a page is full.
    Reading in order pays only when the rows are spread evenly over the index, as every
    court's are; a province's or an area's cases lie in runs of ledger numbers (a prefix
    per province), and PostgreSQL walked past the others' (44 ms for an area's page at a
    million cases, where sorting it takes 7; for a province, up to the whole index)."""
    field, descending = sort_field(sort)
    key: Any = Coalesce(F(field), Value("")) if field in _NULLABLE else F(field)
    if field in _INDEXED and not by_index:
        key = Concat(F(field), Value(""))
    ordered = qs.annotate(sort_key=key)
    if descending:
        return ordered.order_by("-sort_key", "-pk")
    return ordered.order_by("sort_key", "pk")


def _beyond(cursor: Cursor, forward: bool) -> Q:
    """Rows strictly after (forward) or before the cursor in ascending (key, pk) order.

    The first condition follows from the second; it is there for the index: `key >= k`
    starts a range scan of an index on the key at k, where the OR alone has PostgreSQL
    read the index from its start and filter (a deep page read every row before it)."""
    op, bound = ("gt", "gte") if forward else ("lt", "lte")
    strictly = Q(**{f"sort_key__{op}": cursor.key}) | Q(
        sort_key=cursor.key, **{f"pk__{op}": cursor.pk}
    )
    return Q(**{f"sort_key__{bound}": cursor.key}) & strictly


@overload
def keyset_page(
    qs: QuerySet[PetitionCase],
    *,
    sort: str,
    size: int,
    read: None = None,
    after: str = "",
    before: str = "",
    last: bool = False,
    number: int = 1,
    count_in_one_pass: bool = False,
) -> KeysetPage[PetitionCase]: ...


@overload
def keyset_page(
    qs: QuerySet[PetitionCase],
    *,
    sort: str,
    size: int,
    read: Reader[Row],
    after: str = "",
    before: str = "",
    last: bool = False,
    number: int = 1,
    count_in_one_pass: bool = False,
) -> KeysetPage[Row]: ...


def keyset_page(
    qs: QuerySet[PetitionCase],
    *,
    sort: str,
    size: int,
    read: Reader[Any] | None = None,
    after: str = "",
    before: str = "",
    last: bool = False,
    number: int = 1,
    count_in_one_pass: bool = False,
) -> KeysetPage[Any]:
    """The page after cursor `after`, before cursor `before`, the last page, or the first.

    `qs` must come from `with_sort_key`. The page is found by its rows' sort keys and ids
    alone (see `_keys`); `read` then reads the rows of those ids, in that order: the cases
    by default, or what the caller shows of them (the list reads only its columns, as
    values: no case is built). It is given them as cases of `qs` (its filters name the
    courts, and the database joins only those) and their ids. A cursor that does not
    decode starts from the top.
    `count_in_one_pass`: the filter reads every matching row from the table anyway (the
    search), so the first page counts them in the same pass instead of a second one."""
    read_rows = read or _in_order
    field, descending = sort_field(sort)
    after_cursor = Cursor.decode(after, field) if after else None
    before_cursor = Cursor.decode(before, field) if before and not after_cursor else None
    if not (after_cursor or before_cursor or last):
        return _first_page(qs, read_rows, size, count_in_one_pass)
    count = qs.count()
    pages = max(1, math.ceil(count / size))
    backwards = False
    window = qs
    if after_cursor:
        window = qs.filter(_beyond(after_cursor, forward=not descending))
    elif before_cursor:
        window = qs.reverse().filter(_beyond(before_cursor, forward=descending))
        backwards = True
    elif last and count > size:
        window = qs.reverse()
        size_of_last = count - (pages - 1) * size
        keys = _keys(window, size_of_last)[::-1]
        return _page(qs, read_rows, keys, count, pages, size, more_before=True, more_after=False)
    else:
        number = 1
    keys = _keys(window, size + 1)
    more = len(keys) > size
    keys = keys[:size]
    if backwards:
        keys.reverse()
        number = max(2, number) if more else 1
        return _page(qs, read_rows, keys, count, number, size, more_before=more, more_after=True)
    first = window is qs
    number = 1 if first else min(max(2, number), pages)
    return _page(qs, read_rows, keys, count, number, size, more_before=not first, more_after=more)


def _first_page(
    qs: QuerySet[PetitionCase], read: Reader[Row], size: int, count_in_one_pass: bool
) -> KeysetPage[Row]:
    """The first page. A list that fits on it is counted by its length, without a count
    query: most lists of one court's cases, filtered."""
    if count_in_one_pass:
        found, count = _counted(qs, _KEY_FIELDS, 0, size + 1)
        keys = [(key, pk) for key, pk in found]
    else:
        keys = _keys(qs, size + 1)
        count = len(keys) if len(keys) <= size else qs.count()
    more = len(keys) > size
    return _page(qs, read, keys[:size], count, 1, size, more_before=False, more_after=more)


def _keys(window: QuerySet[PetitionCase], limit: int) -> Keys:
    """The sort keys and ids of the first `limit` rows of `window`.

    Finding a page means ordering every row of the scope that matches. Asking only for the
    key and the id, that is answered from an index holding the filters' and sorts' columns
    (`case_list_by_court`) without the table; asking for the rows' columns too had
    PostgreSQL fetch every matching row from the table before sorting (a province's 52,000
    cases, scattered over a million: 290 ms). The page's rows are then read by id, one
    more query."""
    return list(window.values_list(*_KEY_FIELDS)[:limit])


def rows_found_by_id(qs: QuerySet[PetitionCase], start: int, stop: int) -> list[PetitionCase]:
    """`qs[start:stop]`, found by id first and then read (see `_keys`); for the API's list,
    which pages by offset."""
    return _read(qs, list(qs.values_list("pk", flat=True)[start:stop]))


def _counted(
    qs: QuerySet[PetitionCase], fields: tuple[str, ...], start: int, stop: int
) -> tuple[list[tuple[Any, ...]], int]:
    """`fields` of `qs[start:stop]` and how many rows `qs` has, in one query unless the
    slice is past the end (`COUNT(*) OVER ()` counts every matching row before the limit;
    past the end no row carries it)."""
    counted = qs.annotate(matches=Window(Count("pk")))
    found = list(counted.values_list(*fields, "matches")[start:stop])
    if found:
        return [row[:-1] for row in found], found[0][-1]
    return [], qs.count() if start else 0


def counted_rows_found_by_id(
    qs: QuerySet[PetitionCase], start: int, stop: int
) -> tuple[list[PetitionCase], int]:
    """`rows_found_by_id` and how many rows `qs` has, counted in the same pass: for a
    search, whose every matching row is read from the table anyway."""
    found, count = _counted(qs, ("pk",), start, stop)
    return _read(qs, [pk for (pk,) in found]), count


def _read(window: QuerySet[PetitionCase], keys: list[int]) -> list[PetitionCase]:
    """The rows of `window` with these ids, in this order."""
    return _in_order(_of_ids(window, keys), keys)


def _of_ids(window: QuerySet[PetitionCase], keys: list[int]) -> QuerySet[PetitionCase]:
    return window.order_by().filter(pk__in=keys)


def _in_order(cases: QuerySet[PetitionCase], keys: list[int]) -> list[PetitionCase]:
    found = cases.in_bulk()
    return [found[pk] for pk in keys if pk in found]


def _page(
    qs: QuerySet[PetitionCase],
    read: Reader[Row],
    keys: Keys,
    count: int,
    number: int,
    size: int,
    *,
    more_before: bool,
    more_after: bool,
) -> KeysetPage[Row]:
    ids = [pk for _key, pk in keys]
    page = KeysetPage(read(_of_ids(qs, ids), ids), count, number, size)
    if keys and more_after:
        page.next_cursor = Cursor(*keys[-1]).encode()
    if keys and more_before:
        page.previous_cursor = Cursor(*keys[0]).encode()
    return page
