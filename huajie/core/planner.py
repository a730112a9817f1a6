"""Planner statistics after a bulk load inside one transaction.

PostgreSQL plans from the statistics it last gathered. A table emptied and vacuumed (a test
database between tests, a fresh install) is recorded as holding no rows, and the planner
keeps believing it while thousands are added inside a long transaction — nested loops over
"empty" tables then make single queries take minutes (seen: the demo load inside a test).
ANALYZE may run inside a transaction and counts that transaction's own new rows, so the rest
of the load is planned for the real sizes.
"""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> None:
    """ANALYZE on PostgreSQL (every table: a few hundred ms at demo scale); nothing on
    SQLite, whose planner does without."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
