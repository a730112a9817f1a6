"""The permission matrix (issue #8; R2, and R3-R22 wherever a page or an operation is scoped).

Every URL pattern of the site and every operation of the JSON API has a row below saying who
sees its object and who may act on it. Each row is asked by every account of the matrix world
(tests/security/matrix_world.py): the owner court's petition office, its weakest account, its
administrator, a sibling basic court, a basic court of another city, the supervising
intermediate court, the high court's petition office, a court of another province, national
supervision (sees every province, changes nothing; issue #7), and an anonymous visitor.
The expected answer follows from the row:

    anonymous                          → the login page (pages) / 401 (API)
    does not see the object            → 404, exactly the answer for a missing object
    sees it, may not do this           → 403
    may do it                          → 2xx/3xx (with a plausible valid body)

Every refused request must leave the database as it was (row counts and a digest of every
row of every model, audit events included) and must not name the case's petitioner or
ledger number. A completeness test fails when a URL name or an API operation has no row, so a
new view cannot ship without saying who may use it.

Run: .venv/bin/pytest tests/security/test_permission_matrix.py -q
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from huajie.api.api import api
from huajie.cases.page_actions import BY_NAME
from huajie.core import clock
from tests.cases.world import PDF
from tests.ledger.sheets import row as sheet_row
from tests.ledger.sheets import write_sheet
from tests.security.matrix_world import (
    ANONYMOUS,
    COURT_ADMIN,
    DAY,
    HIGH,
    IN_PROVINCE,
    INTERMEDIATE,
    LOGGED_IN,
    NATION,
    OTHER_CITY,
    OTHER_PROVINCE,
    OWNER,
    PETITION_OFFICES,
    PETITIONER,
    SEES_A,
    SIBLING,
    USERS,
    MatrixWorld,
    build_matrix_world,
    changed,
    fingerprint,
)

API = "/api/v1"
LOGIN_URL = "/accounts/login/"
NOT_FOUND = "不存在或无权查看"
SUCCESS = (200, 201, 302)
ON = DAY.isoformat()
EARLIER = (DAY - dt.timedelta(days=5)).isoformat()

# The test client's response (an Response with .json(), a type only the stubs know).
Response = Any
Body = Callable[[MatrixWorld, str], dict[str, Any]]
Path = Callable[[MatrixWorld], str]


@dataclass(frozen=True)
class Row:
    """One URL pattern or API operation with one method, and who may reach it."""

    id: str  # the test id's first part, e.g. "case-detail"
    key: str  # the URL name ("cases:detail") or the API operation ("GET /api/v1/cases/{case_id}")
    method: str
    path: Path
    seen: frozenset[str]  # who sees the object; any other signed-in account gets 404
    allowed: frozenset[str]  # who may do it (a subset of `seen`); the rest of `seen` get 403
    body: Body | None = None
    api: bool = False
    multipart: bool = False  # API bodies are JSON unless this is set
    success: tuple[int, ...] = SUCCESS  # what "allowed" looks like

    def expected(self, who: str) -> str:
        if who == ANONYMOUS:
            return "login"
        if who not in self.seen:
            return "missing"
        return "ok" if who in self.allowed else "forbidden"


def only(*users: str) -> frozenset[str]:
    return frozenset(users)


EVERYONE = LOGGED_IN
A_OFFICE_OR_HIGH = only(OWNER, HIGH)
SUPERIORS = only(INTERMEDIATE, HIGH)
# A case the high court holds, and the province as a whole: its office, and the nation's.
HOLDS_UNALLOCATED = SEES_PROVINCE = only(HIGH, NATION)
# The summary report and the assessment of A (R16, R20): its office, its superiors, the nation.
SUPERVISORS_OF_A = only(OWNER, INTERMEDIATE, HIGH, NATION)


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def team_ids(w: MatrixWorld) -> dict[str, int]:
    staff = w.world.lixia
    return {role: person.pk for role, person in staff.team.items()}


# --- pages ---------------------------------------------------------------------------------


def page(
    id: str,
    name: str,
    method: str,
    path: Path,
    seen: frozenset[str],
    allowed: frozenset[str],
    body: Body | None = None,
    success: tuple[int, ...] | None = None,
) -> Row:
    # A form that worked redirects (post/redirect/get); one that did not is shown again.
    done = success or ((302,) if method == "POST" else (200, 302))
    return Row(id, name, method, path, seen, allowed, body, success=done)


def case_action(name: str, case: str, seen: frozenset[str], allowed: frozenset[str]) -> Row:
    """A form of the case page, posted to cases:action with the form's prefix."""

    def body(w: MatrixWorld, who: str) -> dict[str, Any]:
        return {f"{name}-{field}": value for field, value in ACTION_BODIES[name](w).items()}

    return page(
        f"case-action-{name}",
        "cases:action",
        "POST",
        lambda w: f"/cases/{getattr(w, case).pk}/actions/{name}/",
        seen,
        allowed,
        body,
    )


def case_action_form(name: str, case: str, seen: frozenset[str], allowed: frozenset[str]) -> Row:
    """The same action's form, fetched (GET) when its <details> opens: the same answer."""
    return page(
        f"case-action-form-{name}",
        "cases:action",
        "GET",
        lambda w: f"/cases/{getattr(w, case).pk}/actions/{name}/",
        seen,
        allowed,
    )


ACTION_BODIES: dict[str, Callable[[MatrixWorld], dict[str, Any]]] = {
    "allocate": lambda w: {"court": "", "reason": ""},
    "team": team_ids,
    "visit": lambda w: {"visited_on": EARLIER, "level": "local"},
    "original": lambda w: {"number": "(2018)鲁0102民初5678号", "cause": "买卖合同纠纷"},
    "classify": lambda w: {"solve": "on"},
    "measure": lambda w: {"kind": "reception", "taken_on": EARLIER, "summary": "院长接谈"},
    "activity": lambda w: {"happened_on": EARLIER, "kind": "reception", "summary": "包案领导接访"},
    "attachment": lambda w: {"purpose": "evidence", "file": pdf()},
    "written": lambda w: {"promise_on": EARLIER, "document": pdf("承诺书.pdf")},
    "oral": lambda w: {"promise_on": EARLIER},
    "termination": lambda w: {"step": "review", "done_on": EARLIER},
    "submit": lambda w: {"note": "已书面承诺息诉罢访"},
    "decide": lambda w: {"decision": "accept", "reason": ""},
    "escalation_request": lambda w: {"reason": "案情复杂，需上级法院协调"},
    "escalation_decide": lambda w: {"decision": "approve", "note": ""},
    "take_up": lambda w: {"reason": "中院提级办理"},
    "guidance": lambda w: {"text": "请加强释法明理"},
}

# Which case each action is tried on (the one in the state the action needs) and who may.
ACTION_ROWS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "allocate": ("unallocated", HOLDS_UNALLOCATED, only(HIGH)),  # held by the high court
    "team": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "visit": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "original": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "classify": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "measure": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "activity": ("case", SEES_A, only(OWNER)),
    "attachment": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "written": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "oral": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "termination": ("case", SEES_A, A_OFFICE_OR_HIGH),
    "submit": ("met", SEES_A, only(OWNER)),
    "decide": ("submitted", SEES_A, SUPERIORS),
    "escalation_request": ("case", SEES_A, only(OWNER)),
    "escalation_decide": ("escalating", SEES_A, SUPERIORS),
    "take_up": ("case", SEES_A, SUPERIORS),
    "guidance": ("case", SEES_A, SUPERIORS),
}


def new_petition_body(w: MatrixWorld, who: str) -> dict[str, Any]:
    return {
        "owner": w.staff_for(OWNER if who == ANONYMOUS else who).president.pk,
        "received_on": EARLIER,
        "name": "王新",
        "petition_type": "beijing",
        "claims": "要求执行到位",
        "risk_level": "normal",
    }


def sheet_upload(w: MatrixWorld, who: str) -> dict[str, Any]:
    book = io.BytesIO()
    write_sheet(book, [sheet_row(信访人="赵新")])  # type: ignore[arg-type]
    file = SimpleUploadedFile("台账.xlsx", book.getvalue())
    return {"file": file, "campaign": w.world.campaign.pk}


PAGE_ROWS: list[Row] = [
    page("home", "home", "GET", lambda w: "/", EVERYONE, EVERYONE),
    page(
        "password",
        "accounts:password_change",
        "GET",
        lambda w: "/accounts/password/",
        EVERYONE,
        EVERYONE,
    ),
    page(
        "password",
        "accounts:password_change",
        "POST",
        lambda w: "/accounts/password/",
        EVERYONE,
        EVERYONE,
        lambda w, who: {
            "old_password": "test-pass-2019",
            "new_password1": "另一个密码-2019-xyz",
            "new_password2": "另一个密码-2019-xyz",
        },
    ),
    page(
        "password-done",
        "accounts:password_change_done",
        "GET",
        lambda w: "/accounts/password/done/",
        EVERYONE,
        EVERYONE,
    ),
    # courts (R1, R2)
    page("court-tree", "courts:tree", "GET", lambda w: "/courts/", EVERYONE, EVERYONE),
    page(
        "court-detail",
        "courts:detail",
        "GET",
        lambda w: f"/courts/{w.world.tree.lixia.pk}/",
        SEES_A,
        SEES_A,
    ),
    page(
        "person-new",
        "courts:person_new",
        "GET",
        lambda w: f"/courts/{w.world.tree.lixia.pk}/people/new/",
        SEES_A,
        only(COURT_ADMIN),
    ),
    page(
        "person-new",
        "courts:person_new",
        "POST",
        lambda w: f"/courts/{w.world.tree.lixia.pk}/people/new/",
        SEES_A,
        only(COURT_ADMIN),
        lambda w, who: {"name": "新来的法官", "in_judge_quota": "on", "is_active": "on"},
    ),
    page(
        "person-edit",
        "courts:person_edit",
        "GET",
        lambda w: f"/courts/people/{w.person.pk}/",
        SEES_A,
        only(COURT_ADMIN),
    ),
    page(
        "person-edit",
        "courts:person_edit",
        "POST",
        lambda w: f"/courts/people/{w.person.pk}/",
        SEES_A,
        only(COURT_ADMIN),
        lambda w, who: {"name": w.person.name, "phone": "13900001111", "is_active": "on"},
    ),
    page(
        "position-add",
        "courts:position_add",
        "POST",
        lambda w: f"/courts/people/{w.person.pk}/positions/",
        SEES_A,
        only(COURT_ADMIN),
        lambda w, who: {"kind": "division_leader", "title": "副庭长"},
    ),
    page(
        "position-remove",
        "courts:position_remove",
        "POST",
        lambda w: f"/courts/people/{w.person.pk}/positions/{w.position.pk}/remove/",
        SEES_A,
        only(COURT_ADMIN),
        lambda w, who: {},
    ),
    # cases (R3-R15)
    page("workbench", "cases:workbench", "GET", lambda w: "/workbench/", EVERYONE, EVERYONE),
    page("case-list", "cases:list", "GET", lambda w: "/cases/", EVERYONE, EVERYONE),
    page("case-export", "cases:export", "GET", lambda w: "/cases/export.xlsx", EVERYONE, EVERYONE),
    page(
        "new-petition",
        "cases:new_petition",
        "GET",
        lambda w: "/cases/new-petition/",
        EVERYONE,
        PETITION_OFFICES,
    ),
    page(
        "new-petition",
        "cases:new_petition",
        "POST",
        lambda w: "/cases/new-petition/",
        EVERYONE,
        PETITION_OFFICES,
        new_petition_body,
    ),
    page("case-detail", "cases:detail", "GET", lambda w: f"/cases/{w.case.pk}/", SEES_A, SEES_A),
    page(
        "case-detail-unallocated",
        "cases:detail",
        "GET",
        lambda w: f"/cases/{w.unallocated.pk}/",
        HOLDS_UNALLOCATED,
        HOLDS_UNALLOCATED,
    ),
    *(case_action(name, *spec) for name, spec in ACTION_ROWS.items()),
    *(case_action_form(name, *spec) for name, spec in ACTION_ROWS.items()),
    page(
        "case-reveal",
        "cases:reveal",
        "POST",
        lambda w: f"/cases/{w.case.pk}/reveal/",
        SEES_A,
        A_OFFICE_OR_HIGH,
        lambda w, who: {},
        success=(200,),  # the page with the numbers shown
    ),
    page(
        "case-attachment",
        "cases:attachment",
        "GET",
        lambda w: f"/cases/{w.case.pk}/attachments/{w.attachment.pk}/",
        SEES_A,
        SEES_A,
    ),
    page(
        "acceptance-queue",
        "cases:acceptance_queue",
        "GET",
        lambda w: "/acceptance/",
        EVERYONE,
        EVERYONE,
    ),
    page(
        "notifications",
        "cases:notifications",
        "GET",
        lambda w: "/notifications/",
        EVERYONE,
        EVERYONE,
    ),
    page(
        "notification-read",
        "cases:notification_read",
        "POST",
        lambda w: f"/notifications/{w.notification.pk}/read/",
        only(OWNER),  # a notification exists only for its recipient
        only(OWNER),
        lambda w, who: {},
    ),
    page(
        "notifications-read-all",
        "cases:notifications_read_all",
        "POST",
        lambda w: "/notifications/read-all/",
        EVERYONE,
        EVERYONE,
        lambda w, who: {},
    ),
    # supervision (R16, R18, R20, R21)
    page(
        "dashboard", "supervision:dashboard", "GET", lambda w: "/supervision/", EVERYONE, EVERYONE
    ),
    page(
        "dashboard-court",
        "supervision:court",
        "GET",
        lambda w: f"/supervision/courts/{w.world.tree.lixia.pk}/",
        SEES_A,
        SEES_A,
    ),
    page(
        "report",
        "supervision:report",
        "GET",
        lambda w: f"/supervision/courts/{w.world.tree.lixia.pk}/report.docx",
        SEES_A,
        SUPERVISORS_OF_A,
    ),
    page(
        "assessment",
        "supervision:assessment",
        "GET",
        lambda w: f"/supervision/assessment/?court={w.world.tree.lixia.pk}",
        SEES_A,
        SUPERVISORS_OF_A,
    ),
    page(
        "assessment-export",
        "supervision:assessment_export",
        "GET",
        lambda w: f"/supervision/assessment.xlsx?court={w.world.tree.lixia.pk}",
        SEES_A,
        SUPERVISORS_OF_A,
    ),
    page(
        "veto-set",
        "supervision:veto_set",
        "POST",
        lambda w: "/supervision/assessment/veto/",
        SEES_A,
        only(HIGH),
        lambda w, who: {"court": w.world.tree.lixia.pk, "reason": "工作不力"},
    ),
    page(
        "veto-lift",
        "supervision:veto_lift",
        "POST",
        lambda w: f"/supervision/assessment/veto/{w.veto.pk}/lift/",
        SEES_A,
        only(HIGH),
        lambda w, who: {"reason": "已整改"},
    ),
    page(
        "exemplary",
        "supervision:exemplary",
        "GET",
        lambda w: "/supervision/exemplary/",
        EVERYONE,
        EVERYONE,
    ),
    page(
        "exemplary-mark",
        "supervision:exemplary_mark",
        "POST",
        lambda w: f"/supervision/exemplary/{w.accepted.pk}/",
        SEES_A,
        only(HIGH),
        lambda w, who: {"exemplary": "1", "note": "公开听证后息诉罢访"},
    ),
    # bulletins (R17): published to every court of the province
    page(
        "bulletin-nation",
        "bulletins:nation",
        "GET",
        lambda w: f"/bulletins/nation.docx?as_of={ON}",
        only(NATION),  # made on request for those who see the nation (issue #7)
        only(NATION),
    ),
    page("bulletin-list", "bulletins:list", "GET", lambda w: "/bulletins/", EVERYONE, EVERYONE),
    page(
        "bulletin-issue",
        "bulletins:issue",
        "GET",
        lambda w: "/bulletins/issue/",
        EVERYONE,
        only(HIGH),
    ),
    page(
        "bulletin-issue",
        "bulletins:issue",
        "POST",
        lambda w: "/bulletins/issue/",
        EVERYONE,
        only(HIGH),
        lambda w, who: {"as_of": "2019-03-28", "requirements": "各中院加强指导"},
    ),
    page(
        "bulletin-detail",
        "bulletins:detail",
        "GET",
        lambda w: f"/bulletins/{w.bulletin.pk}/",
        IN_PROVINCE,
        IN_PROVINCE,
    ),
    page(
        "bulletin-download",
        "bulletins:download",
        "GET",
        lambda w: f"/bulletins/{w.bulletin.pk}/xlsx/",
        IN_PROVINCE,
        IN_PROVINCE,
    ),
    # the ledger import (R22)
    page(
        "ledger-import",
        "ledger:import",
        "GET",
        lambda w: "/ledger/import/",
        EVERYONE,
        PETITION_OFFICES,
    ),
    page(
        "ledger-import",
        "ledger:import",
        "POST",
        lambda w: "/ledger/import/",
        EVERYONE,
        PETITION_OFFICES,
        sheet_upload,
    ),
    page(
        "ledger-detail",
        "ledger:detail",
        "GET",
        lambda w: f"/ledger/imports/{w.ledger_import.pk}/",
        SEES_A,
        only(OWNER, INTERMEDIATE, HIGH),
    ),
    page(
        "ledger-progress",
        "ledger:progress",
        "GET",
        lambda w: f"/ledger/imports/{w.ledger_import.pk}/progress/",
        SEES_A,
        only(OWNER, INTERMEDIATE, HIGH),
    ),
    page(
        "ledger-apply",
        "ledger:apply",
        "POST",
        lambda w: f"/ledger/imports/{w.ledger_import.pk}/apply/",
        SEES_A,
        only(OWNER, INTERMEDIATE, HIGH),
        lambda w, who: {},
    ),
    page(
        "ledger-marked",
        "ledger:marked",
        "GET",
        lambda w: f"/ledger/imports/{w.ledger_import.pk}/marked.xlsx",
        SEES_A,
        only(OWNER, INTERMEDIATE, HIGH),
    ),
]

# URL names that are not in the matrix, and why.
EXCLUDED_URLS: dict[str, str] = {
    "accounts:login": "the login page itself: open to anonymous visitors by design",
    "accounts:logout": "signing out touches only the visitor's own session",
    "healthz": "the health check for the load balancer: answers 'ok', shows no data",
}
# Everything under the API's prefix is enumerated operation by operation from its OpenAPI
# schema below (and its JSON 404 for unknown paths has no object to protect).
API_ROUTE_PREFIX = "api/v1/"


# --- the API -------------------------------------------------------------------------------


def op(
    method: str,
    route: str,
    path: Path,
    seen: frozenset[str],
    allowed: frozenset[str],
    body: Body | None = None,
    *,
    id: str,
    multipart: bool = False,
) -> Row:
    return Row(
        f"api-{id}", f"{method} {API}{route}", method, path, seen, allowed, body, True, multipart
    )


def case_path(attr: str, tail: str = "") -> Path:
    return lambda w: f"{API}/cases/{getattr(w, attr).pk}{tail}"


def fixed(body: dict[str, Any]) -> Body:
    return lambda w, who: body


API_ROWS: list[Row] = [
    op("GET", "/courts/", lambda w: f"{API}/courts/", EVERYONE, EVERYONE, id="court-list"),
    op(
        "GET",
        "/courts/{court_id}",
        lambda w: f"{API}/courts/{w.world.tree.lixia.pk}",
        SEES_A,
        SEES_A,
        id="court-detail",
    ),
    op(
        "GET",
        "/courts/{court_id}/people",
        lambda w: f"{API}/courts/{w.world.tree.lixia.pk}/people",
        SEES_A,
        SEES_A,
        id="court-people",
    ),
    op(
        "PATCH",
        "/courts/people/{person_id}",
        lambda w: f"{API}/courts/people/{w.person.pk}",
        SEES_A,
        only(COURT_ADMIN),
        fixed({"phone": "13900002222"}),
        id="person-patch",
    ),
    op("GET", "/cases/", lambda w: f"{API}/cases/", EVERYONE, EVERYONE, id="case-list"),
    op(
        "POST",
        "/cases/",
        lambda w: f"{API}/cases/",
        EVERYONE,  # at the user's own court
        PETITION_OFFICES,
        fixed(
            {"campaign_year": 2019, "petition_type": "beijing", "petitioners": [{"name": "钱新"}]}
        ),
        id="case-create",
    ),
    op("GET", "/cases/{case_id}", case_path("case"), SEES_A, SEES_A, id="case-get"),
    op(
        "PATCH",
        "/cases/{case_id}",
        case_path("case"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"claims": "要求赔偿损失"}),
        id="case-patch",
    ),
    op(
        "POST",
        "/cases/new-petitions",
        lambda w: f"{API}/cases/new-petitions",
        SEES_A,  # the first-receipt owner is a person of 历下法院
        A_OFFICE_OR_HIGH,
        lambda w, who: {
            "owner_id": w.world.lixia.president.pk,
            "received_on": EARLIER,
            "petition_type": "beijing",
            "petitioners": [{"name": "孙新"}],
            "campaign_year": 2019,
        },
        id="new-petition",
    ),
    op(
        "POST",
        "/cases/{case_id}/original-cases",
        case_path("case", "/original-cases"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"number": "(2018)鲁0102民初5678号"}),
        id="original-add",
    ),
    op(
        "POST",
        "/cases/{case_id}/original-cases/{original_id}/flag",
        lambda w: f"{API}/cases/{w.case.pk}/original-cases/{w.original.pk}/flag",
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"flawed": True, "note": "适用法律错误"}),
        id="original-flag",
    ),
    op(
        "POST",
        "/cases/{case_id}/source",
        case_path("case", "/source"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"stage": "trial"}),
        id="source",
    ),
    op(
        "POST",
        "/cases/{case_id}/visits",
        case_path("case", "/visits"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"visited_on": EARLIER, "level": "local"}),
        id="visit",
    ),
    op(
        "POST",
        "/cases/{case_id}/petitioners/{petitioner_id}/reveal",
        lambda w: f"{API}/cases/{w.case.pk}/petitioners/{w.petitioner.pk}/reveal",
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({}),
        id="reveal",
    ),
    op(
        "GET",
        "/cases/{case_id}/petitioners/{petitioner_id}/duplicates",
        lambda w: f"{API}/cases/{w.case.pk}/petitioners/{w.petitioner.pk}/duplicates",
        SEES_A,
        SEES_A,
        id="duplicates",
    ),
    op(
        "GET",
        "/cases/{case_id}/allocation-suggestion",
        case_path("case", "/allocation-suggestion"),
        SEES_A,
        only(HIGH),
        id="allocation-suggestion",
    ),
    op(
        "POST",
        "/cases/{case_id}/allocate",
        case_path("unallocated", "/allocate"),
        HOLDS_UNALLOCATED,
        only(HIGH),
        fixed({}),
        id="allocate",
    ),
    op(
        "PUT",
        "/cases/{case_id}/team",
        case_path("case", "/team"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        lambda w, who: team_ids(w),
        id="team",
    ),
    op(
        "POST",
        "/cases/{case_id}/classification",
        case_path("case", "/classification"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"solve": True}),
        id="classify",
    ),
    op(
        "POST",
        "/cases/{case_id}/measures",
        case_path("case", "/measures"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"kind": "reception", "taken_on": EARLIER, "summary": "院长接谈"}),
        id="measure",
    ),
    op(
        "POST",
        "/cases/{case_id}/attachments",
        case_path("case", "/attachments"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        lambda w, who: {"purpose": "evidence", "file": pdf()},
        id="attachment-add",
        multipart=True,
    ),
    op(
        "GET",
        "/cases/{case_id}/attachments/{attachment_id}",
        lambda w: f"{API}/cases/{w.case.pk}/attachments/{w.attachment.pk}",
        SEES_A,
        SEES_A,
        id="attachment-download",
    ),
    op(
        "POST",
        "/cases/{case_id}/leader-activities",
        case_path("case", "/leader-activities"),
        SEES_A,
        only(OWNER),
        fixed({"happened_on": EARLIER, "kind": "reception", "summary": "包案领导接访"}),
        id="leader-activity",
    ),
    op(
        "POST",
        "/cases/{case_id}/resolution/written",
        case_path("case", "/resolution/written"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        lambda w, who: {"promise_on": EARLIER, "attachment_id": w.attachment.pk},
        id="written",
    ),
    op(
        "POST",
        "/cases/{case_id}/resolution/oral",
        case_path("case", "/resolution/oral"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"promise_on": EARLIER}),
        id="oral",
    ),
    op(
        "POST",
        "/cases/{case_id}/resolution/termination",
        case_path("case", "/resolution/termination"),
        SEES_A,
        A_OFFICE_OR_HIGH,
        fixed({"step": "review", "done_on": EARLIER}),
        id="termination",
    ),
    op(
        "POST",
        "/cases/{case_id}/acceptance",
        case_path("met", "/acceptance"),
        SEES_A,
        only(OWNER),
        fixed({"note": "已书面承诺"}),
        id="acceptance-submit",
    ),
    op(
        "POST",
        "/cases/{case_id}/escalation",
        case_path("case", "/escalation"),
        SEES_A,
        only(OWNER),
        fixed({"reason": "案情复杂"}),
        id="escalation-request",
    ),
    op(
        "POST",
        "/cases/{case_id}/take-up",
        case_path("case", "/take-up"),
        SEES_A,
        SUPERIORS,
        fixed({"reason": "中院提级办理"}),
        id="take-up",
    ),
    op(
        "POST",
        "/cases/{case_id}/guidance",
        case_path("case", "/guidance"),
        SEES_A,
        SUPERIORS,
        fixed({"text": "请加强释法明理"}),
        id="guidance",
    ),
    op(
        "POST",
        "/campaigns/{year}/allocate",
        lambda w: f"{API}/campaigns/2019/allocate",
        SEES_PROVINCE,  # the province is the object: only the province office sees it whole
        only(HIGH),
        fixed({}),
        id="campaign-allocate",
    ),
    op(
        "POST",
        "/campaigns/{year}/carry-over",
        lambda w: f"{API}/campaigns/2019/carry-over",
        SEES_PROVINCE,
        only(HIGH),
        fixed({"target_year": 2020}),
        id="campaign-carry-over",
    ),
    op(
        "GET",
        "/acceptance/pending",
        lambda w: f"{API}/acceptance/pending",
        EVERYONE,
        EVERYONE,
        id="acceptance-pending",
    ),
    op(
        "POST",
        "/acceptance/{request_id}/decision",
        lambda w: f"{API}/acceptance/{w.acceptance.pk}/decision",
        SEES_A,
        SUPERIORS,
        fixed({"accept": True, "reason": ""}),
        id="acceptance-decide",
    ),
    op(
        "POST",
        "/escalations/{request_id}/decision",
        lambda w: f"{API}/escalations/{w.escalation.pk}/decision",
        SEES_A,
        SUPERIORS,
        fixed({"approve": True, "note": ""}),
        id="escalation-decide",
    ),
    op(
        "GET",
        "/notifications",
        lambda w: f"{API}/notifications",
        EVERYONE,
        EVERYONE,
        id="notifications",
    ),
    op(
        "POST",
        "/notifications/{notification_id}/read",
        lambda w: f"{API}/notifications/{w.notification.pk}/read",
        only(OWNER),
        only(OWNER),
        fixed({}),
        id="notification-read",
    ),
]

# API operations that are not in the matrix, and why.
EXCLUDED_OPERATIONS: dict[str, str] = {
    f"POST {API}/auth/token": "the login of the API: exchanges a password, open by design",
}

ROWS = PAGE_ROWS + API_ROWS


# --- enumeration ---------------------------------------------------------------------------


def url_names() -> dict[str, str]:
    """Every named URL pattern of the site, "namespace:name" → route."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                ns = f"{namespace}:{inner}" if namespace and inner else namespace or inner
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                # An unnamed pattern is known by its route.
                name = pattern.name or route
                found[f"{namespace}:{name}" if namespace else name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def api_operations() -> set[str]:
    """Every operation of the API's OpenAPI schema, "METHOD /api/v1/path"."""
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def _excluded(name: str, route: str) -> bool:
    # A regex route (re_path) reads "^api/v1/…": its anchor is not part of the address.
    return name in EXCLUDED_URLS or route.lstrip("^").startswith(API_ROUTE_PREFIX)


def test_every_url_pattern_has_a_row() -> None:
    names = url_names()
    covered = {row.key for row in PAGE_ROWS}
    missing = sorted(
        n for n, route in names.items() if n not in covered and not _excluded(n, route)
    )
    assert not missing, f"URL patterns without a permission row: {missing}"
    stale = sorted(covered - set(names))
    assert not stale, f"rows for URL names that no longer exist: {stale}"


def test_every_case_page_action_has_a_row() -> None:
    assert set(ACTION_ROWS) == set(BY_NAME) == set(ACTION_BODIES)


def test_every_api_operation_has_a_row() -> None:
    operations = api_operations()
    covered = {row.key for row in API_ROWS}
    missing = sorted(operations - covered - set(EXCLUDED_OPERATIONS))
    assert not missing, f"API operations without a permission row: {missing}"
    stale = sorted(covered - operations)
    assert not stale, f"rows for API operations that no longer exist: {stale}"


def test_rows_are_consistent() -> None:
    for row in ROWS:
        assert row.allowed <= row.seen <= LOGGED_IN, row.id
        assert (row.body is None) == (row.method == "GET"), row.id
    ids = [f"{row.id}/{row.method}" for row in ROWS]
    assert len(ids) == len(set(ids)), "two rows share a test id"


# --- the world, built once -----------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MatrixWorld]:
    """Built once inside a transaction rolled back when the module is done; each test's own
    changes roll back to this state (pytest-django's savepoint around every test)."""
    media = tmp_path_factory.mktemp("matrix-media")
    settings = override_settings(
        MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    settings.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_matrix_world(media)
            for who, user in built.users.items():
                if user is not None:
                    client = Client()
                    client.force_login(user)
                    built.sessions[who] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings.disable()
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    settings.disable()


@pytest.fixture
def w(matrix: MatrixWorld, db: None) -> Iterator[MatrixWorld]:
    with clock.travel(DAY):
        yield matrix


@functools.cache
def _client() -> Client:
    return Client()


def client_for(w: MatrixWorld, who: str) -> Client:
    """One client for the module (building a client's middleware stack is the slow part),
    signed in afresh as `who`."""
    client = _client()
    client.cookies.clear()
    if who != ANONYMOUS:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = w.sessions[who]
    return client


def send(client: Client, row: Row, w: MatrixWorld, who: str) -> Response:
    path = row.path(w)
    if row.method == "GET":
        return client.get(path)
    body = row.body(w, who) if row.body else {}
    call = getattr(client, row.method.lower())
    if row.api and not row.multipart:
        return call(path, data=json.dumps(body), content_type="application/json")
    return call(path, data=body)


def content_of(response: Response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_answer(row: Row, who: str, response: Response, client: Client) -> None:
    expected = row.expected(who)
    status = response.status_code
    if expected == "ok":
        assert status in row.success, content_of(response).decode(errors="replace")[:2000]
        if status == 302:
            assert not response["Location"].startswith(LOGIN_URL)
        return
    if expected == "login":
        if row.api:
            assert status == 401
        else:
            assert status == 302 and response["Location"].startswith(LOGIN_URL)
        return
    want = 404 if expected == "missing" else 403
    assert status == want, content_of(response).decode(errors="replace")[:2000]
    if expected == "missing":
        # Out of scope is answered exactly like an object that does not exist.
        if row.api:
            assert response.json() == {"detail": NOT_FOUND}
        else:
            assert _normalised(response) == _missing_page(client, who)


@functools.cache
def _missing_page(client: Client, who: str) -> str:
    """What `who` is shown for a case that does not exist (the same in every test: each
    test's changes roll back)."""
    return _normalised(client.get("/cases/999999999/"))


def _normalised(response: Response) -> str:
    """The error itself: the page's main part (the navigation around it marks the section of
    the address asked for)."""
    text = response.content.decode()
    found = re.search(r"<main\b.*?</main>", text, re.S)
    assert found, text[:500]
    return found.group(0)


def assert_no_leak(w: MatrixWorld, response: Response) -> None:
    text = content_of(response).decode(errors="replace")
    assert PETITIONER not in text
    for number in w.ledger_numbers:
        assert number not in text


CHECKS = [(row, who) for row in ROWS for who in USERS]


@pytest.mark.parametrize(
    ("row", "who"), CHECKS, ids=[f"{row.id}/{who}/{row.method}" for row, who in CHECKS]
)
def test_matrix(w: MatrixWorld, row: Row, who: str) -> None:
    client = client_for(w, who)
    refused = row.expected(who) != "ok"
    before = fingerprint() if refused else None
    response = send(client, row, w, who)
    assert_answer(row, who, response, client)
    if refused:
        assert_no_leak(w, response)
        assert before is not None
        after = fingerprint()
        assert not changed(before, after), f"a refused request changed {changed(before, after)}"


# --- lists and exports: nothing of 历下法院 outside its sight ------------------------------


def _xlsx_text(response: Response) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content_of(response)), read_only=True)
    cells = (
        str(value)
        for sheet in book.worksheets
        for values in sheet.iter_rows(values_only=True)
        for value in values
        if value is not None
    )
    return "\n".join(cells)


def _text(response: Response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        return _xlsx_text(response)
    return content_of(response).decode()


def lixia(w: MatrixWorld) -> int:
    return w.world.tree.lixia.pk


LISTS: dict[str, Path] = {
    "case-list": lambda w: "/cases/",
    "case-list-search": lambda w: "/cases/?q=2019-M",
    "case-list-court-filter": lambda w: f"/cases/?court={lixia(w)}",
    "case-export": lambda w: "/cases/export.xlsx",
    "case-export-court-filter": lambda w: f"/cases/export.xlsx?court={lixia(w)}",
    "workbench": lambda w: "/workbench/",
    "acceptance-queue": lambda w: "/acceptance/",
    "notifications": lambda w: "/notifications/",
    "exemplary": lambda w: "/supervision/exemplary/",
    "dashboard": lambda w: "/supervision/",
    "court-tree": lambda w: "/courts/",
    "ledger-import": lambda w: "/ledger/import/",
    "api-case-list": lambda w: f"{API}/cases/?limit=200",
    "api-case-search": lambda w: f"{API}/cases/?q=2019-M",
    "api-case-list-court-filter": lambda w: f"{API}/cases/?court={lixia(w)}",
    "api-case-list-leader-filter": lambda w: f"{API}/cases/?leader={w.world.lixia.leader.pk}",
    "api-acceptance-pending": lambda w: f"{API}/acceptance/pending",
    "api-notifications": lambda w: f"{API}/notifications",
    "api-court-list": lambda w: f"{API}/courts/",
}
# The lists that must show 历下法院's in-resolution case to those who see it (so its absence
# elsewhere means something): the case lists and the export.
FINDS_THE_CASE = {
    "case-list",
    "case-list-search",
    "case-list-court-filter",
    "case-export",
    "case-export-court-filter",
    "api-case-list",
    "api-case-search",
    "api-case-list-court-filter",
}
OUTSIDERS = (SIBLING, OTHER_CITY, OTHER_PROVINCE)


def markers(w: MatrixWorld) -> list[str]:
    """What nobody outside 历下法院's sight may read: its cases' petitioner and ledger
    numbers, its name, its import's file name."""
    court = w.world.tree.lixia
    return [PETITIONER, *w.ledger_numbers, court.name, court.short_name, w.ledger_import.file_name]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("name", list(LISTS))
def test_lists_show_nothing_outside_the_scope(w: MatrixWorld, name: str, who: str) -> None:
    response = client_for(w, who).get(LISTS[name](w))
    # A filter naming a court out of sight is refused as bad input or ignored, never obeyed.
    assert response.status_code in (200, 422)
    text = _text(response) if response.status_code == 200 else response.content.decode()
    for marker in markers(w):
        assert marker not in text


@pytest.mark.parametrize("who", [OWNER, INTERMEDIATE, HIGH])
@pytest.mark.parametrize("name", sorted(FINDS_THE_CASE))
def test_lists_show_the_case_inside_the_scope(w: MatrixWorld, name: str, who: str) -> None:
    response = client_for(w, who).get(LISTS[name](w))
    assert response.status_code == 200
    assert w.case.ledger_no in _text(response)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_dashboard_of_another_court_shows_not_its_name(w: MatrixWorld, who: str) -> None:
    """The dashboard opens on the user's own court; 历下法院 is nowhere on it."""
    response = client_for(w, who).get("/supervision/")
    assert response.status_code == 200
    assert w.world.tree.lixia.short_name not in response.content.decode()


def test_dashboard_of_the_supervisor_shows_the_court(w: MatrixWorld) -> None:
    response = client_for(w, INTERMEDIATE).get("/supervision/")
    assert w.world.tree.lixia.short_name in response.content.decode()


def test_bulletins_are_not_published_to_another_province(w: MatrixWorld) -> None:
    title = f"第{w.bulletin.number}期"
    assert title in client_for(w, OTHER_CITY).get("/bulletins/").content.decode()
    assert title not in client_for(w, OTHER_PROVINCE).get("/bulletins/").content.decode()


@pytest.mark.parametrize("who", sorted(LOGGED_IN - {OWNER}))
def test_reading_all_my_notifications_reads_nobody_else_s(w: MatrixWorld, who: str) -> None:
    assert client_for(w, who).post("/notifications/read-all/").status_code == 302
    w.notification.refresh_from_db()
    assert w.notification.read_at is None


# --- ids that mix a visible case with another case's objects (R2) ------------------------


@dataclass(frozen=True)
class Mixed:
    """市南区法院's office names its own case in the path and 历下法院's object by id."""

    id: str
    method: str
    path: Path
    body: Callable[[MatrixWorld], dict[str, Any]] | None
    status: int  # 404 for an object in the path, 422 for one in the body


def mine(tail: Callable[[MatrixWorld], str]) -> Path:
    return lambda w: f"{API}/cases/{w.other_city_case.pk}{tail(w)}"


MIXED: list[Mixed] = [
    Mixed(
        "page-attachment",
        "GET",
        lambda w: f"/cases/{w.other_city_case.pk}/attachments/{w.attachment.pk}/",
        None,
        404,
    ),
    Mixed("api-attachment", "GET", mine(lambda w: f"/attachments/{w.attachment.pk}"), None, 404),
    Mixed(
        "api-original-flag",
        "POST",
        mine(lambda w: f"/original-cases/{w.original.pk}/flag"),
        lambda w: {"flawed": True},
        404,
    ),
    Mixed(
        "api-reveal",
        "POST",
        mine(lambda w: f"/petitioners/{w.petitioner.pk}/reveal"),
        lambda w: {},
        404,
    ),
    Mixed(
        "api-duplicates",
        "GET",
        mine(lambda w: f"/petitioners/{w.petitioner.pk}/duplicates"),
        None,
        404,
    ),
    Mixed(
        "api-written",
        "POST",
        mine(lambda w: "/resolution/written"),
        lambda w: {"promise_on": EARLIER, "attachment_id": w.attachment.pk},
        422,
    ),
    Mixed(
        "api-acceptance-evidence",
        "POST",
        mine(lambda w: "/acceptance"),
        lambda w: {"note": "", "evidence_ids": [w.attachment.pk]},
        422,
    ),
    Mixed(
        "api-team",
        "PUT",
        mine(lambda w: "/team"),
        lambda w: {"leader": w.world.lixia.leader.pk},
        422,
    ),
    Mixed(
        "api-source-judge",
        "POST",
        mine(lambda w: "/source"),
        lambda w: {"stage": "trial", "judge_id": w.person.pk},
        422,
    ),
    Mixed(
        "api-visit-petitioner",
        "POST",
        mine(lambda w: "/visits"),
        lambda w: {"visited_on": EARLIER, "level": "local", "petitioner_id": w.petitioner.pk},
        422,
    ),
    Mixed(
        "api-allocate-court",
        "POST",
        lambda w: f"{API}/cases/{w.unallocated.pk}/allocate",
        lambda w: {"court_id": w.world.tree.xuanwu.pk, "reason": "人工指定"},
        422,
    ),
]


@pytest.mark.parametrize("mixed", MIXED, ids=[m.id for m in MIXED])
def test_ids_of_another_case_are_refused(w: MatrixWorld, mixed: Mixed) -> None:
    # The allocation probe is the province office naming a court of another province.
    who = HIGH if mixed.id == "api-allocate-court" else OTHER_CITY
    client = client_for(w, who)
    before = fingerprint()
    path = mixed.path(w)
    if mixed.body is None:
        response = client.get(path)
    else:
        call = getattr(client, mixed.method.lower())
        response = call(path, data=json.dumps(mixed.body(w)), content_type="application/json")
    assert response.status_code == mixed.status, content_of(response)[:500]
    assert not changed(before, fingerprint())
    assert_no_leak(w, response)


# --- an account switched off keeps nothing ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "api_call"),
    [("/cases/{case}/", False), ("/cases/", False), ("/api/v1/cases/{case}", True)],
    ids=["case-detail", "case-list", "api-case-get"],
)
def test_a_deactivated_account_is_a_visitor(w: MatrixWorld, path: str, api_call: bool) -> None:
    """The owner's office is switched off while signed in and holding an API token: its
    session and its token open nothing (R2)."""
    from huajie.accounts.models import ApiToken

    owner = w.users[OWNER]
    assert owner is not None
    token = ApiToken.issue(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    url = path.format(case=w.case.pk)
    response = client_for(w, OWNER).get(url)
    if api_call:
        assert response.status_code == 401
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(url)
        assert bearer.status_code == 401
        assert_no_leak(w, bearer)
    else:
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    assert_no_leak(w, response)


# --- the supervising court does not see the other city ------------------------------------


@pytest.mark.parametrize("who", [OWNER, SIBLING, INTERMEDIATE, OTHER_PROVINCE])
def test_the_other_city_s_case_is_out_of_sight(w: MatrixWorld, who: str) -> None:
    """济南中院 supervises its own basic courts only: 市南法院's case (青岛) is as missing to it
    as to the basic courts of 济南; and no list of theirs names it."""
    case = w.other_city_case
    client = client_for(w, who)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"{API}/cases/{case.pk}").status_code == 404
    # The search is for the number's prefix: the page repeats what was searched for.
    for path in ("/cases/?q=2019-Q", "/cases/export.xlsx", f"{API}/cases/?q=2019-Q"):
        text = _text(client.get(path))
        assert case.ledger_no not in text and "周五" not in text
    # …while 市南法院 and the high court find it.
    for insider in (OTHER_CITY, HIGH):
        assert case.ledger_no in _text(client_for(w, insider).get("/cases/?q=2019-Q"))
