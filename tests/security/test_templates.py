"""No template may bring back inline code (issue #8): the content security policy allows
scripts and styles from our static files only, so an inline <script>, an on*= handler, an
hx-on attribute, a style="" attribute or a <style> block would be blocked in the browser —
silently breaking the page. This scan fails first, naming the file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

HUAJIE = Path(settings.BASE_DIR) / "huajie"
TEMPLATES = sorted(p for p in HUAJIE.rglob("templates/**/*") if p.is_file())
OWN_SCRIPTS = sorted(p for p in HUAJIE.rglob("static/**/*.js") if "vendor" not in p.parts)

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
# Data blocks (Django's json_script) are not executed, so the policy does not apply to them.
DATA_TYPE = re.compile(r"""\btype\s*=\s*["']application/(?:ld\+)?json["']""", re.IGNORECASE)
RULES = {
    "inline event handler (on*=)": re.compile(r"""[\s"'/]on[a-z]+\s*=""", re.IGNORECASE),
    "hx-on attribute": re.compile(r"\b(?:data-)?hx-on\b", re.IGNORECASE),
    "style attribute": re.compile(r"""[\s"'/]style\s*=""", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript\s*:", re.IGNORECASE),
    # htmx evaluates these (allowEval), which the policy forbids without 'unsafe-eval'.
    "htmx expression (js:, hx-vars, trigger filter)": re.compile(
        r"""hx-vals\s*=\s*["']\s*(?:js|javascript):|\bhx-vars\b|hx-trigger\s*=\s*["'][^"']*\[""",
        re.IGNORECASE,
    ),
}
EVAL_IN_JS = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|setAttribute\(\s*[\"']style[\"']")


COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)


def _blank(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")  # keeps the line numbers of what follows


def inline_code(text: str) -> list[tuple[int, str]]:
    """(line, what) for every piece of inline code in a template's text; template comments,
    which never reach the browser, are left out."""
    text = COMMENT.sub(_blank, text)
    found: list[tuple[int, str]] = []
    for match in SCRIPT.finditer(text):
        attributes, body = match.group(1), match.group(2)
        if DATA_TYPE.search(attributes):
            continue
        if body.strip() or "src" not in attributes.lower():
            found.append((text.count("\n", 0, match.start()) + 1, "inline <script>"))
    # Everything between tags is text for people, not markup; scan only inside the tags.
    for tag in re.finditer(r"<[a-zA-Z!][^<>]*>", text):
        for what, rule in RULES.items():
            if rule.search(tag.group(0)):
                found.append((text.count("\n", 0, tag.start()) + 1, what))
    return sorted(found)


def test_there_are_templates_to_scan() -> None:
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "dashboard.html", "500.html", "password_change.html"} <= names
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(HUAJIE)))
def test_no_inline_code_in_templates(template: Path) -> None:
    found = inline_code(template.read_text(encoding="utf-8"))
    assert not found, [f"{template.relative_to(HUAJIE)}:{line}: {what}" for line, what in found]


@pytest.mark.parametrize("script", OWN_SCRIPTS, ids=lambda p: str(p.relative_to(HUAJIE)))
def test_our_scripts_neither_eval_nor_write_style_attributes(script: Path) -> None:
    text = script.read_text(encoding="utf-8")
    assert not EVAL_IN_JS.search(text), script


BAD = """{% extends "base.html" %}
<script>alert(1)</script>
<script src="/static/x.js">alert(1)</script>
<script></script>
<button type="button" onclick="go()">去</button>
<a href="#" onMouseOver = "go()">去</a>
<form hx-post="/x" hx-on:htmx:after-request="go()"></form>
<div hx-on::before-request="go()"></div>
<p style="color: red">红</p>
<style>.x { color: red; }</style>
<a href="javascript:go()">去</a>
<div hx-get="/x" hx-vals='js:{a: go()}'></div>
<div hx-get="/x" hx-trigger="keyup[ctrlKey]"></div>
"""
GOOD = """{% extends "base.html" %}{% load static %}
<script src="{% static 'supervision/dashboard.js' %}" defer></script>
<script type="application/json" id="dashboard-data">{"a": 1}</script>
<p class="muted">style= 与 onclick= 只是文字，不是属性。</p>
<button type="submit" class="primary" data-action="online">提交</button>
<form hx-get="/cases/" hx-trigger="change, submit" hx-vals='{"page": 2}'></form>
<input name="done" value="{{ form.done.value }}">
{# no <style> or onclick= here: a comment never reaches the browser #}
{% comment %}
<script>alert(1)</script>
{% endcomment %}
"""


def test_the_scan_finds_every_kind_of_inline_code() -> None:
    found = inline_code(BAD)
    assert [line for line, _ in found] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert {what for _, what in found} == {
        "inline <script>",
        "inline event handler (on*=)",
        "hx-on attribute",
        "style attribute",
        "<style> block",
        "javascript: URL",
        "htmx expression (js:, hx-vars, trigger filter)",
    }


def test_the_scan_lets_static_scripts_data_blocks_and_text_through() -> None:
    assert inline_code(GOOD) == []
