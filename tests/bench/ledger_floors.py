"""The bare-SQL floors of the ledger benchmark (issue #7): what the database must do anyway.

- Import: store the rows the import stored. Every table the import added rows to is given an
  empty twin with the same indexes (no foreign keys), and the new rows are sent to it by the
  fastest bare means each database has (COPY on PostgreSQL, one `executemany` on SQLite);
  the sending is timed, then everything is rolled back.
- Export: read what the exporter writes for the cases, with one hand-written query per
  kind of row (the cases with their court and team, petitioners, original cases, the visits'
  first, last and count, measures, acceptance requests, the leaders' positions), every row
  fetched.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

from django.apps import apps
from django.db import connection, transaction


def _tables() -> dict[str, str]:
    """Every table of the project's models and their many-to-many links, by name, with the
    name of its primary key."""
    found: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        if model.__module__.startswith("huajie.") or model._meta.auto_created:
            found[model._meta.db_table] = str(model._meta.pk.column)
    return found


def high_water_marks() -> dict[str, int]:
    """Each table's largest primary key now (0 for an empty table)."""
    marks = {}
    with connection.cursor() as cursor:
        for table, pk in _tables().items():
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608
            marks[table] = int(cursor.fetchone()[0])
    return marks


class _Undo(Exception):
    pass


def stored_rows_floor(before: dict[str, int]) -> tuple[float, int]:
    """Seconds to store the rows added since `before` by bare SQL, and how many rows."""
    elapsed, rows = 0.0, 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for table, pk in _tables().items():
                if table not in before:
                    continue
                seconds, count = _store_again(cursor, table, pk, before[table])
                elapsed, rows = elapsed + seconds, rows + count
            raise _Undo
    except _Undo:
        pass
    return elapsed, rows


def _store_again(cursor: Any, table: str, pk: str, after: int) -> tuple[float, int]:
    twin = f"bench_floor_{table}"
    select = f'SELECT * FROM "{table}" WHERE "{pk}" > %s ORDER BY "{pk}"'  # noqa: S608
    if connection.vendor == "postgresql":
        cursor.execute(f'CREATE TABLE "{twin}" (LIKE "{table}" INCLUDING ALL)')
        # The rows go through a file, not memory: the phase's peak memory is the import's.
        with tempfile.TemporaryFile() as rows:
            count = 0
            with cursor.copy(f"COPY ({select}) TO STDOUT", (after,)) as copy:
                for block in copy:
                    rows.write(block)
                    count += bytes(block).count(b"\n")
            if not count:
                return 0.0, 0
            rows.seek(0)
            started = time.perf_counter()
            with cursor.copy(f'COPY "{twin}" FROM STDIN') as copy:
                while block := rows.read(1 << 20):
                    copy.write(block)
            return time.perf_counter() - started, count
    cursor.execute(f'CREATE TABLE "{twin}" AS SELECT * FROM "{table}" WHERE 0')  # noqa: S608
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
        "AND sql IS NOT NULL",
        (table,),
    )
    for name, sql in cursor.fetchall():
        cursor.execute(
            sql.replace(f'"{name}"', f'"bench_floor_{name}"', 1).replace(
                f'ON "{table}"', f'ON "{twin}"', 1
            )
        )
    # Read in batches (not timed) and insert each (timed): the phase's peak memory stays
    # the import's.
    elapsed, count = 0.0, 0
    with connection.cursor() as reader:
        reader.execute(select, (after,))
        while batch := reader.fetchmany(10_000):
            marks = ", ".join(["%s"] * len(batch[0]))
            started = time.perf_counter()
            cursor.executemany(f'INSERT INTO "{twin}" VALUES ({marks})', batch)  # noqa: S608
            elapsed += time.perf_counter() - started
            count += len(batch)
    return elapsed, count


def export_floor(campaign_id: int) -> tuple[float, int]:
    """Seconds to read what the exporter writes for the campaign's cases, and the cases."""
    from huajie.cases.models import (
        AcceptanceRequest,
        Measure,
        OriginalCase,
        PetitionCase,
        Petitioner,
        Visit,
    )
    from huajie.courts.models import Court, Person, Position

    t = {
        "case": PetitionCase._meta.db_table,
        "link": PetitionCase.petitioners.through._meta.db_table,
        "petitioner": Petitioner._meta.db_table,
        "original": OriginalCase._meta.db_table,
        "visit": Visit._meta.db_table,
        "measure": Measure._meta.db_table,
        "request": AcceptanceRequest._meta.db_table,
        "court": Court._meta.db_table,
        "person": Person._meta.db_table,
        "position": Position._meta.db_table,
    }
    mine = f"(SELECT id FROM {t['case']} WHERE campaign_id = %s)"  # noqa: S608
    people = "".join(
        f" LEFT JOIN {t['person']} {alias} ON {alias}.id = c.{column}"
        for alias, column in (
            ("l", "leader_id"),
            ("dl", "division_leader_id"),
            ("s", "staff_id"),
            ("pc", "petition_contact_id"),
        )
    )
    queries = [
        f"SELECT c.*, ct.short_name, l.name, dl.name, s.name, pc.name FROM {t['case']} c"  # noqa: S608
        f" JOIN {t['court']} ct ON ct.id = c.court_id{people}"
        f" WHERE c.campaign_id = %s ORDER BY c.id",
        f"SELECT k.petitioncase_id, p.* FROM {t['link']} k"  # noqa: S608
        f" JOIN {t['petitioner']} p ON p.id = k.petitioner_id"
        f" WHERE k.petitioncase_id IN {mine} ORDER BY p.id",
        f"SELECT o.*, ct.short_name FROM {t['original']} o"  # noqa: S608
        f" LEFT JOIN {t['court']} ct ON ct.id = o.court_id WHERE o.case_id IN {mine}",
        f"SELECT case_id, MIN(visited_on), MAX(visited_on), COUNT(*) FROM {t['visit']}"  # noqa: S608
        f" WHERE case_id IN {mine} GROUP BY case_id",
        f"SELECT * FROM {t['measure']} WHERE case_id IN {mine}"  # noqa: S608
        f" ORDER BY case_id, taken_on, id",
        f"SELECT * FROM {t['request']} WHERE case_id IN {mine} ORDER BY id",  # noqa: S608
        f"SELECT p.person_id, p.title FROM {t['position']} p"  # noqa: S608
        f" WHERE p.person_id IN (SELECT leader_id FROM {t['case']} WHERE campaign_id = %s)",
    ]
    counts = []
    started = time.perf_counter()
    # Every row fetched, in batches through a server-side cursor where there is one: the
    # phase's peak memory stays the exporter's.
    with transaction.atomic():
        for sql in queries:
            with connection.chunked_cursor() as cursor:
                cursor.execute(sql, (campaign_id,))
                count = 0
                while batch := cursor.fetchmany(5_000):
                    count += len(batch)
                counts.append(count)
    return time.perf_counter() - started, counts[0]
