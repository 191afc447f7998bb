"""Retries by time, not by count: tokens that keep being refused right after they were
renewed, and a Thred outage longer than the old attempt budget (MAX_ATTEMPTS = 8, about
ten minutes), end with everything synced and no human action. Time moves with
time-machine; nothing sleeps."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import time_machine
from django.utils import timezone

from tests.engine.fake_transport import RecordingTransport, Rule
from tests.lifecycle.compare import compare, unexplained
from tests.lifecycle.world import build_world, drain
from thred_django.engine.runner import push_due
from thred_django.models import BusinessHealth, SyncAttempt, SyncRecord

pytestmark = pytest.mark.django_db

INVALID_TOKEN = {
    "error": "The access token is invalid or has expired.",
    "error_code": "invalid_token",
}


def _refuse_twice(transport: RecordingTransport, path_part: str) -> None:
    """The call and its retry with a freshly fetched token both get 401 (another process
    rotated the shared token, or it expired in between)."""
    transport.answer("POST", path_part, 401, body=INVALID_TOKEN, times=2)


def test_a_401_right_after_a_fresh_token_is_transient(thred: RecordingTransport) -> None:
    for part in ("/customers/", "/vendors/", "/invoices/", "/bills/", "/payouts/"):
        _refuse_twice(thred, part)
    build_world()
    push_due()
    refused = [r for r in thred.requests if "oauth2/token" not in r.url.path]
    assert SyncRecord.objects.filter(state="failed").count() == 0, list(
        SyncRecord.objects.filter(state="failed").values_list("resource", "last_error_code")
    )
    drain()
    assert not SyncRecord.objects.filter(state="failed").exists()
    # Each refused call was noted as a retry, not a failure.
    refusals = SyncAttempt.objects.filter(error_code="invalid_token")
    assert refusals.count() >= 5 and set(refusals.values_list("outcome", flat=True)) == {"retry"}
    assert not thred.rules, "every injected 401 was met"
    assert len(refused) > 5
    assert set(SyncRecord.objects.values_list("state", flat=True)) == {"synced"}
    assert not unexplained(compare())


def test_tokens_refused_again_and_again_while_syncing_fail_nothing(
    thred: RecordingTransport,
) -> None:
    # Two of every three business calls are refused: a call and its retry with a new token.
    count = {"n": 0}

    def every_third(request: httpx.Request) -> bool:
        if "oauth2/token" in request.url.path:
            return False
        count["n"] += 1
        return count["n"] % 3 != 2  # two refused (a call and its retry), one answered

    thred.rules.append(
        Rule(every_third, lambda: httpx.Response(401, json=INVALID_TOKEN), times=10**6)
    )
    build_world()
    for _ in range(40):
        push_due()
        assert not SyncRecord.objects.filter(state="failed").exists(), list(
            SyncRecord.objects.filter(state="failed").values_list("resource", "last_error_code")
        )
        if not SyncRecord.objects.exclude(state="synced").exists():
            break
        SyncRecord.objects.filter(state="retrying").update(next_attempt_at=timezone.now())
        BusinessHealth.objects.update(paused_until=None, consecutive_failures=0)
    thred.rules.clear()
    assert set(SyncRecord.objects.values_list("state", flat=True)) == {"synced"}
    assert SyncAttempt.objects.filter(error_code="invalid_token").exists()
    assert not unexplained(compare())


def test_an_outage_of_hours_ends_synced_with_no_human_action(thred, settings) -> None:
    settings.THRED = {**settings.THRED, "BACKOFF_BASE": 2.0, "BACKOFF_MAX": 1800.0}
    settings.THRED.pop("MAX_ATTEMPTS", None)
    down = Rule(lambda request: True, lambda: httpx.Response(503, json={}), times=10**9)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        build_world()
        thred.rules.append(down)
        most = 0
        while timezone.now() < start + timedelta(hours=3):
            push_due()
            assert not SyncRecord.objects.filter(state="failed").exists(), list(
                SyncRecord.objects.filter(state="failed").values_list(
                    "resource", "attempts", "last_error_code", "last_error_message"
                )
            )
            most = max([most, *SyncRecord.objects.values_list("attempts", flat=True)])
            due = [
                *SyncRecord.objects.filter(state="retrying").values_list(
                    "next_attempt_at", flat=True
                ),
                *BusinessHealth.objects.exclude(paused_until=None).values_list(
                    "paused_until", flat=True
                ),
            ]
            later = [d for d in due if d > timezone.now()]
            traveller.move_to(
                min(later) + timedelta(seconds=1)
                if later
                else timezone.now() + timedelta(minutes=1)
            )
        assert most > 8, f"the outage met only {most} attempts"
        thred.rules.remove(down)  # Thred is back
        drain()
    assert set(SyncRecord.objects.values_list("state", flat=True)) == {"synced"}
    assert not unexplained(compare())
