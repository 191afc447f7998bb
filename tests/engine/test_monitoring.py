"""Metrics, health, alerts and structured log records, after known pushes."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django import metrics
from thred_django.engine import alerts, health
from thred_django.engine.runner import push_due
from thred_django.models import BusinessHealth, SyncRecord
from thred_django.resources import Resource, State

pytestmark = pytest.mark.django_db

METRICS = "/thred/metrics/"
HEALTH = "/thred/health/"


def sample(name: str, **labels: str) -> float:
    return metrics.registry().get_sample_value(name, labels) or 0.0


def scrape(client) -> dict[str, dict[tuple, float]]:
    response = client.get(METRICS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    families: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            families.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return families


def push_two_good_one_bad(thred, shop) -> list[m.Client]:
    clients = [m.Client.objects.create(shop=shop, name=f"C{i}") for i in range(3)]
    thred.answer("POST", "/customers/", 400, {"error": "Bad", "error_code": "validation_error"})
    push_due()
    return clients


def test_metrics_families_and_values_after_a_known_push(client, thred, shop):
    before = {
        "synced": sample("thred_pushes_total", resource="customer", outcome="synced"),
        "failed": sample("thred_pushes_total", resource="customer", outcome="failed"),
        "business": sample("thred_pushes_total", resource="business", outcome="synced"),
        "calls": sample("thred_call_seconds_count", endpoint="create_customer"),
        "4xx": sample("thred_calls_total", endpoint="create_customer", status="4xx"),
        "2xx": sample("thred_calls_total", endpoint="create_customer", status="2xx"),
        "lag": sample("thred_ack_lag_seconds_count", resource="customer"),
    }
    push_two_good_one_bad(thred, shop)
    got = scrape(client)

    def value(name: str, **labels: str) -> float:
        return got[name][tuple(sorted(labels.items()))]

    assert (
        value("thred_pushes_total", resource="customer", outcome="synced") == before["synced"] + 2
    )
    assert (
        value("thred_pushes_total", resource="customer", outcome="failed") == before["failed"] + 1
    )
    assert (
        value("thred_pushes_total", resource="business", outcome="synced") == before["business"] + 1
    )
    assert value("thred_call_seconds_count", endpoint="create_customer") == before["calls"] + 3
    assert value("thred_calls_total", endpoint="create_customer", status="4xx") == before["4xx"] + 1
    assert value("thred_calls_total", endpoint="create_customer", status="2xx") == before["2xx"] + 2
    assert value("thred_ack_lag_seconds_count", resource="customer") == before["lag"] + 2
    # Read from the outbox at the scrape.
    assert value("thred_records", resource="customer", state="synced") == 2
    assert value("thred_records", resource="customer", state="failed") == 1
    assert value("thred_records", resource="business", state="synced") == 1
    assert value("thred_retry_backlog") == 0
    assert value("thred_businesses_paused") == 0 and value("thred_businesses_flagged") == 0
    # Bounded labels: no record, external id or business anywhere.
    allowed = {
        "resource": set(Resource.values),
        "outcome": set(State.values) | {"rate_limited", "waiting_for_parent"},
        "state": set(State.values),
        "status": {"2xx", "3xx", "4xx", "429", "5xx", "error"},
        "le": None,
        "endpoint": None,
    }
    for name, series in got.items():
        for labels in series:
            for key, label_value in labels:
                assert key in allowed, (name, key)
                if allowed[key] is not None:
                    assert label_value in allowed[key], (name, key, label_value)
                if key == "endpoint":
                    assert label_value.isidentifier()  # an endpoint name, never a path
    assert "thred_business_records" not in got


def test_per_business_series_only_behind_the_setting(client, thred, shop, settings):
    push_two_good_one_bad(thred, shop)
    settings.THRED = {**settings.THRED, "METRICS_PER_BUSINESS": True}
    got = scrape(client)
    business = record_of(shop).external_id
    assert got["thred_business_records"][(("business", business), ("state", "failed"))] == 1


def test_health_flips_to_503_and_back(client, thred, shop, settings):
    assert client.get(HEALTH).status_code == 200  # only the shop, just marked
    SyncRecord.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    response = client.get(HEALTH)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["oldest_due_seconds"]["ok"] is False
    assert body["checks"]["oldest_due_seconds"]["value"] >= 3600
    push_due()
    body = client.get(HEALTH).json()
    assert body["status"] == "ok" and body["checks"]["oldest_due_seconds"]["value"] is None
    assert body["checks"]["seconds_since_last_success"]["value"] is not None

    settings.THRED = {**settings.THRED, "HEALTH": {"failed": 0}}
    push_two_good_one_bad(thred, shop)
    response = client.get(HEALTH)
    assert response.status_code == 503 and response.json()["checks"]["failed"]["value"] == 1
    SyncRecord.objects.filter(state="failed").update(state="pending")  # a human retry
    push_due()
    assert client.get(HEALTH).status_code == 200

    health.flag(record_of(shop).tenant_id, "403 from Thred")  # flagged: 0 allowed by default
    assert client.get(HEALTH).status_code == 503
    BusinessHealth.objects.update(flagged_at=None)
    assert client.get(HEALTH).status_code == 200


def test_health_reports_drifted_when_the_state_exists(client, db):
    drifted = client.get(HEALTH).json()["checks"]["drifted"]["value"]
    assert drifted == (0 if "drifted" in State.values else None)


@pytest.fixture
def received():
    cache.clear()  # the failing alert's "told already" marks live there
    got: list[tuple[str, dict]] = []

    def on(sender, signal, **kwargs):
        got.append((next(k for k, s in NAMES.items() if s is signal), kwargs))

    for signal in alerts.ALERT_SIGNALS:
        signal.connect(on, weak=False)
    yield got
    for signal in alerts.ALERT_SIGNALS:
        signal.disconnect(on)


NAMES = {
    "paused": alerts.business_paused,
    "flagged": alerts.business_flagged,
    "failing": alerts.business_failing,
}


def test_alert_when_a_business_pauses_once_per_pause(thred, shop, received):
    push_due()
    m.Client.objects.create(shop=shop, name="A")
    thred.answer("POST", "/customers/", 429, {"error": "Slow down"}, headers={"Retry-After": "30"})
    push_due()
    assert [name for name, _ in received] == ["paused"]
    kwargs = received[0][1]
    assert kwargs["business"] == record_of(shop).external_id
    assert "429" in kwargs["reason"] and kwargs["until"] > timezone.now()
    health.pause(record_of(shop).tenant_id, 10, "rate limited (429)")  # still paused
    assert len(received) == 1


def test_alert_when_a_business_is_flagged(thred, shop, received):
    push_due()
    m.Client.objects.create(shop=shop, name="A")
    m.Client.objects.create(shop=shop, name="B")
    thred.answer("POST", "/customers/", 403, {"error": "No", "error_code": "forbidden"}, times=2)
    push_due()
    assert [name for name, _ in received] == ["flagged"]  # the second 403: flagged already


def test_alert_when_failures_cross_the_threshold_and_mail_admins(thred, shop, received, settings):
    settings.THRED = {**settings.THRED, "ALERT_FAILURES": 2}
    settings.ADMINS = [("Ops", "ops@example.com")]
    alerts.connect_mail_admins()
    try:
        push_due()
        for i in range(3):
            m.Client.objects.create(shop=shop, name=f"C{i}")
        thred.answer("POST", "/customers/", 400, {"error": "Bad"}, times=3)
        push_due()
    finally:
        alerts.disconnect_mail_admins()
    assert [(name, kw["failed"]) for name, kw in received] == [("failing", 2)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith(f"2 failed records for {record_of(shop).external_id}")
    assert mail.outbox[0].to == ["ops@example.com"]


def test_dashboard_shows_failing_businesses(admin_client, thred, shop, settings):
    settings.THRED = {**settings.THRED, "ALERT_FAILURES": 1}
    push_two_good_one_bad(thred, shop)
    response = admin_client.get("/admin/thred_django/syncrecord/dashboard/")
    failing = response.context["failing"]
    assert [(f.business, f.failed) for f in failing] == [(record_of(shop).external_id, 1)]
    assert b'id="thred-failing"' in response.content


def test_structured_log_records(thred, shop, caplog):
    with caplog.at_level(logging.DEBUG, logger="thred_django.engine.outcomes"):
        clients = push_two_good_one_bad(thred, shop)
    failed = next(r for r in caplog.records if getattr(r, "thred_state", "") == "failed")
    record = SyncRecord.objects.get(state="failed")
    assert failed.levelno == logging.ERROR
    assert failed.thred_record_id == record.pk
    assert failed.thred_external_id == record.external_id
    assert failed.thred_business == record_of(shop).tenant_id
    assert failed.thred_resource == "customer"
    assert failed.thred_status == 400
    assert failed.thred_attempt == 0
    synced = [r for r in caplog.records if getattr(r, "thred_state", "") == "synced"]
    assert {r.thred_external_id for r in synced} >= {
        record_of(c).external_id for c in clients if record_of(c).state == "synced"
    }
