"""Writes to the court tree. The path of a new court is derived here and nowhere else."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from huajie.audit.services import audit_record
from huajie.courts.models import PATH_STEP, Court, CourtKind, CourtLevel, Person


def _next_child_path(parent: Court | None) -> str:
    prefix = parent.path if parent else ""
    siblings = Court.objects.filter(parent=parent).values_list("path", flat=True)
    used = [int(p[len(prefix) : len(prefix) + PATH_STEP]) for p in siblings]
    return f"{prefix}{(max(used, default=0) + 1):0{PATH_STEP}d}/"


@transaction.atomic
def court_create(
    *,
    name: str,
    short_name: str,
    code: str,
    level: CourtLevel,
    parent: Court | None,
    kind: CourtKind = CourtKind.ORDINARY,
    division_code: str = "",
) -> Court:
    court = Court(
        name=name,
        short_name=short_name,
        code=code,
        level=level,
        kind=kind,
        division_code=division_code,
        parent=parent,
        path=_next_child_path(parent),
    )
    court.full_clean()
    court.save()
    return court


PERSON_EDITABLE_FIELDS = ("phone", "is_active")


@transaction.atomic
def person_update(*, actor: object, person: Person, changes: dict[str, object]) -> Person:
    """Change a person's contact details or activity; audited."""
    unknown = set(changes) - set(PERSON_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    before = {field: getattr(person, field) for field in changes}
    for field, value in changes.items():
        setattr(person, field, value)
    person.full_clean()
    person.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        verb="person.update",
        obj=person,
        court_id=person.court_id,
        summary=f"修改人员信息：{person.name}",
        before=before,
        after={field: getattr(person, field) for field in changes},
    )
    return person
