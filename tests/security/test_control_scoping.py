"""With two partners, the sandbox's control endpoints only ever touch the caller's part.

Partner A cannot read B's request log, change the faults B's requests get, reset B's
businesses, or read B's business summary; B's state is checked after each of A's
calls (and A's own calls do take effect, so the refusals are not an accident).
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from django.test import override_settings

from thred_django.sandbox import faults
from thred_django.sandbox.models import Business, RequestLog
from thred_django.sandbox.transport import in_process_transport

pytestmark = pytest.mark.django_db

A = ("0a0a0a0a-1111-4111-8111-000000000001", "partner-a-key-0123456789")
B = ("0b0b0b0b-2222-4222-8222-000000000002", "partner-b-key-9876543210")
SANDBOX = {"CONTROL_ENABLED": True, "PARTNERS": dict([A, B])}


def basic(partner: tuple[str, str]) -> dict[str, str]:
    raw = base64.b64encode(f"{partner[0]}:{partner[1]}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


class Partner:
    def __init__(self, http: httpx.Client, creds: tuple[str, str], name: str) -> None:
        self.http, self.creds, self.id = http, creds, creds[0]
        response = http.post(
            "/v1/platform/oauth2/token/",
            data={"grant_type": "client_credentials", "client_id": self.id},
            headers=basic(creds),
        )
        assert response.status_code == 200, response.text
        self.bearer = {"Authorization": f"Bearer {response.json()['access_token']}"}
        created = http.post(
            "/v1/platform/businesses/",
            json={
                "external_id": f"{name}-biz",
                "legal_name": f"{name} Ltd",
                "entity_type": "limited",
                "email": f"books@{name}.example",
                "country": "GB",
                "base_currency": "GBP",
            },
            headers=self.bearer,
        )
        assert created.status_code == 201, created.text
        self.business_id = created.json()["id"]

    def list_businesses(self) -> httpx.Response:
        return self.http.get("/v1/platform/businesses/", headers=self.bearer)

    def control(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.http.request(method, f"/_control/{path}", headers=basic(self.creds), **kw)


@pytest.fixture
def partners():
    with (
        override_settings(THRED_SANDBOX=SANDBOX),
        httpx.Client(
            transport=in_process_transport(), base_url="http://testserver/thred-sandbox"
        ) as http,
    ):
        yield Partner(http, A, "alpha"), Partner(http, B, "beta")


def test_request_log_shows_only_the_callers_requests(partners):
    a, b = partners
    b.list_businesses()
    rows = a.control("GET", "requests/", params={"page_size": 100}).json()["results"]
    assert rows and all(row["business_id"] in (None, a.business_id) for row in rows)
    assert b.business_id not in str(rows)
    assert RequestLog.objects.filter(partner_id=b.id).count() >= 3  # B's rows exist
    own = b.control("GET", "requests/", params={"page_size": 100}).json()["results"]
    assert {row["business_id"] for row in own} >= {b.business_id}
    filtered = a.control("GET", "requests/", params={"business_id": b.business_id})
    assert filtered.json()["count"] == 0


def test_faults_change_only_the_callers_requests(partners):
    a, b = partners
    changed = a.control("PUT", "faults/", json={"error_500_rate": 1.0})
    assert changed.status_code == 200 and changed.json()["source"] == "partner"
    assert a.list_businesses().status_code == 500  # A's change took effect for A
    assert b.list_businesses().status_code == 200  # and not for B
    assert b.control("GET", "faults/").json()["faults"]["error_500_rate"] == 0.0
    assert faults.current_faults().error_500_rate == 0.0  # the shared settings too
    assert b.control("DELETE", "faults/").status_code == 200  # B's reset leaves A's alone
    assert a.list_businesses().status_code == 500
    a.control("DELETE", "faults/")
    assert a.list_businesses().status_code == 200


def test_reset_wipes_only_the_callers_data(partners):
    a, b = partners
    b.list_businesses()
    b_log = RequestLog.objects.filter(partner_id=b.id).count()
    deleted = a.control("POST", "reset/").json()["deleted"]
    assert deleted["business"] == 1
    assert not Business.objects.filter(partner_id=a.id).exists()
    assert Business.objects.filter(partner_id=b.id).count() == 1
    assert RequestLog.objects.filter(partner_id=b.id).count() == b_log
    assert not RequestLog.objects.filter(partner_id=a.id).exists()
    body = b.list_businesses().json()
    assert [item["id"] for item in body["results"]] == [b.business_id]


def test_summary_of_another_partners_business_is_not_found(partners):
    a, b = partners
    assert a.control("GET", "summary/", params={"business": b.business_id}).status_code == 404
    assert b.control("GET", "summary/", params={"business": b.business_id}).status_code == 200
