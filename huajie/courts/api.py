"""API: the court tree and its people, scoped by the permission policy."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from huajie.accounts.policy import Action, get_for_user, scope_courts
from huajie.core.api_errors import BODY, errors
from huajie.courts.models import Court, Person
from huajie.courts.selectors import people_with_positions
from huajie.courts.services import person_update

router = Router(tags=["法院与人员"])


class CourtOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    level: str
    kind: str
    parent_id: int | None


class PositionOut(Schema):
    kind: str
    title: str


class PersonOut(Schema):
    id: int
    court_id: int
    name: str
    department: str | None
    in_judge_quota: bool
    phone: str
    is_active: bool
    positions: list[PositionOut]

    @staticmethod
    def resolve_department(obj: Person) -> str | None:
        return obj.department.name if obj.department else None

    @staticmethod
    def resolve_positions(obj: Person) -> list[PositionOut]:
        return [PositionOut(kind=p.kind, title=p.title) for p in obj.positions.all()]


class PersonPatch(Schema):
    phone: str | None = None
    is_active: bool | None = None


@router.get("/", response={200: list[CourtOut], **errors()}, summary="可见范围内的法院")
def court_list(request: HttpRequest) -> list[Court]:
    return list(scope_courts(request.user).in_tree_order())


@router.get("/{court_id}", response={200: CourtOut, **errors(404)}, summary="法院详情")
def court_detail(request: HttpRequest, court_id: int) -> Court:
    return get_for_user(request.user, Court.objects.all(), court_field=None, pk=court_id)


@router.get(
    "/{court_id}/people", response={200: list[PersonOut], **errors(404)}, summary="法院人员及职务"
)
def court_people(request: HttpRequest, court_id: int) -> list[Person]:
    court = get_for_user(request.user, Court.objects.all(), court_field=None, pk=court_id)
    return list(people_with_positions(Person.objects.filter(court=court)).order_by("id"))


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, **errors(403, 404, *BODY)},
    summary="修改人员信息（本院管理员）",
)
def person_patch(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    person = get_for_user(
        request.user,
        people_with_positions(Person.objects.all()),
        action=Action.PERSON_MANAGE,
        pk=person_id,
    )
    return person_update(actor=request.user, person=person, changes=payload.dict(exclude_none=True))
