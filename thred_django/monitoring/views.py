"""The metrics view (Prometheus text format) and the health view (JSON, 200 / 503)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from thred_django import metrics as engine_metrics
from thred_django.engine import monitor


class OutboxCollector:
    """Gauges read from the outbox at each scrape (a few aggregate queries)."""

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        snap = monitor.outbox_snapshot()
        records = GaugeMetricFamily(
            "thred_records", "Outbox records by resource and state.", labels=["resource", "state"]
        )
        for (resource, state), n in sorted(snap.by_resource_state.items()):
            records.add_metric([resource, state], n)
        yield records
        gauges = [
            ("thred_retry_backlog", "Records waiting for a retry (state retrying).", snap.retrying),
            (
                "thred_oldest_due_seconds",
                "Age of the oldest record due now and not pushed yet (0 when none).",
                snap.oldest_due_seconds or 0.0,
            ),
            ("thred_businesses_paused", "Businesses paused now (429 or breaker).", snap.paused),
            ("thred_businesses_flagged", "Businesses flagged for a human (403).", snap.flagged),
        ]
        for name, documentation, value in gauges:
            yield GaugeMetricFamily(name, documentation, value=value)
        if snap.by_business is not None:
            per = GaugeMetricFamily(
                "thred_business_records",
                "Outbox records by business (external id) and state.",
                labels=["business", "state"],
            )
            for (business, state), n in sorted(snap.by_business.items()):
                per.add_metric([business, state], n)
            yield per


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not engine_metrics.available():
        return HttpResponse(
            'prometheus_client is not installed: pip install "thred-django[metrics]".\n',
            status=501,
            content_type="text/plain",
        )
    import prometheus_client as prom
    from prometheus_client import multiprocess

    outbox = prom.CollectorRegistry(auto_describe=False)
    outbox.register(OutboxCollector())
    if engine_metrics.multiprocess_dir():
        counted = prom.CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)  # every process of this machine
    else:
        counted = engine_metrics.registry()
    body = prom.generate_latest(counted) + prom.generate_latest(outbox)
    return HttpResponse(body, content_type=prom.CONTENT_TYPE_LATEST)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    report = monitor.health()
    return JsonResponse(
        {"status": "ok" if report["healthy"] else "unhealthy", **report},
        status=200 if report["healthy"] else 503,
    )
