"""Concurrent duplicate creates never make two objects.

``create_once``'s race path is tested deterministically on every database; the threaded
tests need real concurrent transactions and run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.db import connection, connections

from tests.sandbox.conftest import BASE_URL, SENT_AT, Biz, Sandbox
from thred_django.sandbox.errors import SandboxError
from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.models import Business, Customer, Payment, Payout, Refund
from thred_django.sandbox.transport import in_process_transport


def _business(external_id: str, name: str) -> Business:
    return Business.objects.create(
        partner_id="p",
        external_id=external_id,
        legal_name=name,
        entity_type="x",
        email="e",
        country="GB",
        base_currency="GBP",
    )


@pytest.mark.django_db
def test_create_once_returns_the_winner_after_an_integrity_error():
    winner = _business("dup", "W")
    asked: list[str] = []

    def existing() -> Business | None:
        asked.append("existing")
        return winner

    obj, created = create_once(existing, lambda: _business("dup", "L"))
    assert (obj, created) == (winner, False)
    assert asked == ["existing"]  # asked once, after the insert failed
    assert Business.objects.filter(external_id="dup").count() == 1


@pytest.mark.django_db
def test_create_once_looks_for_a_duplicate_only_when_the_build_fails():
    def existing() -> Business | None:
        raise AssertionError("a new object needs no look-up")

    obj, created = create_once(existing, lambda: _business("new", "N"))
    assert created is True
    assert Business.objects.get(external_id="new") == obj


@pytest.mark.django_db
def test_create_once_answers_a_refused_build_with_the_duplicate_else_the_refusal():
    winner = _business("dup", "W")

    def refuse() -> Business:
        _business("other", "rolled back with the refusal")
        raise SandboxError(400, "validation_error", "The customer is archived.")

    assert create_once(lambda: winner, refuse) == (winner, False)
    with pytest.raises(SandboxError, match="archived"):
        create_once(lambda: None, refuse)
    assert not Business.objects.filter(external_id="other").exists()


def _race(count: int, call: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        try:
            with httpx.Client(transport=in_process_transport(), base_url=BASE_URL) as client:
                barrier.wait()
                results[index] = call(client)
        except Exception as exc:  # surfaced by the assertion below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, httpx.Response) for r in results), results
    return results


@pytest.fixture
def pg_biz(transactional_db: Any) -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    with httpx.Client(transport=in_process_transport(), base_url=BASE_URL) as client:
        sandbox = Sandbox(client)
        token = sandbox.partner_token()
        response = sandbox.create_business(token)
        assert response.status_code == 201
        yield Biz(sandbox, response.json(), token)


@pytest.mark.postgres_only
def test_concurrent_external_id_creates(pg_biz):
    body = {"external_id": "race-c", "company_name": "Race"}
    url = pg_biz.url("customers/")
    responses = _race(8, lambda c: c.post(url, json=body, headers=pg_biz.headers))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Customer.objects.filter(external_id="race-c").count() == 1


@pytest.mark.postgres_only
def test_concurrent_idempotency_key_payments(pg_biz):
    customer = pg_biz.customer()
    invoice = pg_biz.invoice(customer["id"], 1000)
    body = pg_biz.payment_body(customer["id"], invoice["id"], 600)
    url = pg_biz.url("invoices/payments/")
    headers = {**pg_biz.headers, "Idempotency-Key": "race-key"}
    responses = _race(6, lambda c: c.post(url, json=body, headers=headers))
    assert sorted(r.status_code for r in responses) == [200] * 5 + [201]
    assert len({r.text for r in responses}) == 1  # one stored body for all
    assert Payment.objects.count() == 1


@pytest.mark.postgres_only
def test_concurrent_allocations_cannot_overpay(pg_biz):
    customer = pg_biz.customer()
    invoice = pg_biz.invoice(customer["id"], 1000)
    url = pg_biz.url("invoices/payments/")

    def pay(client: httpx.Client) -> httpx.Response:
        body = pg_biz.payment_body(customer["id"], invoice["id"], 400)
        return client.post(url, json=body, headers=pg_biz.headers)

    responses = _race(5, pay)
    assert sorted(r.status_code for r in responses) == [201, 201, 400, 400, 400]
    assert pg_biz.ok(pg_biz.get(f"invoices/{invoice['id']}/"), 200)["amount_paid_cents"] == 800


@pytest.mark.postgres_only
def test_concurrent_refunds_and_payouts(pg_biz):
    customer = pg_biz.customer()
    invoice = pg_biz.invoice(customer["id"], 1000)
    payment = pg_biz.payment(customer["id"], invoice["id"], 1000)
    refund = {
        "invoice_id": invoice["id"],
        "method": "CASH",
        "completed_at": SENT_AT,
        "external_id": "race-r",
        "amount_cents": 700,
    }
    responses = _race(
        4, lambda c: c.post(pg_biz.url("invoices/refunds/"), json=refund, headers=pg_biz.headers)
    )
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert Refund.objects.count() == 1
    payout = {
        "external_id": "race-po",
        "processor": "stripe",
        "paid_out_amount_cents": 1000,
        "payment_ids": [payment["id"]],
    }
    responses = _race(
        4, lambda c: c.post(pg_biz.url("payouts/"), json=payout, headers=pg_biz.headers)
    )
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert Payout.objects.count() == 1
