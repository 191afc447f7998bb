"""The sandbox's control endpoints (fault injection, reset, summary, request log) cannot
be reached unless THRED_SANDBOX["CONTROL_ENABLED"] is True — and then only with the
partner's HTTP Basic credentials.

* disabled (explicitly, or by default when the setting is absent): 404 for every control
  URL and every method, even with valid credentials, and nothing happens (faults unchanged,
  nothing wiped);
* enabled: 401 without credentials, with a wrong key, an unknown partner, a malformed
  Basic value or a bearer token (even a valid partner token) — and nothing happens;
  with the right credentials it answers (the positive control).
"""

from __future__ import annotations

import base64
from contextlib import contextmanager

import httpx
import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from thred_django.conf import sandbox_settings
from thred_django.sandbox import faults
from thred_django.sandbox.models import Business, FaultConfig
from thred_django.sandbox.transport import in_process_transport

pytestmark = pytest.mark.django_db

BASE = "http://testserver/thred-sandbox"
PARTNER_ID = django_settings.THRED["PARTNER_ID"]
API_KEY = django_settings.THRED["API_KEY"]
CONTROL = ["_control/faults/", "_control/reset/", "_control/summary/", "_control/requests/"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# What a successful call would do, per URL: the request that changes something.
ATTACKS = {
    "_control/faults/": ("PUT", {"error_500_rate": 1.0}),
    "_control/reset/": ("POST", None),
    "_control/summary/": ("GET", None),
    "_control/requests/": ("GET", None),
}


def basic(partner_id: str = PARTNER_ID, api_key: str = API_KEY) -> str:
    return "Basic " + base64.b64encode(f"{partner_id}:{api_key}".encode()).decode()


@pytest.fixture
def http():
    with httpx.Client(transport=in_process_transport(), base_url=BASE) as client:
        yield client


@pytest.fixture
def state(http):
    """A business in the sandbox and a fault setting, to see that nothing changed."""
    token = http.post(
        "/v1/platform/oauth2/token/",
        data={"grant_type": "client_credentials", "client_id": PARTNER_ID},
        headers={"Authorization": basic()},
    ).json()["access_token"]
    created = http.post(
        "/v1/platform/businesses/",
        json={
            "external_id": "control-test",
            "legal_name": "Control Test Ltd",
            "entity_type": "limited",
            "email": "books@control.example",
            "country": "GB",
            "base_currency": "GBP",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    faults.set_faults(retry_after_seconds=3)
    return {"token": token}


@contextmanager
def sandbox_setting(value: dict | None):
    """THRED_SANDBOX = value, or no THRED_SANDBOX setting at all when value is None."""
    if value is not None:
        with override_settings(THRED_SANDBOX=value):
            yield
        return
    try:
        with override_settings():
            del django_settings.THRED_SANDBOX
            # A deleted setting sends no setting_changed: reload by hand, in and out.
            sandbox_settings.reload()
            yield
    finally:
        sandbox_settings.reload()


def assert_nothing_happened() -> None:
    assert Business.objects.filter(external_id="control-test").exists()
    current = faults.current_faults()
    assert current.error_500_rate == 0.0 and current.retry_after_seconds == 3
    assert FaultConfig.objects.filter(pk=1).exists()


def call(http, method: str, path: str, authorization: str | None, body=None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization else {}
    return http.request(method, f"/{path}", headers=headers, json=body)


@pytest.mark.parametrize("path", CONTROL)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "setting",
    [{"CONTROL_ENABLED": False}, {"FAULTS": {}}, None],
    ids=["disabled", "left at its default", "no THRED_SANDBOX setting"],
)
def test_disabled_control_is_not_found_even_with_valid_credentials(
    http, state, path, method, setting
):
    body = {"error_500_rate": 1.0} if method in ("PUT", "PATCH") else None
    with sandbox_setting(setting):
        response = call(http, method, path, basic(), body)
    assert response.status_code == 404, response.text
    assert response.json()["error_code"] == "not_found"
    assert_nothing_happened()
    assert sandbox_settings.CONTROL_ENABLED is True  # the suite's own setting is back


BAD_CREDENTIALS = {
    "none": lambda s: None,
    "wrong key": lambda s: basic(api_key="not-the-key"),
    "unknown partner": lambda s: basic(partner_id="00000000-0000-4000-8000-000000000000"),
    "empty key": lambda s: basic(api_key=""),
    "malformed basic": lambda s: "Basic !!!not-base64!!!",
    "partner bearer token": lambda s: f"Bearer {s['token']}",
    "api key as bearer": lambda s: f"Bearer {API_KEY}",
}


@pytest.mark.parametrize("path", CONTROL)
@pytest.mark.parametrize("credentials", list(BAD_CREDENTIALS))
def test_enabled_control_needs_the_partner_credentials(http, state, path, credentials):
    method, body = ATTACKS[path]
    with override_settings(THRED_SANDBOX={"CONTROL_ENABLED": True}):
        response = call(http, method, path, BAD_CREDENTIALS[credentials](state), body)
        assert response.status_code == 401, (credentials, response.text)
        assert API_KEY not in response.text
    assert_nothing_happened()


@pytest.mark.parametrize("path", CONTROL)
def test_enabled_control_answers_the_partner(http, state, path):
    method = "GET" if path != "_control/reset/" else "POST"
    with override_settings(THRED_SANDBOX={"CONTROL_ENABLED": True}):
        assert call(http, method, path, basic()).status_code == 200
