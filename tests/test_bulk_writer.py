"""`huajie.core.bulk`: the pieces that let the ledger import (R22, issue #7) overlap its work
with PostgreSQL's: rows streamed into a COPY as they are made, ids reserved before a stream,
and the deferred foreign-key checks run while Python works instead of at the commit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from huajie.audit.models import AuditEvent
from huajie.cases.models import Notification, NotificationKind, PetitionCase, Petitioner
from huajie.core.bulk import Writer, foreign_keys_checked_meanwhile, reserved_ids

NOWHERE = 987_654_321  # an id no row has


def _dangling_notification() -> None:
    """A row whose foreign keys point nowhere: accepted now, refused when checked."""
    Notification.objects.create(
        recipient_id=NOWHERE,
        case_id=NOWHERE,
        kind=NotificationKind.TEAM,
        text="悬空",
        created_at=dt.datetime(2019, 9, 1, tzinfo=dt.UTC),
    )


@pytest.mark.django_db
def test_the_keys_written_so_far_are_checked_when_the_block_ends() -> None:
    """On PostgreSQL a dangling key raises at the end of the block (the check was sent at
    its start, and the block's Python ran meanwhile), not later at the commit. SQLite
    checks nothing here and asks nothing. (Each case in a savepoint, rolled back: the
    test's own transaction must stay whole.)"""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            _dangling_notification()
            with CaptureQueriesContext(connection) as queries, foreign_keys_checked_meanwhile():
                pass
            transaction.set_rollback(True)
        assert queries.captured_queries == []
        return
    with pytest.raises(IntegrityError, match="foreign key"), transaction.atomic():
        _dangling_notification()
        with foreign_keys_checked_meanwhile():
            pass


@pytest.mark.django_db
def test_after_the_block_keys_are_deferred_again() -> None:
    """The block ends with SET CONSTRAINTS ALL DEFERRED: a later row may still refer to
    one written after it (as the services do), and is checked at the next block."""
    with transaction.atomic():
        with foreign_keys_checked_meanwhile():
            pass
        _dangling_notification()  # accepted: deferred
        transaction.set_rollback(True)
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            _dangling_notification()
            with foreign_keys_checked_meanwhile():
                pass


@pytest.mark.django_db(transaction=True)
def test_the_check_needs_a_transaction_and_a_stream_refuses_without_one() -> None:
    """Outside a transaction there is nothing deferred to check (the block asks nothing);
    a stream's rows would be committed one statement at a time, so it refuses."""
    with CaptureQueriesContext(connection) as queries, foreign_keys_checked_meanwhile():
        pass
    assert queries.captured_queries == []
    writer = Writer([AuditEvent], database_ids=[AuditEvent])
    with pytest.raises(RuntimeError, match="transaction"):
        writer.stream(AuditEvent, iter([]))


@pytest.mark.django_db
def test_a_stream_writes_its_rows_in_order_and_counts_them() -> None:
    """`Writer.stream` writes lines as they are made (a generator here), in one
    statement, numbered by the database in that order."""
    writer = Writer([Petitioner])
    ids = reserved_ids([Petitioner])
    ids.have(Petitioner, 3)
    numbers = [ids.take(Petitioner) for _ in range(3)]
    now = dt.datetime(2019, 9, 1, tzinfo=dt.UTC)
    lines = (
        writer.line(Petitioner, {"id": pk, "name": f"流{n}", "created_at": now})
        for n, pk in enumerate(numbers)
    )
    with transaction.atomic():
        writer.stream(Petitioner, lines)
    written = Petitioner.objects.filter(pk__in=numbers).order_by("pk")
    assert [p.name for p in written] == ["流0", "流1", "流2"]
    assert writer.written == {"cases.Petitioner": 3}


@pytest.mark.django_db
def test_ids_reserved_ahead_are_taken_without_a_query() -> None:
    """Nothing may query inside a COPY: `have` reserves enough ids before the stream, even
    more than one block, and `take` then asks nothing."""
    ids = reserved_ids([PetitionCase])
    ids.have(PetitionCase, 2500)  # more than the 2,000 of a block on PostgreSQL
    with CaptureQueriesContext(connection) as queries:
        taken = [ids.take(PetitionCase) for _ in range(2500)]
    assert queries.captured_queries == []
    assert len(set(taken)) == 2500 and taken == sorted(taken)


@pytest.mark.django_db
def test_a_query_inside_the_block_waits_for_the_checks() -> None:
    """The connection takes no other command while the checks run: a query inside the
    block (the planner reading a court's people) first reads their answer, and a violated
    key raises there; the query then runs. The same for a bulk write (a COPY, which no
    execute wrapper sees)."""
    with transaction.atomic():
        with foreign_keys_checked_meanwhile():
            assert PetitionCase.objects.count() == PetitionCase.objects.count()
            writer = Writer([AuditEvent], database_ids=[AuditEvent])
            writer.stream(AuditEvent, iter([]))
        transaction.set_rollback(True)
    if connection.vendor != "postgresql":
        return
    with pytest.raises(IntegrityError, match="foreign key"), transaction.atomic():
        _dangling_notification()
        with foreign_keys_checked_meanwhile():
            PetitionCase.objects.count()
            pytest.fail("the query ran before the checks' answer was read")
