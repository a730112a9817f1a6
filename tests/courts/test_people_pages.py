"""R2: a court's administrator manages its people and positions; nobody else does."""

from __future__ import annotations

import pytest
from django.test import Client

from huajie.accounts.models import Role, Scope
from huajie.audit.models import AuditEvent
from huajie.courts.models import PositionKind
from tests.factories import DepartmentFactory, PersonFactory, Tree, add_position, user_at

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_court_admin_adds_a_person_and_gives_positions(tree: Tree) -> None:
    admin = client_for(user_at(tree.lixia, role=Role.COURT_ADMIN))
    dept = DepartmentFactory(court=tree.lixia, name="民事审判第一庭")
    response = admin.post(
        f"/courts/{tree.lixia.pk}/people/new/",
        {
            "name": "孟祥瑞",
            "department": dept.pk,
            "in_judge_quota": "on",
            "phone": "0531-1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    person = tree.lixia.people.get(name="孟祥瑞")
    admin.post(
        f"/courts/people/{person.pk}/positions/", {"kind": "division_leader", "title": "民一庭庭长"}
    )
    assert person.positions.get().title == "民一庭庭长"
    assert AuditEvent.objects.filter(verb__in=["person.create", "position.add"]).count() == 2
    position = person.positions.get()
    admin.post(f"/courts/people/{person.pk}/positions/{position.pk}/remove/")
    assert not person.positions.exists()


def test_a_court_has_one_president(tree: Tree) -> None:
    admin = client_for(user_at(tree.lixia, role=Role.COURT_ADMIN))
    add_position(PersonFactory(court=tree.lixia, name="现任院长"), PositionKind.PRESIDENT, "院长")
    other = PersonFactory(court=tree.lixia)
    response = admin.post(
        f"/courts/people/{other.pk}/positions/", {"kind": "president"}, follow=True
    )
    assert "本院院长为现任院长" in response.content.decode()
    assert not other.positions.exists()


def test_editing_a_person_is_audited(tree: Tree) -> None:
    admin = client_for(user_at(tree.lixia, role=Role.COURT_ADMIN))
    person = PersonFactory(court=tree.lixia, name="甲", in_judge_quota=False)
    admin.post(
        f"/courts/people/{person.pk}/", {"name": "甲", "in_judge_quota": "on", "is_active": "on"}
    )
    person.refresh_from_db()
    assert person.in_judge_quota
    event = AuditEvent.objects.get(verb="person.update")
    assert event.before["in_judge_quota"] is False and event.after["in_judge_quota"] is True


def test_a_supervisor_sees_but_may_not_manage_and_another_city_does_not_see(tree: Tree) -> None:
    person = PersonFactory(court=tree.lixia)
    supervisor = client_for(user_at(tree.jinan, role=Role.COURT_ADMIN, scope=Scope.SUBTREE))
    assert supervisor.get(f"/courts/{tree.lixia.pk}/").status_code == 200
    assert supervisor.get(f"/courts/people/{person.pk}/").status_code == 403
    assert supervisor.post(f"/courts/{tree.lixia.pk}/people/new/", {"name": "x"}).status_code == 403
    stranger = client_for(user_at(tree.shinan, role=Role.COURT_ADMIN))
    assert stranger.get(f"/courts/people/{person.pk}/").status_code == 404
    assert (
        stranger.post(f"/courts/people/{person.pk}/positions/", {"kind": "judge"}).status_code
        == 404
    )


def test_petition_staff_may_not_manage_people(tree: Tree) -> None:
    person = PersonFactory(court=tree.lixia)
    staff = client_for(user_at(tree.lixia, role=Role.PETITION_OFFICE))
    assert staff.get(f"/courts/people/{person.pk}/").status_code == 403
    assert "新增人员" not in staff.get(f"/courts/{tree.lixia.pk}/").content.decode()
