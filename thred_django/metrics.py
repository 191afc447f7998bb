"""Prometheus metrics of the sync (optional: ``pip install "thred-django[metrics]"``).

Counted where they happen (without prometheus_client installed every call is a no-op):

* ``thred_pushes_total{resource, outcome}`` — records settled or sent back by a push,
  by the state they ended in (``synced``, ``failed``, ``retrying``, ``rate_limited`` …);
* ``thred_call_seconds{endpoint}`` and ``thred_calls_total{endpoint, status}`` — Thred
  API calls by endpoint name (``create_invoice`` …) and status class (``2xx``, ``4xx``,
  ``429``, ``5xx``, ``error``);
* ``thred_ack_lag_seconds{resource}`` — from the record's last change in the outbox
  (its mark, or the release before a retry) to Thred's acknowledgement.

Read from the database at each scrape by ``views.OutboxCollector`` (so any process may
serve them): ``thred_records{resource, state}``, ``thred_retry_backlog``,
``thred_oldest_due_seconds``, ``thred_businesses_paused``, ``thred_businesses_flagged``,
and with ``THRED["METRICS_PER_BUSINESS"]`` ``thred_business_records{business, state}``.

Labels are bounded: resources, states, endpoints and status classes, never a record;
businesses only behind the setting. Pushes run in worker processes: set
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode) in the web and worker
processes of one machine and the view serves them all.
"""

from __future__ import annotations

import os
from typing import Any

prom: Any
try:
    import prometheus_client as prom
except ImportError:  # pragma: no cover - the extra is not installed
    prom = None

ENDPOINT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


def available() -> bool:
    return prom is not None


class _Engine:
    """The counters and histograms, in a registry of their own."""

    def __init__(self) -> None:
        assert prom is not None
        self.registry = prom.CollectorRegistry(auto_describe=True)
        kw: dict[str, Any] = {"registry": self.registry}
        self.pushes = prom.Counter(
            "thred_pushes", "Records settled or sent back by a push.", ["resource", "outcome"], **kw
        )
        self.call_seconds = prom.Histogram(
            "thred_call_seconds",
            "Thred API call latency.",
            ["endpoint"],
            buckets=ENDPOINT_BUCKETS,
            **kw,
        )
        self.calls = prom.Counter(
            "thred_calls", "Thred API calls by status class.", ["endpoint", "status"], **kw
        )
        self.lag = prom.Histogram(
            "thred_ack_lag_seconds",
            "Seconds from a record's last outbox change (its mark) to Thred's acknowledgement.",
            ["resource"],
            buckets=LAG_BUCKETS,
            **kw,
        )


_engine: _Engine | None = _Engine() if prom is not None else None


def registry() -> Any:
    """The registry of the engine's counters (None without prometheus_client)."""
    return _engine.registry if _engine is not None else None


def status_class(status: int | None) -> str:
    if not status:
        return "error"
    if status == 429:
        return "429"
    return f"{status // 100}xx"


# The labelled children already asked for (``labels()`` takes a lock and checks its
# arguments at every call; a push asks four times per record). Labels are bounded.
_children: dict[tuple[int, tuple[str, ...]], Any] = {}


def _child(metric: Any, *labels: str) -> Any:
    key = (id(metric), labels)  # the metrics live as long as the process
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*labels)
    return child


def pushed(resource: str, outcome: str) -> None:
    if _engine is not None:
        _child(_engine.pushes, resource, outcome).inc()


def called(endpoint: str, status: int | None, seconds: float) -> None:
    if _engine is not None:
        _child(_engine.call_seconds, endpoint).observe(seconds)
        _child(_engine.calls, endpoint, status_class(status)).inc()


def acknowledged(resource: str, lag_seconds: float) -> None:
    if _engine is not None:
        _child(_engine.lag, resource).observe(max(lag_seconds, 0.0))


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")
