"""Factories for tests: a small court tree, people with positions, accounts."""

from __future__ import annotations

from dataclasses import dataclass

import factory

from huajie.accounts.models import Role, Scope, User
from huajie.courts.models import Court, CourtLevel, Department, DepartmentKind, Person, Position
from huajie.courts.services import court_create

PASSWORD = "test-pass-2019"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人员{n}")
    in_judge_quota = True


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"业务庭{n}")
    kind = DepartmentKind.TRIAL


def add_position(person: Person, kind: str, title: str = "") -> Position:
    return Position.objects.create(person=person, kind=kind, title=title or kind)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PETITION_OFFICE
    scope = Scope.COURT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: object = None) -> None:
        if create:
            instance.save()


def user_at(
    court: Court,
    *,
    role: str = Role.PETITION_OFFICE,
    scope: str = Scope.COURT,
    username: str | None = None,
) -> User:
    person = PersonFactory(court=court)
    kwargs = {"username": username} if username else {}
    return UserFactory(person=person, role=role, scope=scope, **kwargs)


@dataclass
class Tree:
    """Two provinces' worth of tree in miniature:

    high (鲁) ─ jinan (鲁01) ─ lixia (鲁0102), shizhong (鲁0103)
              └ qingdao (鲁02) ─ shinan (鲁0202)
    other_high (苏) ─ nanjing (苏01) ─ xuanwu (苏0102)
    """

    high: Court
    jinan: Court
    lixia: Court
    shizhong: Court
    qingdao: Court
    shinan: Court
    other_high: Court
    nanjing: Court
    xuanwu: Court


def build_tree() -> Tree:
    def make(name: str, code: str, level: CourtLevel, parent: Court | None) -> Court:
        return court_create(name=name, short_name=name[:8], code=code, level=level, parent=parent)

    high = make("山东省高级人民法院", "鲁", CourtLevel.HIGH, None)
    jinan = make("山东省济南市中级人民法院", "鲁01", CourtLevel.INTERMEDIATE, high)
    lixia = make("山东省济南市历下区人民法院", "鲁0102", CourtLevel.BASIC, jinan)
    shizhong = make("山东省济南市市中区人民法院", "鲁0103", CourtLevel.BASIC, jinan)
    qingdao = make("山东省青岛市中级人民法院", "鲁02", CourtLevel.INTERMEDIATE, high)
    shinan = make("山东省青岛市市南区人民法院", "鲁0202", CourtLevel.BASIC, qingdao)
    other_high = make("江苏省高级人民法院", "苏", CourtLevel.HIGH, None)
    nanjing = make("江苏省南京市中级人民法院", "苏01", CourtLevel.INTERMEDIATE, other_high)
    xuanwu = make("江苏省南京市玄武区人民法院", "苏0102", CourtLevel.BASIC, nanjing)
    return Tree(high, jinan, lixia, shizhong, qingdao, shinan, other_high, nanjing, xuanwu)


def tamper_audit(sql: str, *params: object) -> None:
    """Change the audit table behind the application's back, as someone with database
    access could (the application itself refuses: AuditImmutable). `sql` names the table as
    {table}."""
    from django.db import connection

    from huajie.audit.models import AuditEvent

    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=AuditEvent._meta.db_table), params)
