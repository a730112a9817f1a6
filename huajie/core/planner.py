"""The query planners' statistics: how many rows each table and index holds.

PostgreSQL plans from the statistics it last gathered. A table emptied and vacuumed (a test
database between tests, a fresh install) is recorded as holding no rows, and the planner
keeps believing it while thousands are added inside a long transaction — nested loops over
"empty" tables then make single queries take minutes (seen: the demo load inside a test).
ANALYZE may run inside a transaction and counts that transaction's own new rows, so the rest
of the load is planned for the real sizes. Afterwards autovacuum keeps them current.

SQLite gathers none by itself: without `sqlite_stat1` it takes an index on a status (six
values) to be as selective as one on a court, and at a million cases it read the country's
cases of a status for one province's workbench list. Its ANALYZE reads every index (16 s
for the whole database at a million cases, docs/performance.md), so the worker runs it once a
night (`cases.jobs`), and the loads here run it when they finish.
"""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> None:
    """ANALYZE every table (PostgreSQL: a few hundred ms at demo scale)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def gathers_statistics_itself() -> bool:
    """Whether the database keeps its planner statistics current without being asked
    (PostgreSQL's autovacuum); SQLite needs the nightly job."""
    return connection.vendor == "postgresql"
