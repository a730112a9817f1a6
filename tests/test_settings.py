"""Settings come from the environment; production settings pass `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "HUAJIE_ENV": "production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-0123456789abcdef",
        "ALLOWED_HOSTS": "huajie.example.court",
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["HUAJIE_ENV"] = "production"
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _fresh_python(code: str, env: dict[str, str]) -> str:
    """What `code` prints in a fresh Python process of the project with `env`."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _database_settings(env: dict[str, str]) -> list[str]:
    """ENGINE and NAME of the default database as a fresh process configures them."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])"
    )
    return _fresh_python(code, env).split()


def test_database_url_selects_postgresql() -> None:
    env = {**os.environ, "DATABASE_URL": "postgres://u:p@db.internal:5432/huajie"}
    assert _database_settings(env) == ["django.db.backends.postgresql", "huajie"]


def test_sqlite_is_the_default() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    engine, name = _database_settings(env)
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("var/huajie.sqlite3")


def test_the_demo_date_pins_today(settings: object) -> None:
    import datetime as dt

    from huajie.core import clock

    settings.HUAJIE_DEMO_DATE = "2019-07-15"  # type: ignore[attr-defined]
    assert clock.today() == dt.date(2019, 7, 15)
    with clock.travel(dt.date(2020, 1, 2)):
        assert clock.today() == dt.date(2020, 1, 2)  # an explicit travel still wins
    settings.HUAJIE_DEMO_DATE = ""  # type: ignore[attr-defined]
    assert clock.today() != dt.date(2019, 7, 15)


def test_a_web_worker_freezes_what_it_loaded_before_serving() -> None:
    """`huajie serve` runs gunicorn with config.gunicorn, whose worker hook moves the loaded
    application out of the collector's full passes, which otherwise walked it on one
    request in seven of a large page (docs/performance.md)."""
    code = (
        "import gc; import config.wsgi; assert gc.get_freeze_count() == 0; "
        "import config.gunicorn; config.gunicorn.post_worker_init(None); "
        "print(gc.get_freeze_count())"
    )
    frozen = int(_fresh_python(code, dict(os.environ)))
    assert frozen > 10_000  # the application, not a handful of objects
