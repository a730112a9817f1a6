"""Playwright for Python driving Debian's Chromium (a browser download does not work here):
the one place that knows where Chromium is, how it is started, and how a test runs it.

Outside CI a machine without Chromium skips browser tests with the reason; with CI=true a
missing browser is a failure, never a skip."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("HUAJIE_CHROMIUM", "/usr/bin/chromium")
# Headless in a closed network: no background connections, no first-run work.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# True when the chart's canvas holds something other than a blank canvas of the same size.
DRAWN = """(id) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas) { return false; }
  const blank = document.createElement('canvas');
  blank.width = canvas.width;
  blank.height = canvas.height;
  return canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL();
}"""


def require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"找不到 Chromium（{CHROMIUM}）：apt-get install chromium"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    # Only a developer's machine without the tool gets here; under CI=true it fails above.
    pytest.skip(message)


def in_chromium(steps: Callable[[Any], None], timeout: float = 300) -> None:
    """Run `steps(context)` in a fresh Chromium in a thread of its own; re-raise what it
    raised. (The session-wide browser of tests/e2e keeps Playwright's sync event loop open
    in the main thread, and a second sync Playwright there is refused.)"""
    require_chromium()
    failures: list[BaseException] = []

    def run() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                context = browser.new_context(
                    locale="zh-CN", viewport={"width": 1280, "height": 900}
                )
                try:
                    steps(context)
                finally:
                    context.close()
                    browser.close()
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=timeout)
    assert not thread.is_alive(), "the browser did not finish in time"
    if failures:
        raise failures[0]
