"""Fuzzing the JSON API (issue #8) with schemathesis against /api/v1/openapi.json.

Every operation of the OpenAPI document is called with generated requests, as a realistic
user whose scope holds cases in every status. Each response must not be a server error,
its status code must be one the operation documents, and its body must match the schema
documented for that status code, and invalid data must be refused: the API is honest about
what it answers. The operations are the case lifecycle of R3–R15 and R19 (everything
online) and the court tree of R1–R2.

Examples per operation: 25 by default, HUAJIE_FUZZ_EXAMPLES=<n> for a longer run.
Under CI (CI=true) generation is derandomized, so a failure reproduces exactly.
"""

from __future__ import annotations

import json
import os
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from huajie.accounts.models import ApiToken, User
from huajie.cases import services
from huajie.cases.models import (
    AcceptanceRequest,
    Attachment,
    CaseStatus,
    EscalationRequest,
    Notification,
    OriginalCase,
    Petitioner,
)
from huajie.courts.models import Court, Person
from tests.cases.world import World, case_in

EXAMPLES = int(os.environ.get("HUAJIE_FUZZ_EXAMPLES", "25"))
# Where to write the status codes seen, per operation (optional; for docs/reliability.md).
REPORT = os.environ.get("HUAJIE_FUZZ_REPORT", "")
IN_CI = os.environ.get("CI", "").lower() == "true"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


# --- the world the fuzzer works in -----------------------------------------------------------


@dataclass
class Pools:
    """Ids that exist, by parameter name, so generated ids often hit real rows."""

    ids: dict[str, list[int]] = field(default_factory=dict)

    def pick(self, name: str, value: Any) -> Any:
        """A generated integer mapped onto an existing id most of the time, deterministically
        (so hypothesis still shrinks and replays); one value in len+1 stays as generated, so
        missing ids are still tried."""
        pool = self.ids.get(name)
        if not pool or not isinstance(value, int) or isinstance(value, bool):
            return value
        index = value % (len(pool) + 1)
        return pool[index] if index < len(pool) else value


# Parameters and body fields naming a row of one kind.
PERSON_FIELDS = ("person_id", "judge_id", "owner_id", "leader", "division_leader", "staff")
ALIASES = dict.fromkeys(PERSON_FIELDS, "person_id") | {
    "petition_contact": "person_id",
    "campaign_year": "year",
    "target_year": "year",
}


def _pools(world: World) -> Pools:
    cases = {status: case_in(world, status) for status in CaseStatus}
    services.escalation_request(
        actor=world.lixia.office,
        case=cases[CaseStatus.IN_RESOLUTION],
        reason="案情复杂，申请提级办理",
    )
    services.campaign_create(year=2020)  # a target for the carry-over
    case_ids = [c.pk for c in cases.values()]
    return Pools(
        ids={
            "case_id": case_ids,
            "petitioner_id": list(Petitioner.objects.values_list("pk", flat=True)),
            "original_id": list(OriginalCase.objects.values_list("pk", flat=True)),
            "attachment_id": list(Attachment.objects.values_list("pk", flat=True)),
            "request_id": list(AcceptanceRequest.objects.values_list("pk", flat=True))
            + list(EscalationRequest.objects.values_list("pk", flat=True)),
            "notification_id": list(Notification.objects.values_list("pk", flat=True)),
            "court_id": list(Court.objects.values_list("pk", flat=True)),
            "person_id": list(Person.objects.values_list("pk", flat=True)),
            "year": [2019, 2020],
        }
    )


@dataclass
class Fuzzer:
    user: User
    token: str
    pools: Pools


@pytest.fixture(params=["lixia_office", "province_office"])
def fuzzer(request: pytest.FixtureRequest, world: World) -> Fuzzer:
    user = world.lixia.office if request.param == "lixia_office" else world.province_office
    pools = _pools(world)
    return Fuzzer(user=user, token=ApiToken.issue(user), pools=pools)


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """The tracebacks of exceptions the app raised while answering, to show with a 5xx.

    The fuzzer calls the WSGI app itself, not Django's test client, so the handlers that
    close the database connection around each request are turned off here (as the test
    client does), or the test's transaction would be closed under it."""
    seen: list[str] = []

    def record(sender: object, request: object = None, **kwargs: object) -> None:
        seen.append(traceback.format_exc())

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(record)
    try:
        yield seen
    finally:
        got_request_exception.disconnect(record)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _remap(case: schemathesis.Case, pools: Pools) -> None:
    if case.path_parameters:
        for name, value in case.path_parameters.items():
            case.path_parameters[name] = pools.pick(ALIASES.get(name, name), value)
    if isinstance(case.body, dict):
        for name, value in case.body.items():
            key = ALIASES.get(name, name)
            if name == "evidence_ids" and isinstance(value, list):
                case.body[name] = [pools.pick("attachment_id", v) for v in value]
            else:
                case.body[name] = pools.pick(key, value)


class _Rollback(Exception):
    pass


SEEN: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if REPORT and SEEN:
        table: dict[str, dict[int, int]] = {}
        for (label, status), count in sorted(SEEN.items()):
            table.setdefault(label, {})[status] = count
        Path(REPORT).write_text(json.dumps(table, ensure_ascii=False, indent=1))


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=IN_CI,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_operation(case: schemathesis.Case, fuzzer: Fuzzer, server_errors: list[str]) -> None:
    if case.meta is None or not case.meta.generation.mode.is_negative:
        _remap(case, fuzzer.pools)  # invalid data stays as generated: it must be refused
    headers = {"Authorization": f"Bearer {fuzzer.token}"}
    server_errors.clear()
    # Each example runs in a savepoint that is rolled back, so every example meets the same
    # world whatever the previous one changed.
    try:
        with transaction.atomic():
            response = case.call(headers=headers)
            SEEN[(case.operation.label, response.status_code)] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception:
                if server_errors:
                    print("The server raised:\n" + "\n".join(server_errors))
                raise
            raise _Rollback
    except _Rollback:
        pass
