"""The sandbox's latency knob: a fixed delay per API response, calls overlapping."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import httpx
import pytest
from django.test import override_settings

from tests.sandbox.conftest import BASE_URL, PARTNER_ID, basic
from thred_django.sandbox import faults
from thred_django.sandbox.transport import in_process_transport
from thred_django.sandbox.views import base


def token_request(http: httpx.Client) -> httpx.Response:
    return http.post(
        "/v1/platform/oauth2/token/",
        data={"grant_type": "client_credentials", "client_id": PARTNER_ID},
        headers=basic(),
    )


@pytest.fixture
def sleeps(monkeypatch):
    """The seconds each request slept, instead of sleeping."""
    slept: list[float] = []
    clock = SimpleNamespace(sleep=slept.append, perf_counter=time.perf_counter)
    monkeypatch.setattr(base, "time", clock)
    return slept


@pytest.mark.django_db
def test_latency_from_the_setting_and_the_control_endpoint(http, sleeps):
    token_request(http)
    assert sleeps == []  # off by default
    with override_settings(THRED_SANDBOX={"CONTROL_ENABLED": True, "LATENCY": 0.1}):
        assert faults.current_faults().latency == 0.1
        token_request(http)
        assert sleeps == [0.1]
        body = http.put("/_control/faults/", json={"latency": 0.25}, headers=basic()).json()
        assert body["faults"]["latency"] == 0.25
        token_request(http)
        http.get("/_control/faults/", headers=basic())  # control calls never wait
        assert sleeps == [0.1, 0.25]
        bad = http.put("/_control/faults/", json={"latency": -1}, headers=basic())
        assert bad.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_latency_is_waited_outside_any_lock_so_calls_overlap(monkeypatch):
    """Two requests must both be inside their wait at once: a barrier that needs both
    would break (and the request fail) if one waited while holding what the other needs."""
    faults.set_faults(latency=0.5)
    barrier = threading.Barrier(2, timeout=20)
    monkeypatch.setattr(
        base,
        "time",
        SimpleNamespace(sleep=lambda seconds: barrier.wait(), perf_counter=time.perf_counter),
    )
    statuses: list[int] = []

    def call() -> None:
        with httpx.Client(transport=in_process_transport(), base_url=BASE_URL) as http:
            statuses.append(token_request(http).status_code)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200, 200]
    assert not barrier.broken
