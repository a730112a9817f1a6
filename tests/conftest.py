from __future__ import annotations

import os

import pytest

from tests.factories import Tree, build_tree

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()


@pytest.fixture
def world(db: None, settings: object, tmp_path: object) -> object:
    from tests.cases.world import build_world

    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return build_world()


_DB_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "live_server")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    """After every test that used the database, the case tally must equal a recount of the
    cases (huajie.cases.tally), and every case's search columns what its petitioners and
    original cases make (huajie.cases.search): every write path the suite drives is checked
    this way."""
    result = yield
    uses_db = item.get_closest_marker("django_db") is not None or any(
        name in getattr(item, "fixturenames", ()) for name in _DB_FIXTURES
    )
    if uses_db:
        from django.db import connection

        from huajie.cases import search, tally
        from huajie.cases.models import OriginalCase, PetitionCase

        if connection.closed_in_transaction:  # a command's run_from_argv closed it: no more
            return result  # queries in this test's transaction (its own assertions ran)

        found = tally.differences()
        assert not found, f"案件计数与重新统计不符（{len(found)} 处），例如：{found[:3]}"
        stale = list(search.differences(PetitionCase, OriginalCase))
        assert not stale, f"案件检索列与信访人、原审案件不符（{len(stale)} 件）：{stale[:3]}"
    return result
