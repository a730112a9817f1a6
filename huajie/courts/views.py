"""Pages of the court tree: the courts a user sees, and one court's departments and people."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from huajie.accounts.policy import get_for_user, scope_courts
from huajie.courts.models import Court, CourtLevel
from huajie.courts.selectors import (
    court_departments_with_people,
    court_people_without_department,
    courts_with_counts,
)


@login_required
def court_tree(request: HttpRequest) -> HttpResponse:
    courts = list(courts_with_counts(scope_courts(request.user)))
    top_depth = min((court.depth for court in courts), default=1)
    for court in courts:
        court.indent = court.depth - top_depth  # type: ignore[attr-defined]
    counts = {level: sum(1 for c in courts if c.level == level) for level in CourtLevel.values}
    return render(
        request,
        "courts/tree.html",
        {"courts": courts, "counts": counts, "levels": CourtLevel},
    )


@login_required
def court_detail(request: HttpRequest, court_id: int) -> HttpResponse:
    court = get_for_user(
        request.user,
        Court.objects.select_related("parent"),
        court_field=None,
        pk=court_id,
    )
    children = list(scope_courts(request.user).filter(parent=court).in_tree_order())
    return render(
        request,
        "courts/detail.html",
        {
            "court": court,
            "departments": court_departments_with_people(court),
            "unassigned": court_people_without_department(court),
            "children": children,
        },
    )
