"""Fixtures driving the sandbox over raw HTTP through the in-process transport."""

from __future__ import annotations

import base64
import itertools
from typing import Any

import httpx
import pytest
from django.conf import settings

from thred_django.sandbox.transport import in_process_transport

PARTNER_ID = settings.THRED["PARTNER_ID"]
API_KEY = settings.THRED["API_KEY"]
BASE_URL = "http://testserver/thred-sandbox"
SENT_AT = "2025-01-15T09:00:00Z"


def basic(partner_id: str = PARTNER_ID, api_key: str = API_KEY) -> dict[str, str]:
    raw = base64.b64encode(f"{partner_id}:{api_key}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_of(response: httpx.Response) -> tuple[int, str, dict[str, list[str]]]:
    body = response.json()
    assert set(body) == {"error", "error_code", "details"}, body
    assert isinstance(body["error"], str) and body["error"]
    return response.status_code, body["error_code"], body["details"]


class Sandbox:
    """Raw-HTTP helpers: tokens and businesses."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def partner_token(self, partner_id: str = PARTNER_ID, api_key: str = API_KEY) -> str:
        response = self.http.post(
            "/v1/platform/oauth2/token/",
            data={"grant_type": "client_credentials", "client_id": partner_id},
            headers=basic(partner_id, api_key),
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def create_business(self, token: str, **fields: Any) -> httpx.Response:
        body = {
            "external_id": "tenant-1",
            "legal_name": "Acme Coffee Ltd",
            "entity_type": "limited",
            "email": "books@acme.example",
            "country": "GB",
            "base_currency": "GBP",
            **fields,
        }
        return self.http.post("/v1/platform/businesses/", json=body, headers=bearer(token))

    def business_token(self, partner_token: str, business_id: str) -> str:
        response = self.http.post(
            f"/v1/platform/{business_id}/oauth2/token/", headers=bearer(partner_token)
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


class Biz:
    """One business with its tokens and helpers to create documents in it."""

    _ids = itertools.count(1)

    def __init__(self, sandbox: Sandbox, data: dict[str, Any], partner_token: str) -> None:
        self.http = sandbox.http
        self.data = data
        self.id: str = data["id"]
        self.partner_headers = bearer(partner_token)
        self.headers = bearer(sandbox.business_token(partner_token, self.id))

    def url(self, path: str) -> str:
        return f"/v1/platform/businesses/{self.id}/{path}"

    def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.http.post(self.url(path), json=json, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.http.get(self.url(path), headers=headers, **kw)

    def put(self, path: str, json: Any, **kw: Any) -> httpx.Response:
        return self.http.put(self.url(path), json=json, headers=self.headers, **kw)

    def patch(self, path: str, json: Any, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.http.patch(self.url(path), json=json, headers=headers, **kw)

    def ok(self, response: httpx.Response, status: int = 201) -> dict[str, Any]:
        assert response.status_code == status, response.text
        return response.json()

    def ext(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def customer(self, **fields: Any) -> dict[str, Any]:
        body = {"external_id": self.ext("cus"), "company_name": "Customer Ltd", **fields}
        return self.ok(self.post("customers/", body))

    def invoice(self, customer_id: str, unit_price: int = 10000, **fields: Any) -> dict[str, Any]:
        body = {
            "external_id": self.ext("inv"),
            "customer_id": customer_id,
            "sent_at": SENT_AT,
            "line_items": [{"quantity": 1, "unit_price": unit_price, "description": "Coffee"}],
            **fields,
        }
        return self.ok(self.post("invoices/", body))

    def payment_body(self, customer_id: str, invoice_id: str, amount: int, **fields: Any) -> dict:
        return {
            "customer_id": customer_id,
            "total_amount_cents": amount,
            "payment_date": "2025-01-20",
            "payment_method": "bank_transfer",
            "allocations": [{"invoice_id": invoice_id, "amount_cents": amount}],
            **fields,
        }

    def payment(self, customer_id: str, invoice_id: str, amount: int, **fields: Any) -> dict:
        body = self.payment_body(customer_id, invoice_id, amount, **fields)
        return self.ok(self.post("invoices/payments/", body))["payment"]

    def refund(self, invoice_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "invoice_id": invoice_id,
            "method": "BANK_TRANSFER",
            "completed_at": SENT_AT,
            "external_id": self.ext("ref"),
            **fields,
        }
        return self.ok(self.post("invoices/refunds/", body))

    def vendor(self, **fields: Any) -> dict[str, Any]:
        body = {"external_id": self.ext("ven"), "company_name": "Supplier GmbH", **fields}
        return self.ok(self.post("vendors/", body))

    def bill(self, vendor_id: str, unit_price: int = 20000, **fields: Any) -> dict[str, Any]:
        body = {
            "external_id": self.ext("bill"),
            "vendor_id": vendor_id,
            "line_items": [{"quantity": 1, "unit_price": unit_price, "description": "Beans"}],
            **fields,
        }
        return self.ok(self.post("bills/", body))

    def bill_payment_body(self, vendor_id: str, bill_id: str, amount: int, **fields: Any) -> dict:
        return {
            "vendor_id": vendor_id,
            "amount_cents": amount,
            "currency": self.data["base_currency"],
            "payment_method": "bank_transfer",
            "payment_date": "2025-01-21",
            "allocations": [{"bill_id": bill_id, "amount_cents": amount}],
            **fields,
        }


@pytest.fixture
def http() -> Any:
    with httpx.Client(transport=in_process_transport(), base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def sandbox(http: httpx.Client, db: Any) -> Sandbox:
    return Sandbox(http)


@pytest.fixture
def partner_token(sandbox: Sandbox) -> str:
    return sandbox.partner_token()


@pytest.fixture
def biz(sandbox: Sandbox, partner_token: str) -> Biz:
    response = sandbox.create_business(partner_token)
    assert response.status_code == 201, response.text
    return Biz(sandbox, response.json(), partner_token)


@pytest.fixture
def other_biz(sandbox: Sandbox, partner_token: str) -> Biz:
    response = sandbox.create_business(partner_token, external_id="tenant-2", legal_name="Other")
    assert response.status_code == 201, response.text
    return Biz(sandbox, response.json(), partner_token)
