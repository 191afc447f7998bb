"""Installing the periodic sweep in django-q2's schedule, idempotently (post_migrate)."""

from __future__ import annotations

from typing import Any

from thred_django.conf import thred_settings
from thred_django.engine.dispatch import SWEEP_TASK

SWEEP_SCHEDULE_NAME = "thred_django sweep"


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
