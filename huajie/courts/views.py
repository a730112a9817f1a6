"""Pages of the court tree: the courts a user sees, and one court's departments and people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huajie.accounts.policy import Action, can, get_for_user, scope_courts, user_of
from huajie.courts.forms import PersonForm, PositionForm
from huajie.courts.models import Court, CourtLevel, Person, PositionKind
from huajie.courts.selectors import (
    court_departments_with_people,
    court_people_without_department,
    courts_with_counts,
)
from huajie.courts.services import person_create, person_update, position_add, position_remove


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
            "may_manage": can(request.user, Action.PERSON_MANAGE, court),
        },
    )


def _managed_person(request: HttpRequest, person_id: int) -> Person:
    return get_for_user(
        request.user,
        Person.objects.select_related("court", "department"),
        action=Action.PERSON_MANAGE,
        pk=person_id,
    )


@login_required
def person_new(request: HttpRequest, court_id: int) -> HttpResponse:
    court = get_for_user(
        request.user,
        Court.objects.all(),
        action=Action.PERSON_MANAGE,
        court_field=None,
        pk=court_id,
    )
    form = PersonForm(request.POST or None, court=court)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = person_create(
                actor=user_of(request),
                court=court,
                name=data["name"],
                department=data["department"],
                in_judge_quota=data["in_judge_quota"],
                phone=data["phone"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已新增人员{person.name}，请为其设置职务。")
            return redirect("courts:person_edit", person_id=person.pk)
    return render(
        request,
        "courts/person_form.html",
        {"form": form, "court": court},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _managed_person(request, person_id)
    initial = {
        "name": person.name,
        "department": person.department_id,
        "in_judge_quota": person.in_judge_quota,
        "phone": person.phone,
        "is_active": person.is_active,
    }
    form = PersonForm(request.POST or None, court=person.court, initial=initial)
    position_form = PositionForm()
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != getattr(person, k)}
        try:
            if changes:
                person_update(actor=user_of(request), person=person, changes=changes)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "人员信息已保存。")
            return redirect("courts:person_edit", person_id=person.pk)
    return render(
        request,
        "courts/person_form.html",
        {
            "form": form,
            "court": person.court,
            "person": person,
            "position_form": position_form,
            "positions": list(person.positions.all()),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def position_add_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _managed_person(request, person_id)
    form = PositionForm(request.POST)
    if form.is_valid():
        try:
            position_add(
                actor=user_of(request),
                person=person,
                kind=PositionKind(form.cleaned_data["kind"]),
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "职务已添加。")
    else:
        messages.error(request, "请选择职务类别。")
    return redirect("courts:person_edit", person_id=person.pk)


@login_required
@require_POST
def position_remove_view(request: HttpRequest, person_id: int, position_id: int) -> HttpResponse:
    person = _managed_person(request, person_id)
    position = person.positions.filter(pk=position_id).first()
    if position is None:
        raise Http404("职务不存在")
    position_remove(actor=user_of(request), position=position)
    messages.success(request, f"已免去{position.title}。")
    return redirect("courts:person_edit", person_id=person.pk)
