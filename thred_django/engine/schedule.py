"""Installing the periodic sweep and reconciliation in django-q2's schedule, idempotently
(post_migrate)."""

from __future__ import annotations

from typing import Any

from thred_django.conf import thred_settings
from thred_django.engine.dispatch import SWEEP_TASK

SWEEP_SCHEDULE_NAME = "thred_django sweep"
RECONCILE_SCHEDULE_NAME = "thred_django reconcile"
RECONCILE_TASK = "thred_django.tasks.reconcile"


def install_sweep_schedule(**kwargs: Any) -> None:
    from django.apps import apps

    if not apps.is_installed("django_q"):
        return
    from django_q.models import Schedule

    defaults: dict[str, Any] = {
        "func": SWEEP_TASK,
        "schedule_type": Schedule.MINUTES,
        "minutes": int(thred_settings.SWEEP_MINUTES),
        "repeats": -1,
    }
    if thred_settings.Q_CLUSTER_NAME:
        defaults["cluster"] = thred_settings.Q_CLUSTER_NAME
    Schedule.objects.update_or_create(name=SWEEP_SCHEDULE_NAME, defaults=defaults)


def install_reconcile_schedule(**kwargs: Any) -> None:
    """Every THRED["RECONCILE_MINUTES"] (daily by default); 0 or None removes it."""
    from django.apps import apps

    if not apps.is_installed("django_q"):
        return
    from django_q.models import Schedule

    minutes = thred_settings.RECONCILE_MINUTES
    if not minutes:
        Schedule.objects.filter(name=RECONCILE_SCHEDULE_NAME).delete()
        return
    defaults: dict[str, Any] = {
        "func": RECONCILE_TASK,
        "schedule_type": Schedule.MINUTES,
        "minutes": int(minutes),
        "repeats": -1,
    }
    if thred_settings.Q_CLUSTER_NAME:
        defaults["cluster"] = thred_settings.Q_CLUSTER_NAME
    Schedule.objects.update_or_create(name=RECONCILE_SCHEDULE_NAME, defaults=defaults)
