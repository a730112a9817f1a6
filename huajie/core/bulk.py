"""Writing many rows at once, below the ORM (issue #7): `huajie synth` and the ledger
import's new cases. Rows are planned in Python with their ids, then streamed to the database
in one statement per table and batch: COPY on PostgreSQL, executemany on SQLite.

Two ways to number rows before they are written:

- `Ids`: from each table's current maximum. Only for a database nobody else writes to (synth
  on a database it made): the same seed then gives the same ids on every run.
- `reserved_ids()`: for the live database. On PostgreSQL the ids are taken from the tables'
  own sequences in blocks (concurrent writers get other numbers); on SQLite the maximum is
  safe because the transaction is IMMEDIATE (config/settings.py): it holds the write lock
  from its first statement, so no other writer can take a number before the commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
import select
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.db.models.base import ModelState

Row = dict[str, Any]

# One encoder for the whole run: json.dumps with options builds a new one on every call.
# The same settings as huajie.audit.services._canonical.
JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)


class EncodedJSON(str):
    """A JSON column's value already encoded (the audit chain hashes the same text): the
    writer stores it as it is instead of encoding it again."""


def _json_column(value: Any) -> str:
    return str.__str__(value) if isinstance(value, EncodedJSON) else JSON.encode(value)


class Ids:
    """The next id of each table, from its current maximum: rows reference each other before
    they are written, and the numbers are the same on every run against an empty database."""

    def __init__(self, models: list[type[Model]]) -> None:
        self._next = {m: (m._default_manager.aggregate(n=Max("pk"))["n"] or 0) + 1 for m in models}

    def take(self, model: type[Model]) -> int:
        value = self._next[model]
        self._next[model] = value + 1
        return value

    def have(self, model: type[Model], count: int) -> None:
        """Make sure `count` ids can be taken without a query (none may run inside a COPY).
        Numbering from the maxima never queries again."""


class SequenceIds(Ids):
    """Ids from PostgreSQL's sequences, reserved `block` at a time with one query: other
    writers may take numbers in between, so the ids are increasing but not contiguous."""

    def __init__(self, models: list[type[Model]], block: int = 2000) -> None:
        self.block = block
        self._reserved: dict[type[Model], deque[int]] = {m: deque() for m in models}

    def take(self, model: type[Model]) -> int:
        reserved = self._reserved[model]
        if not reserved:
            reserved.extend(self._reserve(model, self.block))
        return reserved.popleft()

    def have(self, model: type[Model], count: int) -> None:
        reserved = self._reserved[model]
        if len(reserved) < count:
            reserved.extend(self._reserve(model, max(self.block, count - len(reserved))))

    def _reserve(self, model: type[Model], count: int) -> list[int]:
        table, column = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())


def reserved_ids(models: list[type[Model]]) -> Ids:
    """Ids for rows written into the live database inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("reserved ids are only safe inside the writing transaction")
    return SequenceIds(models) if connection.vendor == "postgresql" else Ids(models)


class FreshStatistics:
    """Keeps PostgreSQL's statistics of a table current while a long transaction fills it.

    The planner plans from statistics taken before: a table it believes nearly empty is
    read whole instead of through its unique index, so each of a long import's look-ups
    costs more than the one before. Once the rows written since the last look at least
    equal those the statistics know of (and `least` of them), the table is analysed again:
    a handful of times for any import, however long. ANALYZE inside the transaction counts
    its own new rows; without ownership of the table it warns and changes nothing. A no-op
    on SQLite, whose planner does not estimate from row counts."""

    def __init__(self, model: type[Model], least: int = 5000) -> None:
        self.model = model
        self.least = least
        self.known: int | None = None  # rows the statistics know of
        self.written = 0  # since

    def wrote(self, rows: int) -> None:
        if connection.vendor != "postgresql":
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            if self.known is None:
                cursor.execute(
                    "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
                    [table],
                )
                found = cursor.fetchone()
                self.known = int(found[0]) if found else 0
            self.written += rows
            if self.written >= max(self.least, self.known):
                cursor.execute(f"ANALYZE {table}")
                self.known, self.written = self.known + self.written, 0


# While `foreign_keys_checked_meanwhile` has the checks in flight: how to wait for them. The
# connection takes no other command until their answer is read.
_checks_in_flight: ContextVar[Callable[[], None] | None] = ContextVar(
    "huajie_checks_in_flight", default=None
)


@contextmanager
def foreign_keys_checked_meanwhile() -> Iterator[None]:
    """Have PostgreSQL check the transaction's pending foreign keys while the caller works
    in Python, instead of all of them at the commit with the caller waiting.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: every row written queues a
    check for the commit (about two million for a 100,000-row ledger, a seventh of the
    import). `SET CONSTRAINTS ALL IMMEDIATE` runs the queued checks at once; it is sent
    without waiting for the answer (libpq's asynchronous `send_query`, through psycopg's
    documented `pgconn`), followed by `SET CONSTRAINTS ALL DEFERRED` so later rows are
    deferred again. The answer is read when the block ends, or before the block's first
    query (a Django execute wrapper) or bulk write, which then waits for the checks; a
    violated key raises IntegrityError there, as it would have at the commit. A no-op on
    SQLite, which checks no keys here, and outside a transaction."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    pgconn = connection.connection.pgconn
    pgconn.send_query(b"SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
    while pgconn.flush():  # non-blocking connection: send the rest once writable
        select.select([], [pgconn.socket], [])
    answered = False

    def await_checks() -> None:
        nonlocal answered
        if not answered:
            answered = True
            _collect_results(pgconn)

    def query_after_checks(execute: Any, sql: Any, params: Any, many: Any, context: Any) -> Any:
        await_checks()
        return execute(sql, params, many, context)

    token = _checks_in_flight.set(await_checks)
    try:
        with connection.execute_wrapper(query_after_checks):
            yield
    finally:
        _checks_in_flight.reset(token)
        await_checks()


def _await_checks_in_flight() -> None:
    if (await_checks := _checks_in_flight.get()) is not None:
        await_checks()


def _collect_results(pgconn: Any) -> None:
    """Wait for the answers to `send_query`; raise the first error as IntegrityError."""
    from psycopg import pq

    error = None
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK and error is None:
            error = (result.error_message or b"").decode(errors="replace")
    if error is not None:
        raise IntegrityError(error)


def _plain_defaults(model: Any) -> dict[str, Any]:
    """The value of each column a row may leave out: a constant default, else NULL or ""
    where allowed. Columns with a callable default (clock.now) must always be given."""
    defaults = {}
    for f in model._meta.concrete_fields:
        if f.has_default() and not callable(f.default):
            defaults[f.attname] = f.default
        elif f.has_default():
            continue
        elif f.null:
            defaults[f.attname] = None
        elif f.blank and f.get_internal_type() in ("CharField", "TextField"):
            defaults[f.attname] = ""
    return defaults


class Writer:
    """Buffers rows per model and writes them in bulk: COPY on PostgreSQL, executemany on
    SQLite. A row is a dict by attribute name (`add`; every column must be given or have a
    constant default: no callable default such as clock.now may sneak in) or an unsaved
    model instance (`add_object`). Rows are turned into column values as they are added."""

    def __init__(self, order: list[Any], database_ids: list[Any] | None = None) -> None:
        self.order = list(order)  # parents first, though the FKs are checked at commit
        # Models whose rows come without an id: the database numbers them in row order.
        self.database_ids = set(database_ids or ())
        self.buffers: dict[Any, list[list[Any]]] = {model: [] for model in order}
        self.defaults: dict[Any, dict[str, Any]] = {m: _plain_defaults(m) for m in order}
        self.fields: dict[Any, list[Any]] = {
            m: [
                f for f in m._meta.concrete_fields if not (f.primary_key and m in self.database_ids)
            ]
            for m in order
        }
        self.getters = {m: operator.attrgetter(*(f.attname for f in self.fields[m])) for m in order}
        self.written: dict[str, int] = {}
        self.postgres = connection.vendor == "postgresql"

    def line(self, model: Any, row: Row) -> list[Any]:
        """`row`'s column values, in the table's column order."""
        defaults = self.defaults[model]
        # A column neither given nor defaultable raises KeyError: a bug here, not data.
        return [
            row[f.attname] if f.attname in row else defaults[f.attname] for f in self.fields[model]
        ]

    def line_of(self, model: Any, obj: Model) -> list[Any]:
        return list(self.getters[model](obj))

    def add(self, model: Any, row: Row) -> None:
        self.buffers[model].append(self.line(model, row))

    def add_object(self, model: Any, obj: Model) -> None:
        self.buffers[model].append(self.line_of(model, obj))

    def pending(self) -> int:
        return sum(len(rows) for rows in self.buffers.values())

    def flush(self) -> None:
        with transaction.atomic():
            for model in self.order:
                rows = self.buffers[model]
                if rows:
                    self._write(model, rows)
                    rows.clear()

    def stream(self, model: Any, lines: Iterable[list[Any]]) -> None:
        """Write `lines` (from `line` / `line_of`) as they come, in one statement, without
        buffering: PostgreSQL takes in each row while the caller makes the next, instead
        of all of them after. Nothing may query the database while `lines` is iterated
        (the connection is inside a COPY); the caller's transaction holds the rows."""
        if not connection.in_atomic_block:
            raise RuntimeError("a stream is only written inside the caller's transaction")
        self._write(model, lines)

    def _write(self, model: Any, lines: Iterable[list[Any]]) -> None:
        converters = self._converters(self.fields[model])
        count = 0

        def converted() -> Iterator[list[Any]]:
            nonlocal count
            for line in lines:
                for index, convert in converters:
                    if line[index] is not None:
                        line[index] = convert(line[index])
                count += 1
                yield line

        quoted = ", ".join(connection.ops.quote_name(f.column) for f in self.fields[model])
        name = connection.ops.quote_name(model._meta.db_table)
        _await_checks_in_flight()  # a COPY bypasses Django's execute wrappers
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                    for line in converted():
                        copy.write_row(line)
            else:
                marks = ", ".join(["%s"] * len(self.fields[model]))
                # Table and column names come from the models' metadata, quoted; values bind.
                sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"  # noqa: S608
                # In-process: nothing to overlap, so the lines are simply gathered first.
                cursor.executemany(sql, list(converted()))
        label = model._meta.label
        self.written[label] = self.written.get(label, 0) + count

    def _converters(self, fields: list[Any]) -> list[tuple[int, Callable[[Any], Any]]]:
        """Per column, how a Python value becomes what the driver takes: JSON as text on
        both; on SQLite also datetimes as naive UTC text (as Django stores them), dates as
        ISO text, decimals as text."""
        table: dict[str, Callable[[Any], Any]] = {"JSONField": _json_column}
        if not self.postgres:
            table.update(
                DateTimeField=_sqlite_datetime,
                DateField=dt.date.isoformat,
                DecimalField=str,
            )
        return [
            (index, table[f.get_internal_type()])
            for index, f in enumerate(fields)
            if f.get_internal_type() in table
        ]


@functools.lru_cache(maxsize=1 << 18)  # the same few moments recur across cases
def _sqlite_datetime(value: dt.datetime) -> str:
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


class Prototype:
    """Unsaved instances of one model without `Model.__init__`, which costs about 0.1 ms for
    a model of fifty fields (a third of the bulk import's time): each is a copy of one
    instance made with the model's defaults, with `values` set as attributes (foreign keys
    through their descriptors, as the constructor would).

    Fields whose default is computed (clock.now) must be given: a copied moment would be
    the prototype's."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        template = model()
        self._values = {k: v for k, v in template.__dict__.items() if k != "_state"}
        fields = model._meta.concrete_fields
        self._computed = {f.attname for f in fields if f.has_default() and callable(f.default)}
        for name, value in self._values.items():
            if isinstance(value, dict | list | set):
                raise TypeError(f"{model.__name__}.{name}: a mutable default would be shared")

    def make(self, **values: Any) -> Any:
        missing = self._computed - values.keys()
        if missing:
            raise TypeError(f"{self.model.__name__}: give {', '.join(sorted(missing))}")
        obj = self.model.__new__(self.model)
        obj.__dict__.update(self._values)
        obj._state = ModelState()
        for name, value in values.items():
            setattr(obj, name, value)
        return obj
