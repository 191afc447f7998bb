"""Installing the periodic sweep and reconciliation in django-q2's schedule, idempotently
(post_migrate)."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, router

from thred_django.conf import thred_settings
from thred_django.engine.dispatch import SWEEP_TASK

SWEEP_SCHEDULE_NAME = "thred_django sweep"
RECONCILE_SCHEDULE_NAME = "thred_django reconcile"
RECONCILE_TASK = "thred_django.tasks.reconcile"


def _schedules(kwargs: dict[str, Any]) -> Any:
    """django-q2's ``Schedule`` manager on the migrated database, or None when django-q2
    is not installed, lives on another database (``DATABASE_ROUTERS``), or its tables
    are not there yet: ``post_migrate`` gives the state the migrate left (``apps``), and
    a partial one (``migrate thred_django`` on a new database) leaves django-q2
    unmigrated. The next full migrate installs the schedules."""
    from django.apps import apps

    if not apps.is_installed("django_q"):
        return None
    state = kwargs.get("apps")
    if state is not None:
        try:
            state.get_model("django_q", "Schedule")
        except LookupError:
            return None
    from django_q.models import Schedule

    using = kwargs.get("using") or DEFAULT_DB_ALIAS
    if not router.allow_migrate_model(using, Schedule):
        return None  # the routers keep django-q2 on another database: its migrate does it
    return Schedule.objects.using(using)


def _install(schedules: Any, name: str, func: str, minutes: Any) -> None:
    defaults: dict[str, Any] = {
        "func": func,
        "schedule_type": schedules.model.MINUTES,
        "minutes": int(minutes),
        "repeats": -1,
    }
    if thred_settings.Q_CLUSTER_NAME:
        defaults["cluster"] = thred_settings.Q_CLUSTER_NAME
    schedules.update_or_create(name=name, defaults=defaults)


def install_sweep_schedule(**kwargs: Any) -> None:
    schedules = _schedules(kwargs)
    if schedules is not None:
        _install(schedules, SWEEP_SCHEDULE_NAME, SWEEP_TASK, thred_settings.SWEEP_MINUTES)


def install_reconcile_schedule(**kwargs: Any) -> None:
    """Every THRED["RECONCILE_MINUTES"] (daily by default); 0 or None removes it."""
    schedules = _schedules(kwargs)
    if schedules is None:
        return
    minutes = thred_settings.RECONCILE_MINUTES
    if not minutes:
        schedules.filter(name=RECONCILE_SCHEDULE_NAME).delete()
        return
    _install(schedules, RECONCILE_SCHEDULE_NAME, RECONCILE_TASK, minutes)
