"""Queries Django compiles to SQL once, then runs with new parameters (issue #7).

Django builds a query's SQL every time the query is evaluated: it resolves every field,
join and ordering again. For a page that asks a dozen small questions of one row each, as
the case page does, building the SQL took longer than the database took to answer
(docs/performance.md, session 16). A `PreparedQuery` builds its queryset once, with
placeholder values where its parameters go, keeps the SQL and the compiler, and from then
on only runs the SQL and converts the rows with Django's own converters (dates on SQLite,
decimals, JSON), so the rows are exactly those the queryset would give.

Only `values_list()` querysets are prepared: rows are tuples, in the order the fields
were named.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, QuerySet
from django.db.models.query import ValuesListIterable

# Values no real parameter takes, standing in for the parameters while the query is
# compiled. They fit a 32-bit integer column, so any integer field's lookup accepts them.
_PLACEHOLDERS = tuple(-1_999_999_000 - n for n in range(16))

Converters = list[tuple[int, list[Callable[..., Any]], Expression]]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, which parameter)
    columns: tuple[Expression, ...]  # what each column of a row is, for its converters


class PreparedQuery:
    """`build(*parameters)` returns a `values_list()` queryset; calling the prepared query
    with parameters returns its rows as a list of tuples.

    The SQL is compiled once per database engine, the first time the query runs, for
    Huajie's one database (`DEFAULT_DB_ALIAS`). `build`
    must use its parameters only as values compared in the SQL (a filter's right-hand
    side, an `IN` list of fixed length), never to change the query's shape. A parameter
    may be None where the SQL compares it with `=` or `IN`: it then matches nothing."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], parameters: int = 1) -> None:
        if not 0 < parameters <= len(_PLACEHOLDERS):
            raise ValueError(f"a prepared query takes 1 to {len(_PLACEHOLDERS)} parameters")
        self._build = build
        self._parameters = parameters
        self._compiled: dict[str, _Compiled] = {}  # by the engine's vendor

    def __call__(self, *values: Any) -> list[tuple[Any, ...]]:
        if len(values) != self._parameters:
            raise TypeError(f"expected {self._parameters} parameters, got {len(values)}")
        # This thread's connection: Django's connections are not shared between threads.
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled_for(connection.vendor)
        params = list(compiled.params)
        for position, which in compiled.slots:
            params[position] = values[which]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        converters = _converters(compiled.columns, connection)
        if not converters:
            return [tuple(row) for row in rows]
        return [_converted(row, converters, connection) for row in rows]

    def _compiled_for(self, vendor: str) -> _Compiled:
        compiled = self._compiled.get(vendor)
        if compiled is None:
            queryset = self._build(*_PLACEHOLDERS[: self._parameters])
            compiled = self._compiled[vendor] = _compile(queryset, self._parameters)
        return compiled


def _compile(queryset: QuerySet[Any, Any], parameters: int) -> _Compiled:
    if queryset._iterable_class is not ValuesListIterable:
        raise TypeError("only values_list() querysets can be prepared")
    if queryset.db != DEFAULT_DB_ALIAS:
        raise ValueError(f"prepared queries read the default database, not {queryset.db}")
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    columns = tuple(column for column, _, _ in compiler.select[: compiler.col_count])
    return _Compiled(sql, tuple(params), _slots(params, parameters), columns)


def _slots(params: Sequence[Any], parameters: int) -> tuple[tuple[int, int], ...]:
    placeholders = {value: n for n, value in enumerate(_PLACEHOLDERS[:parameters])}
    slots = tuple(
        (position, placeholders[value])
        for position, value in enumerate(params)
        if isinstance(value, int) and value in placeholders
    )
    missing = set(range(parameters)) - {which for _, which in slots}
    if missing:
        raise ValueError(f"parameters {sorted(missing)} do not appear in the query's SQL")
    return slots


def _converters(columns: Sequence[Expression], connection: BaseDatabaseWrapper) -> Converters:
    """What Django converts each column's values with on this connection, as
    `SQLCompiler.get_converters` finds them."""
    found = []
    for position, column in enumerate(columns):
        backend = connection.ops.get_db_converters(column)
        field = column.get_db_converters(connection)
        if backend or field:
            found.append((position, backend + field, column))
    return found


def _converted(
    row: Sequence[Any], converters: Converters, connection: BaseDatabaseWrapper
) -> tuple[Any, ...]:
    values = list(row)
    for position, functions, column in converters:
        value = values[position]
        for convert in functions:
            value = convert(value, column, connection)
        values[position] = value
    return tuple(values)
