"""Writes to the court tree. The path of a new court is derived here and nowhere else."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from huajie.audit.services import audit_record
from huajie.courts.models import (
    PATH_STEP,
    Court,
    CourtKind,
    CourtLevel,
    Department,
    Person,
    Position,
    PositionKind,
)


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


PERSON_EDITABLE_FIELDS = ("phone", "is_active", "in_judge_quota", "department", "name")


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


@transaction.atomic
def person_create(
    *,
    actor: object,
    court: Court,
    name: str,
    department: Department | None,
    in_judge_quota: bool,
    phone: str = "",
) -> Person:
    if not name.strip():
        raise ValidationError("请填写姓名。")
    if department is not None and department.court_id != court.pk:
        raise ValidationError("庭室须属于本院。")
    person = Person(
        court=court,
        department=department,
        name=name.strip(),
        in_judge_quota=in_judge_quota,
        phone=phone.strip(),
    )
    person.full_clean()
    person.save()
    audit_record(
        actor=actor,
        verb="person.create",
        obj=person,
        court_id=court.pk,
        summary=f"新增人员：{person.name}",
        after={"name": person.name, "in_judge_quota": in_judge_quota},
    )
    return person


@transaction.atomic
def position_add(*, actor: object, person: Person, kind: PositionKind, title: str) -> Position:
    """Give `person` a position; a court has one president."""
    if person.positions.filter(kind=kind).exists():
        raise ValidationError(f"{person.name}已有“{kind.label}”职务。")
    if kind == PositionKind.PRESIDENT:
        current = (
            Position.objects.filter(
                person__court=person.court_id, kind=kind, person__is_active=True
            )
            .select_related("person")
            .first()
        )
        if current is not None:
            raise ValidationError(f"本院院长为{current.person.name}，请先免去其院长职务。")
    position = Position.objects.create(
        person=person, kind=kind, title=title.strip() or kind.label, department=person.department
    )
    audit_record(
        actor=actor,
        verb="position.add",
        obj=person,
        court_id=person.court_id,
        summary=f"{person.name}任{position.title}",
        after={"kind": kind, "title": position.title},
    )
    return position


@transaction.atomic
def position_remove(*, actor: object, position: Position) -> None:
    person = position.person
    audit_record(
        actor=actor,
        verb="position.remove",
        obj=person,
        court_id=person.court_id,
        summary=f"{person.name}免去{position.title}",
        before={"kind": position.kind, "title": position.title},
    )
    position.delete()
