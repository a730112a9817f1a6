"""A mixed workload of court staff on a `huajie synth` dataset, for locust (issue #7).

    locust -f tests/load/locustfile.py --headless -u 100 -r 10 --run-time 60s \
        --host http://127.0.0.1:8765 --csv var/load/result

`scripts/load-test` (or `make load`) prepares the dataset, the account list and the server
and runs this; see docs/performance.md for the numbers.

Who: mostly basic-court petition-office staff and court leaders, some intermediate-court
supervisors, a few province-office users (the weights below). Each simulated user logs in once
with its own synthetic account, taken in order from the JSON file named by
HUAJIE_LOAD_ACCOUNTS (written by `python -m tests.load.accounts`), then repeats a visit:
workbench, the case list with random filters and a follow to the next page, one case from the
list, now and then a leader activity recorded on it (the one write, R8), the dashboard, and
on every fifth visit the notifications.

Requests are named by route (`/cases/[id]/`), so the statistics group by page, not by URL.
Any 4xx/5xx is a failure except the application's own refusal of an action (a 400 page that
explains why), which is counted under its own name. The locust process never imports Django.

Environment: HUAJIE_LOAD_ACCOUNTS (default var/load/accounts.json), HUAJIE_DEMO_PASSWORD
(default huajie2019), HUAJIE_DEMO_DATE (the server's "today"; activity dates are not after
it; default 2019-09-30), HUAJIE_LOAD_WAIT ("min,max" seconds of think time between
steps; default "1,3"; "0,0" saturates the server), HUAJIE_LOAD_WRITE_SHARE (the share of
case visits that record an activity when the page offers it; default per class, 0.1-0.3),
HUAJIE_LOAD_VISITS (visits per user, then the run ends; default: until --run-time),
HUAJIE_LOAD_DASHBOARD_EVERY (the dashboard on every n-th visit; default 1, every visit).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import gevent
from locust import HttpUser, between, events, task
from locust.clients import ResponseContextManager
from locust.exception import StopUser
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = os.environ.get("HUAJIE_DEMO_PASSWORD", "huajie2019")
TODAY = os.environ.get("HUAJIE_DEMO_DATE") or "2019-09-30"
# Visits per user before it stops (0: until --run-time); the smoke test runs a fixed amount
# of work instead of a fixed time, so a slow machine cannot make it miss a route.
VISITS = int(os.environ.get("HUAJIE_LOAD_VISITS") or 0)
# The dashboard on every visit (1), or on every n-th: it costs ten times any other page.
DASHBOARD_EVERY = max(1, int(os.environ.get("HUAJIE_LOAD_DASHBOARD_EVERY") or 1))

# The list's filter values (huajie.cases.models); a filter is set on a share of the visits.
STATUSES = (
    "unallocated",
    "allocated",
    "in_resolution",
    "observation",
    "met_standard",
    "submitted",
    "accepted",
)
RISKS = ("normal", "elevated", "high")
ORIGINS = ("stock", "new")
SORTS = ("ledger_no", "court", "status", "updated", "risk", "leader")
SURNAMES = ("王", "李", "张", "刘", "陈")  # common: a search that finds rows
ACTIVITY_KINDS = ("reception", "file_review", "meeting", "hearing", "visit")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
NEXT_LINK = re.compile(r'<a href="([^"]*)" rel="next">')
COURT_SELECT = re.compile(r'<select name="court"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
ROW = re.compile(r'<tr><td><a href="/cases/\d+/">.*?</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
FLASH_ERROR = re.compile(r'class="flash flash-error"[^>]*>([^<]*)')


@events.init.add_listener
def _fresh_clock(**_kwargs: Any) -> None:
    """Refresh gevent's cached loop time before locust arms --run-time: the cache dates from
    when gevent was imported, so a slow start (seconds on a busy machine) would otherwise cut
    the run short by as much (seen with locust 2.47: a 5 s run stopped after 0.1 s)."""
    gevent.get_hub().loop.update_now()


def _wait_bounds() -> tuple[float, float]:
    raw = os.environ.get("HUAJIE_LOAD_WAIT", "1,3")
    low, _, high = raw.partition(",")
    return float(low), float(high or low)


def _load_accounts() -> dict[str, list[str]]:
    path = Path(os.environ.get("HUAJIE_LOAD_ACCOUNTS", ROOT / "var" / "load" / "accounts.json"))
    accounts: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    return accounts


def list_rows(text: str) -> list[tuple[str, bool]]:
    """The case list's rows: (case id, whether the leader column names someone)."""
    rows = []
    for row in ROW.findall(text):
        cells = CELL.findall(row)
        link = CASE_LINK.search(row)
        if link and len(cells) >= 4:
            rows.append((link.group(1), cells[3].strip() not in ("", "—")))
    return rows


def _write_share(user: StaffUser) -> float:
    """HUAJIE_LOAD_WRITE_SHARE overrides every class's share (the smoke test writes always)."""
    raw = os.environ.get("HUAJIE_LOAD_WRITE_SHARE", "")
    return float(raw) if raw else user.write_share


_ACCOUNTS: dict[str, Iterator[str]] = {}
_finished: list[str] = []  # users that have done their VISITS visits


def next_account(kind: str) -> str:
    """The next unused account of this kind (cycling if there are more users than accounts).

    All simulated users of a locust process share this; gevent never switches inside it."""
    if not _ACCOUNTS:
        for name, usernames in _load_accounts().items():
            _ACCOUNTS[name] = itertools.cycle(usernames)
    if kind not in _ACCOUNTS:
        raise RuntimeError(f"账户文件中没有 {kind} 类型的账户")
    return next(_ACCOUNTS[kind])


def expect(response: ResponseContextManager, *statuses: int) -> bool:
    """Mark the response a success only with one of `statuses` (redirects are not followed
    where a 302 is the answer, so a redirect to the login page cannot pass as a page)."""
    if response.status_code in statuses:
        response.success()
        return True
    if response.status_code == 0:  # no answer at all: say why (reset, refused, ...)
        response.failure(f"连接失败：{type(response.error).__name__}: {response.error}")
    else:
        response.failure(f"HTTP {response.status_code}（应为 {'/'.join(map(str, statuses))}）")
    return False


class StaffUser(HttpUser):
    """One member of court staff; the subclasses say which kind and how many."""

    abstract = True
    kind: ClassVar[str] = ""
    wait_time = between(*_wait_bounds())
    write_share: ClassVar[float] = 0.0  # of visits that set out to record a leader activity

    def on_start(self) -> None:
        # gunicorn closes a keep-alive connection idle for 2 s; a GET sent on it just then is
        # reset. A browser resends such a GET on a new connection, so we do too (once, GET
        # only); anything else, and a second reset, is still a failure.
        retry = Retry(total=1, connect=1, read=1, status=0, allowed_methods={"GET"})
        self.client.mount("http://", HTTPAdapter(max_retries=retry))
        self.username = next_account(self.kind)
        self.courts: list[str] | None = None  # the court filter's choices, read once
        self.visits = 0
        self.logged_in = self.login()

    def login(self) -> bool:
        with self.client.get(
            "/accounts/login/", name="/accounts/login/", catch_response=True
        ) as page:
            if not expect(page, 200):
                return False
            token = CSRF.search(page.text)
        if token is None:
            return False
        data = {"csrfmiddlewaretoken": token.group(1), "username": self.username}
        data["password"] = PASSWORD
        with self.client.post(
            "/accounts/login/",
            data=data,
            name="/accounts/login/",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and "/accounts/login/" not in answer.headers.get(
                "Location", ""
            ):
                answer.success()
                return True
            answer.failure(f"{self.username} 登录失败（HTTP {answer.status_code}）")
            return False

    @task
    def visit(self) -> None:
        if not self.logged_in:
            self.logged_in = self.login()
            return
        self.page("/workbench/", "/workbench/")
        self.wait()
        rows = self.browse_list()
        self.wait()
        if rows:
            # Someone about to record a leader's activity opens a case that has a leader.
            writing = random.random() < _write_share(self)
            led = [case_id for case_id, has_leader in rows if has_leader]
            pool = led if writing and led else [case_id for case_id, _ in rows]
            self.open_case(random.choice(pool), writing)
            self.wait()
        if self.visits % DASHBOARD_EVERY == 0:
            self.page("/supervision/", "/supervision/")
        if self.visits % 5 == 0:  # the first visit and every fifth after it
            self.wait()
            self.page("/notifications/", "/notifications/")
        self.visits += 1
        if VISITS and self.visits >= VISITS:
            self.finish()

    def finish(self) -> None:
        """Stop this user after its VISITS visits; the last one to finish ends the run."""
        _finished.append(self.username)
        runner = self.environment.runner
        if runner is not None and len(_finished) >= runner.target_user_count:
            runner.quit()
        raise StopUser

    def page(self, url: str, name: str, params: dict[str, str] | None = None) -> str:
        with self.client.get(url, params=params, name=name, catch_response=True) as response:
            return response.text if expect(response, 200) else ""

    def filters(self) -> dict[str, str]:
        """A random combination of the list's filters, as people use them."""
        params: dict[str, str] = {}
        roll = random.random
        if roll() < 0.5:
            params["status"] = random.choice(STATUSES)
        if roll() < 0.2:
            params["risk_level"] = random.choice(RISKS)
        if roll() < 0.2:
            params["origin"] = random.choice(ORIGINS)
        if self.courts and roll() < 0.3:
            params["court"] = random.choice(self.courts)
        if roll() < 0.1:
            params["q"] = random.choice(SURNAMES)
        if roll() < 0.3:
            params["sort"] = random.choice(("", "-")) + random.choice(SORTS)
        return params

    def browse_list(self) -> list[tuple[str, bool]]:
        """The list with random filters (none on the first visit), then its next page if it
        has one; the cases seen, each with whether it has a leader."""
        text = self.page("/cases/", "/cases/?[filters]", self.filters() if self.visits else {})
        if self.courts is None and text:
            select = COURT_SELECT.search(text)
            self.courts = OPTION.findall(select.group(1)) if select else []
        rows = list_rows(text)
        following = NEXT_LINK.search(text)
        if following:
            self.wait()
            href = html.unescape(following.group(1))
            text = self.page(f"/cases/{href}", "/cases/?after=[cursor]")
            rows = list_rows(text) or rows
        return rows

    def open_case(self, case_id: str, writing: bool) -> None:
        text = self.page(f"/cases/{case_id}/", "/cases/[id]/")
        action = f"/cases/{case_id}/actions/activity/"
        # The action is offered (its form fetched when opened, as htmx does) only when this
        # user may record an activity right now.
        if writing and f'hx-get="{action}"' in text:
            self.wait()
            form = self.page(action, "/cases/[id]/actions/activity/ (form)")
            if form.startswith("<form"):
                self.record_activity(action, form)

    def record_activity(self, action: str, page_text: str) -> None:
        """Fill the page's own activity form (its field names carry the action's prefix)."""
        form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page_text, re.S)
        fields = FIELD.findall(form.group(0)) if form else []
        values = {
            "csrfmiddlewaretoken": "",
            "happened_on": TODAY,
            "kind": random.choice(ACTIVITY_KINDS),
            "summary": "负载测试：包案领导约见信访人，听取诉求并释法明理。",
        }
        token = CSRF.search(form.group(0)) if form else None
        values["csrfmiddlewaretoken"] = token.group(1) if token else ""
        data = {
            field: value
            for field in fields
            for suffix, value in values.items()
            if field == suffix or field.endswith(f"-{suffix}")
        }
        name = "/cases/[id]/actions/activity/"
        with self.client.post(
            action, data=data, name=name, allow_redirects=False, catch_response=True
        ) as answer:
            flash = FLASH_ERROR.search(answer.text) if answer.status_code == 400 else None
            if flash and "field-error" not in answer.text:
                # The application refused (e.g. the case changed meanwhile) and said why.
                answer.request_meta["name"] = f"{name} (refused)"
                answer.success()
                return
            if flash:  # our form was wrong: a defect of this file, never a refusal
                answer.failure(f"表单有误：{html.unescape(flash.group(1))}")
                return
            expect(answer, 302)


class BasicOffice(StaffUser):
    """Petition-office staff at a basic court: the most numerous users, and the writers."""

    weight = 45
    kind = "basic_office"
    write_share = 0.3


class BasicLeader(StaffUser):
    """A basic court's leader; records an activity on the cases they lead."""

    weight = 30
    kind = "basic_leader"
    write_share = 0.3


class IntermediateSupervisor(StaffUser):
    """Office staff and leaders of an intermediate court, supervising their basic courts."""

    weight = 20
    kind = "intermediate"
    write_share = 0.1


class ProvinceOffice(StaffUser):
    """The high court's petition office: the whole province in sight; reads only."""

    weight = 5
    kind = "province"
