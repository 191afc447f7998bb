"""Alerts: signals about a whole business, for whoever must act (mail, chat, pager).

* ``business_paused(sender=BusinessHealth, tenant_id, business, until, reason)`` — a
  business stops being pushed: a 429 or a run of transient failures (breaker). Sent
  when it goes from running to paused, not again while it stays paused.
* ``business_flagged(sender=BusinessHealth, tenant_id, business, reason)`` — Thred
  refused the partner (403): a human must look. Sent when the flag is set.
* ``business_failing(sender=BusinessHealth, tenant_id, business, failed, threshold)`` —
  the business has ``THRED["ALERT_FAILURES"]`` failed records or more; sent again at
  most every ``ALERT_REPEAT_SECONDS`` while it stays there (through the default cache).

``business`` is the business's external id. ``mail_admins_on_alert`` is a ready receiver
that mails ``ADMINS`` (see the README's recipe: ``connect_mail_admins()``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.dispatch import Signal, receiver

from thred_django.conf import thred_settings
from thred_django.models import BusinessHealth, SyncRecord
from thred_django.resources import State
from thred_django.signals import sync_failed

logger = logging.getLogger("thred_django.alerts")

business_paused = Signal()
business_flagged = Signal()
business_failing = Signal()
ALERT_SIGNALS = (business_paused, business_flagged, business_failing)


def _business(tenant_id: str) -> str:
    from thred_django.engine.status import business_names

    return business_names([tenant_id]).get(tenant_id, f"tenant {tenant_id}")


def paused(tenant_id: str, until: datetime, reason: str) -> None:
    business = _business(tenant_id)
    logger.warning(
        "Thred business %s paused until %s: %s",
        business,
        until.isoformat(),
        reason,
        extra={"thred_business": tenant_id, "thred_alert": "paused"},
    )
    business_paused.send(
        sender=BusinessHealth, tenant_id=tenant_id, business=business, until=until, reason=reason
    )


def flagged(tenant_id: str, reason: str) -> None:
    business = _business(tenant_id)
    logger.error(
        "Thred business %s flagged: %s",
        business,
        reason,
        extra={"thred_business": tenant_id, "thred_alert": "flagged"},
    )
    business_flagged.send(
        sender=BusinessHealth, tenant_id=tenant_id, business=business, reason=reason
    )


def failing_businesses(threshold: int | None = None) -> dict[str, int]:
    """tenant_id → failed records, for businesses at or above the threshold."""
    from django.db.models import Count

    threshold = int(thred_settings.ALERT_FAILURES if threshold is None else threshold)
    rows = (
        SyncRecord.objects.filter(state=State.FAILED)
        .values_list("tenant_id")
        .annotate(n=Count("id"))
        .filter(n__gte=threshold)
        .order_by("-n")
    )
    return dict(rows)


@receiver(sync_failed, dispatch_uid="thred_django.alerts.on_failed")
def _on_failed(sender: Any, record: SyncRecord, **kwargs: Any) -> None:
    threshold = thred_settings.ALERT_FAILURES
    if not threshold or record.state != State.FAILED:
        return
    failed = SyncRecord.objects.filter(tenant_id=record.tenant_id, state=State.FAILED).count()
    if failed < threshold:
        return
    key = f"thred_django:alerted-failing:{record.tenant_id}"
    if not cache.add(key, failed, timeout=thred_settings.ALERT_REPEAT_SECONDS):
        return  # told already, not long ago
    business = _business(record.tenant_id)
    logger.error(
        "Thred business %s has %d failed records (alert threshold %d)",
        business,
        failed,
        threshold,
        extra={"thred_business": record.tenant_id, "thred_alert": "failing"},
    )
    business_failing.send(
        sender=BusinessHealth,
        tenant_id=record.tenant_id,
        business=business,
        failed=failed,
        threshold=threshold,
    )


def mail_admins_on_alert(sender: Any, signal: Signal, business: str, **kwargs: Any) -> None:
    """A receiver for the three alert signals: one short mail to ``ADMINS``."""
    from django.core.mail import mail_admins

    if signal is business_paused:
        subject = f"Thred sync paused for {business}"
        body = f"Paused until {kwargs['until'].isoformat()}: {kwargs['reason']}."
    elif signal is business_flagged:
        subject = f"Thred refused business {business}"
        body = f"Flagged for a human: {kwargs['reason']}"
    else:
        subject = f"Thred sync: {kwargs['failed']} failed records for {business}"
        body = f"At least {kwargs['threshold']} records of {business} failed: see the admin."
    mail_admins(
        subject, body + "\n\nSee the Thred sync dashboard in the admin.", fail_silently=True
    )


def connect_mail_admins() -> None:
    """Mail ``ADMINS`` on every alert (call it once, e.g. in an AppConfig.ready)."""
    for signal in ALERT_SIGNALS:
        signal.connect(mail_admins_on_alert, dispatch_uid="thred_django.mail_admins")


def disconnect_mail_admins() -> None:
    for signal in ALERT_SIGNALS:
        signal.disconnect(dispatch_uid="thred_django.mail_admins")
