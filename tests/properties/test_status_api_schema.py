"""Property-based: the status API against its own OpenAPI schema (schemathesis).

The schema is what DRF's generator makes of ``thred_django.api`` (``ThredSchema``);
generated requests (valid and invalid) go through the WSGI app in process as a staff
user holding the view and retry permissions (HTTP Basic), over a small world of
records whose ids are put in the paths, so the answers cover real records, missing
ones and malformed ids. No 5xx, only documented statuses and content types, responses
matching the schema, invalid requests refused.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("uritemplate", reason="DRF's OpenAPI generator needs uritemplate")

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from rest_framework.schemas.openapi import SchemaGenerator  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.admin.world import build_world, fail, make_staff, record_of  # noqa: E402
from tests.properties.stats import RunStats  # noqa: E402
from thred_django.sandbox.transport import _KeepConnectionsApp  # noqa: E402

EXAMPLES = int(os.environ.get("THRED_SCHEMA_EXAMPLES", "15"))
PASSWORD = "schema-pw-123"


def _document() -> dict[str, Any]:
    import django

    django.setup()
    return SchemaGenerator(title="Thred status API", urlconf="tests.api.urls").get_schema(
        public=True
    )


schema = schemathesis.openapi.from_dict(_document())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
    allow_x00=True,
    allow_extra_parameters=False,  # ?resource= and the like are not in DRF's schema
    with_security_parameters=False,
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
STATS = RunStats("status_api")

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


class ApiWorld:
    """Records (one failed with field details) and an operator's Basic credentials."""

    def __init__(self, django_user_model: Any) -> None:
        world = build_world("Schema Shop", sales=2)
        fail(
            world.sales[0],
            details={"line_items[0].quantity": ["Ensure this value is greater than 0."]},
        )
        self.ids = {
            "content_type": ["testapp.sale", "testapp.client", "testapp.shop"],
            "id": [str(world.sales[0].pk), str(world.sales[1].pk), str(world.client.pk)],
            "pk": [str(world.sales[0].pk)],
            "external_id": [record_of(world.shop).external_id],
        }
        user = make_staff(
            django_user_model,
            "schema-operator",
            "thred_django.view_syncrecord",
            "thred_django.retry_syncrecord",
        )
        user.set_password(PASSWORD)
        user.save()
        raw = base64.b64encode(f"schema-operator:{PASSWORD}".encode()).decode()
        self.authorization = f"Basic {raw}"
        self.turn = 0

    def prepare(self, case: Any) -> None:
        """Credentials, and real ids in place of generated ones in a third of the cases."""
        self.turn += 1
        params = case.path_parameters or {}
        if self.turn % 3 == 0:
            for name in params:
                if name in self.ids:
                    choices = self.ids[name]
                    params[name] = choices[self.turn % len(choices)]
        case.headers = {**(case.headers or {}), "Authorization": self.authorization}


@pytest.fixture(scope="module")
def app():
    yield _KeepConnectionsApp()
    STATS.report()


@pytest.fixture
def api_world(pushes, django_user_model, settings) -> ApiWorld:
    # Basic auth checks the password on every request: a fast hasher for the test user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return ApiWorld(django_user_model)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_status_api_matches_its_schema(case, app, api_world: ApiWorld):
    api_world.prepare(case)
    response = case.call(app=app, base_url="http://testserver")
    STATS.add(case, response.status_code)
    case.validate_response(response, checks=CHECKS)
