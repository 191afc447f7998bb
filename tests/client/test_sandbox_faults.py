"""Each sandbox fault kind surfaces as the right ThredError, and nothing is retried."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.client.sandbox_world import World, customer_payload
from thred_django.client import ThredClient
from thred_django.exceptions import (
    ThredRateLimitError,
    ThredServerError,
    ThredTimeoutError,
    is_retryable,
)

transport_module = pytest.importorskip("thred_django.sandbox.transport")
faults = pytest.importorskip("thred_django.sandbox.faults")
pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(sandbox_client: ThredClient, world: World) -> World:
    """A business with a customer and cached tokens, before any fault is switched on."""
    world.customer
    yield world
    faults.reset_faults()


def _customers_named(client: ThredClient, world: World, external_id: str) -> list[dict]:
    return list(client.list_customers(world.business_id, external_id=external_id))


def test_injected_500_is_a_server_error(sandbox_client: ThredClient, ready: World):
    faults.set_faults(error_500_rate=1.0)
    payload = customer_payload()
    with pytest.raises(ThredServerError) as info:
        sandbox_client.create_customer(ready.business_id, payload)
    assert info.value.status == 500
    assert info.value.error_code == "server_error"
    assert is_retryable(info.value)
    faults.reset_faults()
    assert _customers_named(sandbox_client, ready, payload["external_id"]) == []


def test_injected_429_carries_retry_after(sandbox_client: ThredClient, ready: World):
    faults.set_faults(rate_limit_rate=1.0, retry_after_seconds=7)
    with pytest.raises(ThredRateLimitError) as info:
        sandbox_client.get_customer(ready.business_id, ready.customer["id"])
    assert info.value.retry_after == 7.0
    assert info.value.error_code == "rate_limited"
    assert is_retryable(info.value)


class DeadlineTransport(httpx.BaseTransport):
    """Gives the in-process sandbox a network's read timeout.

    ``httpx.WSGITransport`` runs the app in the calling thread and ignores timeouts, so a
    response that took longer than the request's read timeout is discarded and
    ``httpx.ReadTimeout`` raised, as a socket would (the sandbox's write still lands,
    like a real server's). A no-op once the sandbox transport enforces timeouts itself.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        read_timeout = request.extensions.get("timeout", {}).get("read")
        started = time.perf_counter()
        response = self.inner.handle_request(request)
        if read_timeout is not None and time.perf_counter() - started > read_timeout:
            response.close()
            raise httpx.ReadTimeout("read timed out", request=request)
        return response


@pytest.fixture
def impatient_client() -> ThredClient:
    transport = DeadlineTransport(transport_module.in_process_transport())
    with ThredClient(timeout=1.0, transport=transport) as client:
        yield client


def test_slow_response_is_a_timeout(impatient_client: ThredClient, ready: World):
    customer_id = ready.customer["id"]
    impatient_client.get_customer(ready.business_id, customer_id)  # tokens, before the fault
    faults.set_faults(slow_rate=1.0, slow_seconds=1.5)
    with pytest.raises(ThredTimeoutError) as info:
        impatient_client.get_customer(ready.business_id, customer_id)
    assert info.value.status is None
    assert info.value.path.endswith(f"/customers/{customer_id}/")
    assert is_retryable(info.value)


def test_slow_create_times_out_but_lands_and_a_retry_finds_it(
    impatient_client: ThredClient, sandbox_client: ThredClient, ready: World
):
    impatient_client.get_customer(ready.business_id, ready.customer["id"])
    payload = customer_payload()
    faults.set_faults(slow_rate=1.0, slow_seconds=1.5)
    with pytest.raises(ThredTimeoutError):
        impatient_client.create_customer(ready.business_id, payload)
    faults.reset_faults()
    retried = impatient_client.create_customer(ready.business_id, payload)
    assert (retried.status_code, retried.created) == (200, False)
    stored = _customers_named(sandbox_client, ready, payload["external_id"])
    assert [c["id"] for c in stored] == [retried.data["id"]]


def test_commit_then_500_then_retry_returns_the_existing_object(
    sandbox_client: ThredClient, ready: World
):
    payload = customer_payload()
    faults.set_faults(commit_then_500_rate=1.0)
    with pytest.raises(ThredServerError):
        sandbox_client.create_customer(ready.business_id, payload)
    faults.reset_faults()
    retried = sandbox_client.create_customer(ready.business_id, payload)
    assert retried.status_code == 200 and not retried.created
    stored = _customers_named(sandbox_client, ready, payload["external_id"])
    assert [c["id"] for c in stored] == [retried.data["id"]]


def test_commit_then_500_on_a_keyed_payment_then_retry(sandbox_client: ThredClient, ready: World):
    from tests.client.sandbox_world import payment_payload

    payload = payment_payload(ready.customer["id"], ready.invoice["id"], amount=1500)
    payload.pop("external_id")  # only the Idempotency-Key protects this one
    faults.set_faults(commit_then_500_rate=1.0)
    with pytest.raises(ThredServerError):
        sandbox_client.create_payment(ready.business_id, payload, idempotency_key="lost-1")
    faults.reset_faults()
    retried = sandbox_client.create_payment(ready.business_id, payload, idempotency_key="lost-1")
    assert retried.status_code == 200
    payments = list(
        sandbox_client.list_payments(ready.business_id, min_amount=1500, max_amount=1500)
    )
    assert [p["id"] for p in payments] == [retried.data["payment"]["id"]]


def test_the_client_does_not_retry_faults(sandbox_client: ThredClient, ready: World):
    from thred_django.sandbox.models import RequestLog

    before = RequestLog.objects.count()
    faults.set_faults(error_500_rate=1.0)
    with pytest.raises(ThredServerError):
        sandbox_client.get_customer(ready.business_id, ready.customer["id"])
    assert RequestLog.objects.count() - before == 1
