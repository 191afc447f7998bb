"""The in-process transport keeps the test's database connection."""

from __future__ import annotations

import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

from tests.sandbox.conftest import BASE_URL, bearer
from thred_django.sandbox.models import Business
from thred_django.sandbox.transport import in_process_transport


def _connected(signal) -> bool:
    # Receivers are stored as ((id(receiver), id(sender)), weakref, is_async).
    return any(entry[0][0] == id(close_old_connections) for entry in signal.receivers)


@pytest.mark.django_db
def test_requests_see_uncommitted_data_of_the_test(sandbox, partner_token):
    Business.objects.create(
        partner_id="6f1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44",
        external_id="made-in-test",
        legal_name="T",
        entity_type="limited",
        email="t@example.com",
        country="GB",
        base_currency="GBP",
    )
    listed = sandbox.http.get("/v1/platform/businesses/", headers=bearer(partner_token)).json()
    assert [b["external_id"] for b in listed["results"]] == ["made-in-test"]
    assert connection.in_atomic_block  # still inside the test's transaction


@pytest.mark.django_db
def test_signal_receivers_are_restored():
    before = (_connected(request_started), _connected(request_finished))
    with httpx.Client(transport=in_process_transport(), base_url=BASE_URL) as client:
        assert client.get("/v1/platform/businesses/").status_code == 401
    assert (_connected(request_started), _connected(request_finished)) == before == (True, True)
