"""One user alone against a running server: each page of the load test's mix, timed (#7).

    python -m tests.load.probe http://127.0.0.1:8765 zj1102_xf gs02_ld he_xf

Logs in as each account (password HUAJIE_DEMO_PASSWORD) and requests the workbench, the case
list (plain, filtered, searched, sorted, its next page), the first case, the dashboard and
the notifications three times each, printing the median: the service time behind the load
test's latencies, without its queueing. Asserts nothing; not a test.
"""

from __future__ import annotations

import html
import os
import re
import statistics
import sys
import time

import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT_LINK = re.compile(r'<a href="([^"]*)" rel="next">')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
REPEAT = 3


def timed(session: requests.Session, url: str, label: str) -> str:
    times, text = [], ""
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = session.get(url)
        times.append((time.perf_counter() - start) * 1000)
        text = response.text
    print(f"  {label:24s} {response.status_code} median {statistics.median(times):5.0f} ms")
    return text


def probe(base: str, username: str) -> None:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    token = CSRF.search(page.text)
    data = {"username": username, "password": os.environ.get("HUAJIE_DEMO_PASSWORD", "huajie2019")}
    data["csrfmiddlewaretoken"] = token.group(1) if token else ""
    start = time.perf_counter()
    answer = session.post(f"{base}/accounts/login/", data=data, allow_redirects=False)
    print(f"{username}: login {answer.status_code} {(time.perf_counter() - start) * 1000:.0f} ms")
    if answer.status_code != 302:
        print("  登录失败，跳过该账户")
        return
    timed(session, f"{base}/workbench/", "workbench")
    listing = timed(session, f"{base}/cases/", "list")
    timed(session, f"{base}/cases/?status=in_resolution", "list, status filter")
    timed(session, f"{base}/cases/?q=王", "list, search 王")
    timed(session, f"{base}/cases/?sort=-leader", "list, sorted by leader")
    following = NEXT_LINK.search(listing)
    if following:
        timed(session, f"{base}/cases/{html.unescape(following.group(1))}", "list, next page")
    ids = CASE_LINK.findall(listing)
    if ids:
        timed(session, f"{base}/cases/{ids[0]}/", "case")
    timed(session, f"{base}/supervision/", "dashboard")
    timed(session, f"{base}/notifications/", "notifications")


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("用法：python -m tests.load.probe 网址 账户 [账户 ...]", file=sys.stderr)
        return 2
    for username in argv[1:]:
        probe(argv[0].rstrip("/"), username)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
