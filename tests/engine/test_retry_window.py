"""Retries by time, not by count: transient failures retry with capped backoff for
THRED["RETRY_WINDOW"], then fail; a 401 right after a fresh token is transient."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.engine.runner import push_due

pytestmark = pytest.mark.django_db

ERROR_503 = {"error": "Unavailable", "error_code": "server_error", "details": {}}
ERROR_401 = {"error": "Token expired", "error_code": "invalid_token", "details": {}}


@pytest.fixture
def real_backoff(settings, monkeypatch):
    """Production backoff settings; the jitter draw pinned to its ceiling (the worst
    case for how long an outage takes to be noticed as over)."""
    settings.THRED = {
        **settings.THRED,
        "BACKOFF_BASE": 2.0,
        "BACKOFF_MAX": 1800.0,
        "BREAKER_THRESHOLD": 5,
        "BREAKER_COOLDOWN": 60.0,
    }
    monkeypatch.setattr("thred_django.engine.retry.random.uniform", lambda low, high: high)


def run_until(clock: time_machine.Coordinates, until, limit: int = 500) -> int:
    """Push, then move the clock to the record's next attempt, until ``until()``."""
    for rounds in range(limit):
        push_due()
        if until():
            return rounds
        from thred_django.models import BusinessHealth, SyncRecord

        due = SyncRecord.objects.exclude(state__in=["synced"]).order_by("next_attempt_at")
        nxt = due.first().next_attempt_at
        paused = BusinessHealth.objects.filter(paused_until__isnull=False).first()
        if paused and paused.paused_until > nxt:
            nxt = paused.paused_until
        clock.move_to(max(nxt, timezone.now()) + timedelta(seconds=1))
    raise AssertionError("did not get there")


def test_an_outage_of_hours_ends_synced_without_a_human(thred, shop, real_backoff):
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")
    start = timezone.now()
    thred.answer("POST", "/customers/", 503, ERROR_503, times=10_000)
    with time_machine.travel(start, tick=False) as clock:
        run_until(clock, lambda: timezone.now() - start > timedelta(hours=3))
        rec = record_of(client)
        assert rec.state == "retrying"
        assert rec.attempts > 8  # more than the old attempt budget
        assert rec.retrying_since == start
        gaps = [
            (b - a).total_seconds()
            for a, b in zip(
                rec.attempt_log.order_by("created_at").values_list("created_at", flat=True),
                rec.attempt_log.order_by("created_at").values_list("created_at", flat=True)[1:],
                strict=False,
            )
        ]
        assert max(gaps) <= 1800 + 60 + 2  # capped backoff (+ a breaker pause, + a tick)

        thred.rules.clear()  # Thred is back
        run_until(clock, lambda: record_of(client).state == "synced")
    rec = record_of(client)
    assert rec.state == "synced" and rec.retrying_since is None and rec.attempts == 0
    assert timezone.now() - start < timedelta(hours=4)


def test_transient_failures_fail_once_the_window_has_passed(thred, shop, settings, real_backoff):
    settings.THRED = {**settings.THRED, "RETRY_WINDOW": 7200.0}
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")
    start = timezone.now()
    thred.answer("POST", "/customers/", 503, ERROR_503, times=10_000)
    with time_machine.travel(start, tick=False) as clock:
        run_until(clock, lambda: record_of(client).state == "failed")
        rec = record_of(client)
        assert timedelta(hours=2) <= timezone.now() - start < timedelta(hours=2, minutes=31)
    assert rec.last_error_message.startswith(f"Gave up after {rec.attempts} attempts over 2.")
    assert rec.retrying_since is None


def test_a_success_starts_the_next_window_afresh(thred, shop, settings, real_backoff):
    settings.THRED = {**settings.THRED, "RETRY_WINDOW": 3600.0}
    push_due()
    a = m.Client.objects.create(shop=shop, name="A")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        thred.answer("POST", "/customers/", 503, ERROR_503, times=3)
        run_until(clock, lambda: record_of(a).state == "synced")
        assert record_of(a).retrying_since is None
        clock.move_to(start + timedelta(hours=5))
        a.name = "A2"  # drifted later, no call: the window does not matter any more
        a.save()
        push_due()
        assert record_of(a).state == "drifted"


def test_a_401_right_after_a_fresh_token_is_retried_not_failed(thred, shop, settings):
    settings.THRED = {**settings.THRED, "BACKOFF_BASE": 100.0, "BACKOFF_MAX": 100.0}
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")
    # Both the call and its retry with a freshly fetched token answer 401 (another
    # process keeps rotating the shared token).
    thred.answer("POST", "/customers/", 401, ERROR_401, times=2)
    push_due()
    rec = record_of(client)
    assert rec.state == "retrying", (rec.last_error_code, rec.last_error_message)
    assert rec.last_error_status == 401
    assert len(thred.calls("POST", "/customers/")) == 2
    with time_machine.travel(timezone.now() + timedelta(seconds=300), tick=False):
        push_due()
    assert record_of(client).state == "synced"


def test_bad_credentials_still_fail_permanently(thred, shop, settings):
    """A token request refused (wrong key) is not a race: it needs a human."""
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")
    from django.core.cache import caches

    caches["default"].clear()
    from thred_django.client import reset_client

    reset_client()
    thred.answer(
        "POST",
        "/oauth2/token/",
        401,
        {"error": "bad", "error_code": "invalid_credentials"},
        times=10,
    )
    push_due()
    rec = record_of(client)
    assert rec.state == "failed"
    assert rec.last_error_status == 401
