"""What a monitor asks of the outbox: a snapshot of counts and ages, and health checks.

``outbox_snapshot()`` is a handful of aggregate queries (indexed where it matters); the
metrics view and the health view both read it. ``health()`` compares it with the
thresholds of ``THRED["HEALTH"]`` (a value above its threshold is unhealthy; a
threshold of None only reports the value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from thred_django.conf import thred_settings
from thred_django.models import BusinessHealth, SyncAttempt, SyncRecord
from thred_django.resources import CLAIMABLE, State

# Default thresholds (THRED["HEALTH"] overrides them key by key).
HEALTH_DEFAULTS: dict[str, float | None] = {
    "oldest_due_seconds": 900.0,  # a record due for longer: workers are down or stuck
    "failed": None,  # records failed (they wait for a fix or a human retry)
    "drifted": None,  # records Thred holds differently from the host
    "paused_businesses": None,
    "flagged_businesses": 0,  # a 403: a human must look
    "seconds_since_last_success": None,  # set it when pushes are expected all the time
}


@dataclass
class Snapshot:
    by_resource_state: dict[tuple[str, str], int] = field(default_factory=dict)
    retrying: int = 0
    failed: int = 0
    drifted: int | None = None  # None: this version has no drifted state
    oldest_due_seconds: float | None = None
    paused: int = 0
    flagged: int = 0
    last_success_at: datetime | None = None
    by_business: dict[tuple[str, str], int] | None = None


def drifted_state() -> str | None:
    return "drifted" if "drifted" in State.values else None


def outbox_snapshot(*, per_business: bool | None = None) -> Snapshot:
    now = timezone.now()
    snap = Snapshot()
    rows = SyncRecord.objects.values_list("resource", "state").annotate(n=Count("id")).order_by()
    for resource, state, n in rows:
        snap.by_resource_state[(resource, state)] = n
    by_state: dict[str, int] = {}
    for (_, state), n in snap.by_resource_state.items():
        by_state[state] = by_state.get(state, 0) + n
    snap.retrying = by_state.get(State.RETRYING, 0)
    snap.failed = by_state.get(State.FAILED, 0)
    if drifted := drifted_state():
        snap.drifted = by_state.get(drifted, 0)
    oldest = SyncRecord.objects.filter(Q(state__in=CLAIMABLE, next_attempt_at__lte=now)).aggregate(
        t=Min("next_attempt_at")
    )["t"]
    snap.oldest_due_seconds = (now - oldest).total_seconds() if oldest else None
    snap.paused = BusinessHealth.objects.filter(paused_until__gt=now).count()
    snap.flagged = BusinessHealth.objects.filter(flagged_at__isnull=False).count()
    last = (
        SyncAttempt.objects.filter(outcome="success")
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    snap.last_success_at = last
    if per_business if per_business is not None else thred_settings.METRICS_PER_BUSINESS:
        from thred_django.engine.status import business_names

        names = business_names()
        snap.by_business = {}
        for tenant, state, n in (
            SyncRecord.objects.values_list("tenant_id", "state").annotate(n=Count("id")).order_by()
        ):
            key = (names.get(tenant, f"tenant:{tenant}"), state)
            snap.by_business[key] = snap.by_business.get(key, 0) + n
    return snap


def thresholds() -> dict[str, float | None]:
    configured = dict(thred_settings.HEALTH or {})
    unknown = set(configured) - set(HEALTH_DEFAULTS)
    if unknown:
        from thred_django.exceptions import ThredConfigurationError

        raise ThredConfigurationError(
            f"THRED['HEALTH'] has unknown keys {sorted(unknown)}; use {sorted(HEALTH_DEFAULTS)}."
        )
    return {**HEALTH_DEFAULTS, **configured}


def health(snapshot: Snapshot | None = None) -> dict[str, Any]:
    """``{"healthy": bool, "checks": {name: {"value", "threshold", "ok"}}}``."""
    snap = snapshot or outbox_snapshot(per_business=False)
    since = (
        (timezone.now() - snap.last_success_at).total_seconds() if snap.last_success_at else None
    )
    values: dict[str, float | None] = {
        "oldest_due_seconds": snap.oldest_due_seconds,
        "failed": snap.failed,
        "drifted": snap.drifted,
        "paused_businesses": snap.paused,
        "flagged_businesses": snap.flagged,
        "seconds_since_last_success": since,
    }
    checks = {}
    for name, threshold in thresholds().items():
        value = values[name]
        if name == "seconds_since_last_success" and value is None and threshold is not None:
            # Never a success: unhealthy only if something is waiting to be pushed.
            ok = snap.oldest_due_seconds is None
        else:
            ok = threshold is None or value is None or value <= threshold
        checks[name] = {"value": value, "threshold": threshold, "ok": ok}
    return {"healthy": all(c["ok"] for c in checks.values()), "checks": checks}
