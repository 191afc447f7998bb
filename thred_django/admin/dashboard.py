"""Numbers for the outbox dashboard (``admin/thred_django/syncrecord/dashboard/``).

``dashboard_context(now=None)`` returns template context, all read-only:

* ``resource_rows`` / ``business_rows``: counts by state (``engine.status.counts``),
  one row per resource / business, columns in ``State`` order, with totals;
* ``oldest_pending``: age of the oldest pending record (seconds and a short text);
* ``error_codes``: the most frequent ``last_error_code`` over failed, retrying and
  blocked records, with counts;
* ``troubled``: businesses paused (``paused_until`` in the future) or flagged;
* ``failing``: businesses with ``THRED["ALERT_FAILURES"]`` failed records or more (the
  ``business_failing`` alert), most failures first; ``health``: the health checks;
* ``hours``: 24 hourly buckets ending with the current hour, counting attempt-log rows
  whose outcome is ``success`` (synced) or anything else (failed: ``failed``,
  ``retry``, ``invalid``), with bar heights for an inline SVG chart;
* ``reconciliation``: each business's last reconciliation (drift first, at most
  ``results.SHOWN``), ``reconciliation_total`` how many businesses have one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.timesince import timesince

from thred_django.engine import alerts, monitor, status
from thred_django.engine.reconcile import results
from thred_django.models import BusinessHealth, SyncAttempt, SyncRecord
from thred_django.resources import Resource, State

TOP_ERRORS = 10
CHART_HEIGHT = 120  # px of the tallest bar
BAR_WIDTH = 30  # px per hour (two bars and a gap)
TROUBLED_STATES = (State.FAILED, State.RETRYING, State.BLOCKED, State.DRIFTED)


@dataclass
class CountRow:
    label: str
    cells: list[tuple[str, int]]  # (state, count) in State order
    total: int


@dataclass
class HourBar:
    start: datetime
    synced: int
    failed: int
    x: int = 0  # left edge in the chart, px
    synced_height: int = 0
    failed_height: int = 0

    @property
    def synced_y(self) -> int:
        return CHART_HEIGHT - self.synced_height

    @property
    def failed_y(self) -> int:
        return CHART_HEIGHT - self.failed_height


@dataclass
class Troubled:
    business: str
    tenant_id: str
    paused_until: datetime | None
    pause_reason: str
    flagged_at: datetime | None
    flag_reason: str


def _rows(table: dict[str, dict[str, int]], labels: dict[str, str]) -> list[CountRow]:
    rows = []
    for key, states in table.items():
        cells = [(state, states.get(state, 0)) for state in State.values]
        rows.append(CountRow(labels.get(key, key), cells, sum(n for _, n in cells)))
    return rows


def hourly(now: datetime) -> list[HourBar]:
    """Attempts per hour over the last 24 hours (the current hour last)."""
    # Buckets in the current time zone, like TruncHour (matters for half-hour offsets).
    current = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    first = current - timedelta(hours=23)
    starts = [first + timedelta(hours=i) for i in range(24)]
    buckets = {start: HourBar(start, 0, 0, x=i * BAR_WIDTH) for i, start in enumerate(starts)}
    rows = (
        SyncAttempt.objects.filter(created_at__gte=first)
        .annotate(hour=TruncHour("created_at"))
        .values("hour")
        .annotate(
            synced=Count("id", filter=Q(outcome="success")),
            failed=Count("id", filter=~Q(outcome="success")),
        )
        .order_by()
    )
    for row in rows:
        bar = buckets.get(row["hour"])
        if bar is not None:
            bar.synced += row["synced"]
            bar.failed += row["failed"]
    bars = list(buckets.values())
    peak = max([max(b.synced, b.failed) for b in bars] + [1])
    for bar in bars:
        bar.synced_height = round(CHART_HEIGHT * bar.synced / peak)
        bar.failed_height = round(CHART_HEIGHT * bar.failed / peak)
    return bars


def troubled_businesses(now: datetime) -> list[Troubled]:
    rows = list(
        BusinessHealth.objects.filter(
            Q(paused_until__gt=now) | Q(flagged_at__isnull=False)
        ).order_by("tenant_id")
    )
    names = status.business_names([r.tenant_id for r in rows])
    return [
        Troubled(
            names.get(r.tenant_id, f"tenant {r.tenant_id}"),
            r.tenant_id,
            r.paused_until if r.paused_until and r.paused_until > now else None,
            r.pause_reason,
            r.flagged_at,
            r.flag_reason,
        )
        for r in rows
    ]


@dataclass
class Failing:
    business: str
    tenant_id: str
    failed: int


def failing_businesses() -> list[Failing]:
    counts = alerts.failing_businesses()
    names = status.business_names(list(counts))
    return [Failing(names.get(t, f"tenant {t}"), t, n) for t, n in counts.items()]


def error_codes() -> list[tuple[str, int]]:
    rows = (
        SyncRecord.objects.filter(state__in=TROUBLED_STATES)
        .exclude(last_error_code="")
        .values("last_error_code")
        .annotate(n=Count("id"))
        .order_by("-n", "last_error_code")[:TOP_ERRORS]
    )
    return [(row["last_error_code"], row["n"]) for row in rows]


def dashboard_context(now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    counts = status.counts()
    oldest = counts["oldest_pending_seconds"]
    bars = hourly(now)
    return {
        "states": [label for _, label in State.choices],
        "state_values": State.values,
        "resource_rows": _rows(counts["resources"], dict(Resource.choices)),
        "business_rows": _rows(counts["businesses"], {}),
        "oldest_pending": oldest,
        "oldest_pending_text": timesince(now - timedelta(seconds=oldest), now)
        if oldest is not None
        else "",
        "error_codes": error_codes(),
        "troubled": troubled_businesses(now),
        "failing": failing_businesses(),
        "health": monitor.health(),
        "hours": bars,
        "hours_synced": sum(b.synced for b in bars),
        "hours_failed": sum(b.failed for b in bars),
        "chart_height": CHART_HEIGHT,
        "chart_width": BAR_WIDTH * 24,
        "reconciliation": list(results.latest()[: results.SHOWN]),
        "reconciliation_total": results.latest().count(),
    }
