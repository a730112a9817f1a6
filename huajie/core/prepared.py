"""Queries Django compiles to SQL once, then runs with new parameters (issue #7).

Django builds a query's SQL every time the query is evaluated: it resolves every field,
join and ordering again. For a page that asks a dozen small questions of one row each, as
the case page does, building the SQL took longer than the database took to answer
(docs/performance.md, session 16). A `PreparedQuery` builds its queryset once, with
placeholder values where its parameters go, keeps the SQL and the compiler, and from then
on only runs the SQL and converts the rows with Django's own converters (dates on SQLite,
decimals, JSON), so the rows are exactly those the queryset would give.

A `values_list()` queryset gives its rows as tuples, in the order the fields were named;
a queryset of a model's records (no `select_related`, `only` or annotations) gives model
instances, built as Django builds them (`Model.from_db`).

A query whose SQL depends on more than its parameters (a list of courts, a day, whether
the figures are read live) is compiled once per `shape`: a hashable value the caller
derives from everything `build` reads besides the parameters. The dashboard's period
events, for one, are compiled once per area, day and kind of count, and run on every view
of that dashboard that day.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable

# Two sets of values standing in for the parameters while the query is compiled twice:
# a parameter's place in the SQL is where the first set's value and the second's appear,
# so a constant of the query that happens to equal one of them is never taken for it.
# They fit every integer field's range (Django finds no rows for a value outside it).
_FIRST = tuple(30_001 + n for n in range(16))
_SECOND = tuple(30_101 + n for n in range(16))

Converters = list[tuple[int, list[Callable[..., Any]], Expression]]


# How many shapes of one query are kept, the oldest compiled going first.
MAX_SHAPES = 256


@dataclass(frozen=True)
class _Compiled:
    sql: str | None  # None: the query can match nothing (an empty list of ids)
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, which parameter)
    columns: tuple[Expression, ...]  # what each column of a row is, for its converters
    model: type[Model] | None = None  # rows are instances of it, else tuples


class PreparedQuery:
    """`build(*parameters, **inputs)` returns a `values_list()` queryset, or a plain one of
    a model's records; calling the prepared query with parameters (and inputs) returns its
    rows as a list of tuples, or of instances.

    The SQL is compiled the first time the query runs, once per database engine and
    `shape`, for Huajie's one database (`DEFAULT_DB_ALIAS`). `build` must use its
    parameters only as values compared in the SQL (a filter's right-hand side, an `IN`
    list of fixed length), never to change the query's shape; whatever else it reads, from
    `inputs` or elsewhere, must be told by `shape`, or the SQL of another shape is run. A
    parameter may be None where the SQL compares it with `=` or `IN`: it then matches
    nothing."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], parameters: int = 1) -> None:
        if not 0 <= parameters <= len(_FIRST):
            raise ValueError(f"a prepared query takes 0 to {len(_FIRST)} parameters")
        self._build = build
        self._parameters = parameters
        self._compiled: dict[tuple[str, Hashable], _Compiled] = {}  # by vendor and shape
        self._lock = threading.Lock()

    def __call__(self, *values: Any, shape: Hashable = None, **inputs: Any) -> list[Any]:
        if len(values) != self._parameters:
            raise TypeError(f"expected {self._parameters} parameters, got {len(values)}")
        # This thread's connection: Django's connections are not shared between threads.
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled_for(connection.vendor, shape, inputs)
        if compiled.sql is None:
            return []
        params = list(compiled.params)
        for position, which in compiled.slots:
            params[position] = values[which]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        converters = _converters(compiled.columns, connection)
        if converters:
            rows = [_converted(row, converters, connection) for row in rows]
        if compiled.model is None:
            return [tuple(row) for row in rows]
        names = [column.target.attname for column in compiled.columns]  # type: ignore[attr-defined]
        return [compiled.model.from_db(DEFAULT_DB_ALIAS, names, row) for row in rows]

    def _compiled_for(self, vendor: str, shape: Hashable, inputs: dict[str, Any]) -> _Compiled:
        key = (vendor, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            n = self._parameters
            first = _compile(self._build(*_FIRST[:n], **inputs))
            second = _compile(self._build(*_SECOND[:n], **inputs))
            compiled = _prepared(first, second, n)
            with self._lock:
                self._compiled[key] = compiled
                while len(self._compiled) > MAX_SHAPES:
                    del self._compiled[next(iter(self._compiled))]
        return compiled


def _compile(queryset: QuerySet[Any, Any]) -> _Compiled:
    """The queryset's SQL with its parameters as compiled, before any is placed."""
    model = _model_of(queryset)
    if queryset.db != DEFAULT_DB_ALIAS:
        raise ValueError(f"prepared queries read the default database, not {queryset.db}")
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # as Django: no rows, without asking the database
        return _Compiled(None, (), (), ())
    columns = tuple(column for column, _, _ in compiler.select[: compiler.col_count])
    return _Compiled(sql, tuple(params), (), columns, model)


def _model_of(queryset: QuerySet[Any, Any]) -> type[Model] | None:
    """The model whose instances the rows are, None for a `values_list()` queryset's
    tuples; any other queryset is refused."""
    if queryset._iterable_class is ValuesListIterable:
        return None
    query = queryset.query
    plain = not (query.select_related or query.deferred_loading[0] or query.annotations)
    if queryset._iterable_class is ModelIterable and plain:
        return queryset.model
    raise TypeError("only values_list() querysets and plain querysets of a model are prepared")


def _prepared(first: _Compiled, second: _Compiled, parameters: int) -> _Compiled:
    """The SQL with its parameters' places, from the query compiled with each set of
    placeholders."""
    if first.sql != second.sql or len(first.params) != len(second.params):
        raise ValueError("the query's SQL must not change with its parameters")
    if first.sql is None:
        return first
    slots = tuple(
        (position, n)
        for position, (a, b) in enumerate(zip(first.params, second.params, strict=True))
        for n in range(parameters)
        if a == _FIRST[n] and b == _SECOND[n]
    )
    missing = set(range(parameters)) - {n for _, n in slots}
    if missing:
        raise ValueError(f"parameters {sorted(missing)} do not appear in the query's SQL")
    return _Compiled(first.sql, first.params, slots, first.columns, first.model)


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
