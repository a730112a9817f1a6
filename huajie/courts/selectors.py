"""Reads of the court tree, shaped for the pages and the API (fixed query counts)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from huajie.courts.models import Court, Department, Person, Position


def courts_with_counts(courts: QuerySet[Court]) -> QuerySet[Court]:
    return courts.in_tree_order().annotate(people_count=Count("people", distinct=True))  # type: ignore[attr-defined]


def people_with_positions(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.select_related("department", "court").prefetch_related(
        Prefetch("positions", queryset=Position.objects.order_by("id"))
    )


def court_departments_with_people(court: Court) -> list[Department]:
    """The court's departments, each with its people and their positions (3 queries)."""
    people = people_with_positions(Person.objects.filter(is_active=True).order_by("id"))
    return list(
        Department.objects.filter(court=court)
        .order_by("sort", "id")
        .prefetch_related(Prefetch("people", queryset=people))
    )


def court_people_without_department(court: Court) -> list[Person]:
    return list(
        people_with_positions(
            Person.objects.filter(court=court, department__isnull=True, is_active=True)
        ).order_by("id")
    )
