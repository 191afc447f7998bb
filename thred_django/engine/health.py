"""Per-business throttling shared by every worker through the database.

* A 429 pauses the whole business until Retry-After (capped).
* A run of transient failures (5xx, timeouts, refused connections) opens a breaker:
  the business pauses for BREAKER_COOLDOWN; the first success closes it.
* A 403 flags the business for a human; its records fail with the details.

Pausing a running business and flagging one send the alert signals (engine.alerts).

Paused businesses are left out of claims (claim.due_queryset), so one business's trouble
never stalls another's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from thred_django.conf import thred_settings
from thred_django.engine import alerts
from thred_django.models import BusinessHealth


def _row(tenant_id: str) -> BusinessHealth:
    row, _ = BusinessHealth.objects.get_or_create(tenant_id=tenant_id)
    return row


def pause(tenant_id: str, seconds: float, reason: str) -> datetime:
    until = timezone.now() + timedelta(seconds=seconds)
    was_paused = _row(tenant_id).is_paused
    BusinessHealth.objects.filter(tenant_id=tenant_id).update(
        paused_until=until, pause_reason=reason[:200], updated_at=timezone.now()
    )
    if not was_paused:
        alerts.paused(tenant_id, until, reason)
    return until


def paused_until(tenant_id: str) -> datetime | None:
    row = BusinessHealth.objects.filter(tenant_id=tenant_id).only("paused_until").first()
    if row and row.paused_until and row.paused_until > timezone.now():
        return row.paused_until
    return None


def note_failure(tenant_id: str) -> datetime | None:
    """Count a transient failure; returns the pause end when the breaker opens."""
    _row(tenant_id)
    BusinessHealth.objects.filter(tenant_id=tenant_id).update(
        consecutive_failures=F("consecutive_failures") + 1, updated_at=timezone.now()
    )
    failures = BusinessHealth.objects.get(tenant_id=tenant_id).consecutive_failures
    if failures >= thred_settings.BREAKER_THRESHOLD:
        BusinessHealth.objects.filter(tenant_id=tenant_id).update(consecutive_failures=0)
        return pause(
            tenant_id,
            thred_settings.BREAKER_COOLDOWN,
            f"breaker open after {failures} transient failures in a row",
        )
    return None


def note_success(tenant_id: str) -> None:
    BusinessHealth.objects.filter(tenant_id=tenant_id, consecutive_failures__gt=0).update(
        consecutive_failures=0, updated_at=timezone.now()
    )


def flag(tenant_id: str, reason: str) -> None:
    was_flagged = _row(tenant_id).flagged_at is not None
    BusinessHealth.objects.filter(tenant_id=tenant_id).update(
        flagged_at=timezone.now(), flag_reason=reason, updated_at=timezone.now()
    )
    if not was_flagged:
        alerts.flagged(tenant_id, reason)
