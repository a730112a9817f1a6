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
