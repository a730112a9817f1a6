"""R1, R2: the demo province is Shandong's real court tree, fully staffed; loading is idempotent."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, Q
from django.test import RequestFactory

from huajie.accounts.models import User
from huajie.core.names import person_names
from huajie.courts.models import Court, CourtLevel, Person, PositionKind
from huajie.demo.province import DEMO_ACCOUNTS, load_demo_province

pytestmark = pytest.mark.django_db

PASSWORD = "demo-test-pw"


def test_demo_province_has_the_real_tree_and_every_court_is_staffed() -> None:
    load_demo_province(PASSWORD, with_campaign=False)

    levels = dict(Court.objects.values_list("level").annotate(n=Count("id")))
    assert levels[CourtLevel.HIGH] == 1
    assert levels[CourtLevel.INTERMEDIATE] == 19  # 17 cities + railway + maritime
    assert 130 <= levels[CourtLevel.BASIC] <= 150

    lixia = Court.objects.get(code="鲁0102")
    assert (lixia.name, lixia.short_name) == ("山东省济南市历下区人民法院", "历下法院")
    assert lixia.parent.short_name == "济南中院"  # type: ignore[union-attr]
    assert Court.objects.get(name="济南铁路运输中级法院").kind == "railway"
    assert Court.objects.get(name="青岛海事法院").kind == "maritime"

    # Every city intermediate court has its basic courts; the maritime court has none.
    cities = Court.objects.filter(level=CourtLevel.INTERMEDIATE, kind="ordinary")
    assert cities.count() == 17
    assert all(city.children.exists() for city in cities)

    # Every court has exactly one president, leaders in and out of the quota, and a
    # petition-office contact.
    staffed = Court.objects.annotate(
        presidents=Count("people", filter=Q(people__positions__kind=PositionKind.PRESIDENT)),
        contacts=Count("people", filter=Q(people__positions__kind=PositionKind.PETITION_CONTACT)),
        committee=Count("people", filter=Q(people__positions__kind=PositionKind.COMMITTEE_MEMBER)),
    )
    assert {c.presidents for c in staffed} == {1}
    assert min(c.contacts for c in staffed) >= 1
    assert min(c.committee for c in staffed) >= 1
    leaders = Person.objects.filter(positions__kind=PositionKind.COURT_LEADER)
    assert leaders.filter(in_judge_quota=True).exists()
    assert leaders.filter(in_judge_quota=False).exists()
    for court in Court.objects.all():
        assert court.departments.filter(kind="petition").exists(), court.name


def test_demo_load_is_idempotent_and_keeps_changes_and_accounts_log_in() -> None:
    first = load_demo_province(PASSWORD, with_campaign=False)
    lixia_people = list(Person.objects.filter(court__code="鲁0102").values_list("name", flat=True))
    admin = User.objects.get(username="admin")
    admin.set_password("changed-by-the-user")
    admin.save()

    second = load_demo_province(PASSWORD, with_campaign=False)

    assert second["people_added"] == 0 and first["people_added"] > 5000
    assert second["courts"] == first["courts"]
    assert (
        list(Person.objects.filter(court__code="鲁0102").values_list("name", flat=True))
        == lixia_people
    )
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="admin", password="changed-by-the-user") is not None
    for account in DEMO_ACCOUNTS:
        if account.username != "admin":
            assert authenticate(request, username=account.username, password=PASSWORD), (
                account.username
            )


def test_demo_names_are_deterministic() -> None:
    load_demo_province(PASSWORD, with_campaign=False)
    names = list(
        Person.objects.filter(court__code="鲁").order_by("id").values_list("name", flat=True)
    )
    assert names == person_names("court:鲁", 120)[: len(names)]
