"""The query planners' statistics: how many rows each table and index holds.

PostgreSQL plans from the statistics it last gathered. A table emptied and vacuumed (a test
database between tests, a fresh install) is recorded as holding no rows, and the planner
keeps believing it while thousands are added inside a long transaction — nested loops over
"empty" tables then make single queries take minutes (seen: the demo load inside a test).
ANALYZE may run inside a transaction and counts that transaction's own new rows, so the rest
of the load is planned for the real sizes. Afterwards autovacuum keeps them current.

SQLite gathers none by itself: without `sqlite_stat1` it takes an index on a status (six
values) to be as selective as one on a court, and at a million cases it read the country's
cases of a status for one province's workbench list. So the worker gathers them once a
night (`cases.jobs`), and the loads here when they finish. SQLite's statistics are one
average per index column (this build keeps no histograms), which misleads where values are
few and skewed: the audit log's verbs. The average said any verb matches 724,000 of its
16.7 million events at a million cases ("case.repetition" matches 67,000), and the province
dashboard's timeline read every event of the province's courts instead of its
re-petitions (94 -> 1,205 ms). The audit log is therefore left without statistics on
SQLite, where the planner's default takes an equality on an indexed column to be selective:
right for the rare verbs the dashboards ask about (docs/performance.md). It is wrong where
one case's events of a kind are looked up (the figures as of a past day, per case): there
SQLite took the verb and the time, two columns of an index, over the case, one column, and
read every re-petition of the country before the day for each case (a province's month-end
point at a million cases did not finish in ten minutes). `Unindexed` marks such a verb.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Func


class Unindexed(Func):
    """A column as it is, which SQLite's planner will not look up in an index: SQLite's
    documented way is a unary `+` before it. Other databases plan from real statistics and
    get the column unchanged. For a term less selective than another one of the same
    query, as a verb beside a case."""

    arity = 1
    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def refresh_statistics() -> None:
    """Gather every table's statistics (PostgreSQL: a few hundred ms at demo scale; SQLite:
    about 2 s at a million cases, the audit log left out)."""
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            cursor.execute("ANALYZE")
            return
        left_out = _left_out_on_sqlite()
        quote = connection.ops.quote_name
        for table in connection.introspection.table_names(cursor):
            if table not in left_out:
                cursor.execute(f"ANALYZE {quote(table)}")
        # Statistics an earlier release gathered for them would still mislead.
        marks = ", ".join(["%s"] * len(left_out))
        cursor.execute(f"DELETE FROM sqlite_stat1 WHERE tbl IN ({marks})", left_out)  # noqa: S608


def _left_out_on_sqlite() -> list[str]:
    return [apps.get_model("audit", "AuditEvent")._meta.db_table]


def gathers_statistics_itself() -> bool:
    """Whether the database keeps its planner statistics current without being asked
    (PostgreSQL's autovacuum); SQLite needs the nightly job."""
    return connection.vendor == "postgresql"
