"""Indexes of every table (issue #7): every foreign key stays indexed, and no single-column
index repeats the leading column of a longer one (each index is written on every save, and
on every row the ledger import writes; the `fewer_indexes` migrations dropped fourteen, and
two more went with the audit hash's unique index and the ID number's LIKE twin)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import ForeignKey, Index, UniqueConstraint

MODELS = [m for m in apps.get_models() if m.__module__.startswith("huajie.")]


def _leading_columns(model: Any) -> list[tuple[str, ...]]:
    """The columns of each index the model declares, single-column ones included. A partial
    index (with a condition) holds only some rows: it serves neither a foreign key's checks
    nor the questions of a whole-table index, so it is not counted."""
    meta = model._meta
    found: list[tuple[str, ...]] = []
    for field in meta.concrete_fields:
        if field.db_index or field.unique:
            found.append((field.attname,))
    for index in meta.indexes:
        if isinstance(index, Index) and index.fields and index.condition is None:
            found.append(tuple(meta.get_field(f.lstrip("-")).attname for f in index.fields))
    for constraint in meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields:
            found.append(tuple(meta.get_field(f).attname for f in constraint.fields))
    return found


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_foreign_key_leads_an_index(model: Any) -> None:
    indexes = _leading_columns(model)
    for field in model._meta.concrete_fields:
        if isinstance(field, ForeignKey):
            assert any(columns[0] == field.attname for columns in indexes), (
                f"{model.__name__}.{field.name} has no index that starts with it"
            )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_no_single_column_index_repeats_a_longer_one(model: Any) -> None:
    indexes = _leading_columns(model)
    singles = {columns for columns in indexes if len(columns) == 1}
    unique = {(f.attname,) for f in model._meta.concrete_fields if f.unique}
    for single in singles - unique:
        longer = [c for c in indexes if len(c) > 1 and c[0] == single[0]]
        assert not longer, f"{model.__name__}: index on {single[0]} repeats {longer[0]}"


@pytest.mark.django_db
def test_the_database_has_the_indexes_the_models_declare() -> None:
    """The migrations left no dropped index behind (and dropped the four)."""
    from huajie.cases.models import Notification, PetitionCase, Petitioner

    with connection.cursor() as cursor:
        tables = {
            model: connection.introspection.get_constraints(cursor, model._meta.db_table)
            for model in (PetitionCase, Notification, Petitioner)
        }
    single = {
        (model.__name__, tuple(info["columns"]))
        for model, constraints in tables.items()
        for info in constraints.values()
        if info["index"] and not info["unique"] and len(info["columns"]) == 1
    }
    for dropped in [
        ("PetitionCase", ("campaign_id",)),
        ("PetitionCase", ("first_campaign_id",)),
        ("PetitionCase", ("court_id",)),
        ("Notification", ("recipient_id",)),
        ("Petitioner", ("name",)),
    ]:
        assert dropped not in single
    assert ("PetitionCase", ("leader_id",)) in single  # the foreign keys' own stay


@pytest.mark.django_db
def test_no_index_on_the_audit_hash_and_one_on_the_id_number() -> None:
    """Nothing looks an event up by its hash, nor an ID number by prefix: the audit table
    carries no index on `hash`, and the petitioners' only index on `id_number` is the
    unique one (no `varchar_pattern_ops` twin on PostgreSQL)."""
    from huajie.audit.models import AuditEvent
    from huajie.cases.models import Petitioner

    def indexes_on(model: Any, column: str) -> list[dict[str, Any]]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        return [info for info in found.values() if info["columns"] == [column]]

    assert indexes_on(AuditEvent, "hash") == []
    (only,) = indexes_on(Petitioner, "id_number")
    assert only["unique"]
