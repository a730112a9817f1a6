"""The load test's workload is valid (issue #7): locust runs tests/load/locustfile.py for a few
seconds against a live test server on a tiny `huajie synth` dataset, every simulated kind of
user logs in with its own account and every route of the mix is hit, the one write (a leader
activity, R8) reaches the database, and nothing fails.

Locust runs in a subprocess: importing it here would monkey-patch this process with gevent.
Asserts nothing about time; the numbers are for scripts/load-test (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from huajie.accounts.models import User
from huajie.cases.models import LeaderActivity
from huajie.demo.synth import Options, generate
from tests.load.accounts import KINDS, write_accounts
from tests.subprocesses import WAIT_SECONDS

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CLASSES = ("BasicOffice", "BasicLeader", "IntermediateSupervisor", "ProvinceOffice")
AS_OF = dt.date(2019, 9, 30)
ROUTES = {
    ("GET", "/accounts/login/"),
    ("POST", "/accounts/login/"),
    ("GET", "/workbench/"),
    ("GET", "/cases/?[filters]"),
    ("GET", "/cases/?after=[cursor]"),
    ("GET", "/cases/[id]/"),
    ("GET", "/cases/[id]/actions/activity/ (form)"),
    ("POST", "/cases/[id]/actions/activity/"),
    ("GET", "/supervision/"),
    ("GET", "/notifications/"),
}


@pytest.mark.django_db(transaction=True)
def test_the_mixed_workload_runs_without_failures(
    live_server: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HUAJIE_DEMO_DATE = AS_OF.isoformat()  # the live server's "today" (same process)
    # Pages of 5 rows, so the tiny dataset's lists have a next page to follow.
    monkeypatch.setattr("huajie.cases.listing.PAGE_SIZE", 5)
    generate(Options(courts=96, cases=300, seed=1, as_of=AS_OF), progress=lambda _line: None)
    accounts = write_accounts(tmp_path / "accounts.json")
    assert set(accounts) == set(KINDS)
    activities = LeaderActivity.objects.count()

    env = {
        **os.environ,
        "HUAJIE_LOAD_ACCOUNTS": str(tmp_path / "accounts.json"),
        "HUAJIE_DEMO_DATE": AS_OF.isoformat(),
        "HUAJIE_LOAD_WAIT": "0,0.1",
        "HUAJIE_LOAD_WRITE_SHARE": "1",
        "HUAJIE_LOAD_VISITS": "2",  # a fixed amount of work; --run-time is only a backstop
    }
    # Four users, one of each class (locust's weights alone would leave the rarest out).
    one_each = json.dumps([{"user_class_name": name, "fixed_count": 1} for name in CLASSES])
    done = subprocess.run(
        [
            *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
            *("-u", "4", "-r", "4", "--run-time", "90s", "--stop-timeout", "5"),
            *("--config-users", one_each),
            # The final stats come from --json-file, written at shut-down: locust rewrites its
            # CSV files only once a second, so a two-second run's CSV can miss the last routes.
            *("--host", live_server.url, "--json-file", str(tmp_path / "result")),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )
    result = tmp_path / "result.json"
    stats: list[dict[str, Any]] = json.loads(result.read_text()) if result.exists() else []
    output = f"{done.stdout}{done.stderr}\n{json.dumps(stats, ensure_ascii=False, indent=1)}"
    assert done.returncode == 0, output  # locust exits 1 on any failure or exception

    failed = [(row["method"], row["name"]) for row in stats if row["num_failures"]]
    assert failed == [], output
    hit = {(row["method"], row["name"]) for row in stats if row["num_requests"] > 0}
    assert hit >= ROUTES, f"routes never hit: {ROUTES - hit}\n{output}"
    assert {name for _method, name in hit} <= {name for _method, name in ROUTES} | {
        "/cases/[id]/actions/activity/ (refused)",
    }, output
    assert LeaderActivity.objects.count() > activities
    # Each simulated user logged in with its own account, one of each kind.
    logged_in = set(
        User.objects.filter(last_login__isnull=False).values_list("username", flat=True)
    )
    for kind, usernames in accounts.items():
        assert logged_in & set(usernames), f"no {kind} account logged in\n{output}"
