"""Property-based: the sandbox against the documented OpenAPI (schemathesis).

Every operation of ``shared/thred-api/openapi.json`` gets generated requests, valid
(positive) and invalid (negative), through the WSGI app in process, with the right
credentials for its security scheme and the business fixed to one that exists. The
sandbox must never answer 5xx; every answer must use a documented status and content
type and match the documented response schema; an invalid request must be refused.
Deviations are allowed only where the sandbox's own readings record them
(``thred_django.sandbox.readings``, its last section): 409 for state conflicts, the 400
of GET businesses/, unknown query parameters ignored, the ignored bodies of
archive/unarchive/void.
Bounded for CI: ``THRED_SCHEMA_EXAMPLES`` examples per operation (default 15);
``THRED_SCHEMA_COVERAGE=1`` adds schemathesis's coverage phase (boundary values).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.properties.sandbox_auth import SandboxWorld  # noqa: E402
from tests.properties.stats import RunStats  # noqa: E402
from thred_django.sandbox import readings  # noqa: E402
from thred_django.sandbox.transport import _KeepConnectionsApp  # noqa: E402

OPENAPI = Path(__file__).resolve().parents[3] / "shared" / "thred-api" / "openapi.json"
EXAMPLES = int(os.environ.get("THRED_SCHEMA_EXAMPLES", "15"))
# Schemathesis's coverage phase (boundary values of every parameter and property, some
# thousands of cases) on top of the random examples: THRED_SCHEMA_COVERAGE=1.
COVERAGE = os.environ.get("THRED_SCHEMA_COVERAGE", "") == "1"
BASE_URL = "http://testserver/thred-sandbox"

if not OPENAPI.exists():  # pragma: no cover
    pytest.skip(f"{OPENAPI} not found", allow_module_level=True)

schema = schemathesis.openapi.from_path(str(OPENAPI))
schema.config.phases.update(
    phases=["examples", "coverage", "fuzzing"] if COVERAGE else ["examples", "fuzzing"]
)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
    allow_x00=True,
    allow_extra_parameters=not readings.UNKNOWN_QUERY_PARAMETERS_IGNORED,
    with_security_parameters=False,  # SandboxWorld.prepare sets the credentials
)


def documented_status(ctx: Any, response: Any, case: Any) -> bool | None:
    """``status_code_conformance``, with errors.md's 409 for state conflicts (readings)."""
    operation = (case.operation.method.upper(), case.operation.path)
    if response.status_code == readings.STATE_CONFLICT_STATUS:
        return None
    if response.status_code in readings.EXTRA_STATUSES.get(operation, ()):
        return None
    return status_code_conformance(ctx, response, case)


def invalid_data_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """``negative_data_rejection``, except for the bodies the readings ignore."""
    operation = (case.operation.method.upper(), case.operation.path)
    if operation in readings.IGNORED_REQUEST_BODIES:
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    documented_status,
    content_type_conformance,
    response_schema_conformance,
    invalid_data_refused,
]

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


STATS = RunStats("sandbox")


@pytest.fixture(scope="module")
def app():
    yield _KeepConnectionsApp()
    STATS.report()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_sandbox_matches_the_documented_schema(case, app, sandbox_world: SandboxWorld):
    sandbox_world.prepare(case)
    response = case.call(app=app, base_url=BASE_URL)
    STATS.add(case, response.status_code)
    case.validate_response(response, checks=CHECKS)
