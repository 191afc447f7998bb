"""Each class of failure: what state it leaves, what it costs, whom it stalls."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from tests.engine.conftest import ar_chain
from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine import claim
from thred_django.engine.runner import push_due
from thred_django.engine.writer import Outcomes
from thred_django.models import BusinessHealth, SyncRecord

pytestmark = pytest.mark.django_db

ERROR_500 = {"error": "Internal error", "error_code": "server_error", "details": {}}


@pytest.fixture
def slow_backoff(settings, monkeypatch):
    """Backoff long enough that a retry never happens inside the same run: the jitter
    draw is pinned to its ceiling (min(60, 30·2^attempts))."""
    settings.THRED = {**settings.THRED, "BACKOFF_BASE": 30.0, "BACKOFF_MAX": 60.0}
    monkeypatch.setattr("thred_django.engine.retry.random.uniform", lambda low, high: high)


def later(seconds: float = 120):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def test_server_error_retries_with_backoff_then_succeeds(thred, shop, slow_backoff):
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")
    thred.answer("POST", "/customers/", 500, ERROR_500)
    push_due()
    rec = record_of(client)
    assert rec.state == "retrying"
    assert rec.attempts == 1
    assert rec.last_error_status == 500
    assert rec.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert rec.attempt_log.filter(outcome="retry", status=500).count() == 1

    with later():
        push_due()
    rec.refresh_from_db()
    assert rec.state == "synced"
    assert rec.attempts == 0 and rec.last_error_code == ""


def test_gives_up_after_max_attempts(thred, shop, settings):
    settings.THRED = {**settings.THRED, "MAX_ATTEMPTS": 3, "BREAKER_THRESHOLD": 100}
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")
    thred.answer("POST", "/customers/", 503, ERROR_500, times=10)
    push_due(until_idle=True)
    rec = record_of(client)
    assert rec.state == "failed"
    assert rec.attempts == 3
    assert list(rec.attempt_log.values_list("outcome", flat=True)) == ["failed", "retry", "retry"]
    assert "Gave up after 3 attempts" in rec.last_error_message
    assert len(thred.calls("POST", "/customers/")) == 3


def test_timeout_is_retried(thred, shop, slow_backoff):
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")

    def boom():
        raise httpx.ReadTimeout("too slow")

    from tests.engine.fake_transport import Rule

    thred.rules.append(Rule(lambda r: r.url.path.endswith("/customers/"), boom))
    push_due()
    assert record_of(client).state == "retrying"
    with later():
        push_due()
    assert record_of(client).state == "synced"


def test_rate_limit_pauses_only_that_business_and_uses_no_attempt(thred, shop):
    other = m.Shop.objects.create(name="Other Ltd")
    push_due()
    thred.reset()
    c1 = m.Client.objects.create(shop=shop, name="A")
    c2 = m.Client.objects.create(shop=shop, name="B")
    c3 = m.Client.objects.create(shop=other, name="C")
    thred.answer(
        "POST",
        f"/businesses/{record_of(shop).thred_id}/customers/",
        429,
        {"error": "Slow down", "error_code": "rate_limited"},
        headers={"Retry-After": "30"},
    )
    push_due()

    r1, r2, r3 = record_of(c1), record_of(c2), record_of(c3)
    assert r1.state == "retrying" and r1.attempts == 0
    assert r1.next_attempt_at > timezone.now() + timedelta(seconds=25)
    assert r2.state in ("pending", "retrying") and r2.attempts == 0  # not even tried
    assert r3.state == "synced"  # the other business went on
    health = BusinessHealth.objects.get(tenant_id=str(shop.pk))
    assert health.paused_until > timezone.now()
    assert len(thred.calls("POST", f"/businesses/{record_of(shop).thred_id}/customers/")) == 1

    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False):
        push_due()
        assert record_of(c1).state == "synced"
        assert record_of(c2).state == "synced"


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "validation_error"), (404, "customer_not_found"), (409, "conflict")],
)
def test_client_errors_fail_permanently_with_details(thred, shop, status, code):
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")
    body = {"error": "Nope", "error_code": code, "details": {"email": ["Bad email."]}}
    thred.answer("POST", "/customers/", status, body)
    push_due(until_idle=True)
    rec = record_of(client)
    assert rec.state == "failed"
    assert rec.last_error_status == status
    assert rec.last_error_code == code
    assert rec.last_error_details == {"email": ["Bad email."]}
    assert len(thred.calls("POST", "/customers/")) == 1  # never retried on its own


def test_forbidden_fails_and_flags_the_business(thred, shop):
    push_due()
    client = m.Client.objects.create(shop=shop, name="C")
    thred.answer("POST", "/customers/", 403, {"error": "No", "error_code": "permission_denied"})
    push_due()
    assert record_of(client).state == "failed"
    health = BusinessHealth.objects.get(tenant_id=str(shop.pk))
    assert health.flagged_at is not None
    assert "permission_denied" in health.flag_reason


def test_invalid_host_data_fails_without_a_call(thred, shop):
    push_due()
    thred.reset()
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="X")
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=-5)
    push_due()
    rec = record_of(receipt)
    assert rec.state == "failed"
    assert rec.last_error_code == "invalid_payload"
    assert "total_amount_cents" in rec.last_error_details
    assert thred.calls("POST", "/invoices/payments/") == []
    assert record_of(sale).state == "synced"  # the rest went on


def test_failed_parent_blocks_only_its_descendants_until_it_succeeds(thred, shop):
    ar = ar_chain(shop)
    other_client = m.Client.objects.create(shop=shop, name="Unrelated")
    thred.answer(
        "POST",
        "/invoices/",
        400,
        {
            "error": "Bad",
            "error_code": "validation_error",
            "details": {"line_items": ["Bad line."]},
        },
    )
    push_due()
    assert record_of(ar["sale"]).state == "failed"
    for key in ("receipt", "refund"):
        rec = record_of(ar[key])
        assert rec.state == "blocked", key
    assert record_of(other_client).state == "synced"

    ar["sale"].save()  # the host fixes (here: re-saves) the invoice
    push_due()
    for key in ("sale", "receipt", "refund", "refund_payout", "settlement"):
        assert record_of(ar[key]).state == "synced", key


def test_killed_worker_records_are_sent_again_and_held_once(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    push_due(resource="business")
    lost = claim.claim_due(100)  # a worker claims … and is killed before sending
    assert [r.resource for r in lost.records] == ["customer"]
    push_due()
    assert record_of(client).state == "in_flight"  # lease still held by the dead worker

    later = timezone.now() + timedelta(seconds=200)
    with time_machine.travel(later, tick=False):
        push_due()
    assert record_of(client).state == "synced"
    bid = record_of(shop).thred_id
    assert [c["external_id"] for c in get_client().list_customers(bid)] == [
        record_of(client).external_id
    ]


def test_lost_response_after_commit_is_not_duplicated(thred, shop):
    ar = ar_chain(shop)
    thred.answer("POST", "/invoices/payments/", 500, ERROR_500, after_sandbox=True)
    push_due(until_idle=True)
    rec = record_of(ar["receipt"])
    assert rec.state == "synced"
    posts = thred.calls("POST", "/invoices/payments/")
    assert len(posts) == 2
    assert posts[0].headers["Idempotency-Key"] == posts[1].headers["Idempotency-Key"]
    payments = list(get_client().list_payments(record_of(shop).thred_id))
    assert len(payments) == 1


def test_database_error_while_recording_success_loses_nothing(thred, shop, monkeypatch):
    client = m.Client.objects.create(shop=shop, name="C")
    push_due(resource="business")
    real = Outcomes._write

    def broken(self, pending):
        if any(p.record.resource == "customer" for p in pending):
            raise OperationalError("database went away")
        return real(self, pending)

    monkeypatch.setattr(Outcomes, "_write", broken)
    with pytest.raises(OperationalError):
        push_due()
    monkeypatch.setattr(Outcomes, "_write", real)
    assert record_of(client).state == "in_flight"

    with time_machine.travel(timezone.now() + timedelta(seconds=200), tick=False):
        push_due()
    assert record_of(client).state == "synced"
    customers = list(get_client().list_customers(record_of(shop).thred_id))
    assert len(customers) == 1


def test_resave_while_in_flight_is_pushed_again_with_the_newest_data(thred, shop):
    client = m.Client.objects.create(shop=shop, name="Old name")
    push_due()
    sale = m.Sale.objects.create(shop=shop, client=client, number="N-1", amount_cents=100)
    batch = claim.claim_due(100)
    assert batch.records
    sale.amount_cents = 200
    sale.save()  # lands while the worker holds the record
    from thred_django.client import get_client as gc
    from thred_django.engine.push import Pusher

    pusher = Pusher(gc(), batch.token)
    pusher.push(batch.records[0])
    pusher.log.flush()  # the runner flushes the claim's outcomes; here the test does
    rec = record_of(sale)
    assert rec.state == "pending"  # not declared synced with the old amount
    push_due()
    rec.refresh_from_db()
    assert rec.state == "synced"
    assert rec.acked_payload["line_items"][0]["unit_price"] == 200


def test_all_states_recorded_as_outbox_rows(thred, shop):
    ar_chain(shop)
    push_due()
    assert SyncRecord.objects.filter(state="synced").count() == SyncRecord.objects.count()
