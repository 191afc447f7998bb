"""Who may see and act on Thred sync records: one model for the admin and the API.

* **read** (outbox list, record page, dashboard, every status-API GET):
  ``can_view_records`` — ``thred_django.view_syncrecord`` (or ``change_syncrecord``,
  which the admin has always counted as viewing);
* **retry** (retry, resync, skip, "Sync to Thred", the API's retry): ``can_retry`` —
  ``thred_django.retry_syncrecord`` *and* the read permission: a user who cannot see a
  record cannot act on it, in the admin or through the API;
* **payloads** (the preview, the acknowledged payload, the attempt log's request and
  response bodies — the host's customers' names, e-mails, addresses): with
  ``THRED["HIDE_PAYLOADS_WITHOUT_HOST_PERMISSION"]`` (default True) only users who may
  view the host model (``<app_label>.view_<model>`` or ``change_<model>``).

Each surface adds its own gate in front (the admin site needs ``is_staff``; the API
``THRED["API_PERMISSION_CLASSES"]``, ``IsAdminUser`` by default) and checks these
before looking anything up, so a refused caller learns nothing about which rows exist.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from thred_django.conf import thred_settings

VIEW_PERMISSION = "thred_django.view_syncrecord"
CHANGE_PERMISSION = "thred_django.change_syncrecord"
RETRY_PERMISSION = "thred_django.retry_syncrecord"


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_active", False))


def can_view_records(user: Any) -> bool:
    """May ``user`` read sync records (status, errors, counts)?"""
    return _active(user) and (user.has_perm(VIEW_PERMISSION) or user.has_perm(CHANGE_PERMISSION))


def can_retry(user: Any) -> bool:
    """May ``user`` retry, resync or skip records? Needs retry *and* read."""
    return can_view_records(user) and user.has_perm(RETRY_PERMISSION)


def can_view_host_data(user: Any, model: type[models.Model] | None) -> bool:
    """May ``user`` see payloads built from ``model``'s rows (personal data)?"""
    if not thred_settings.HIDE_PAYLOADS_WITHOUT_HOST_PERMISSION:
        return True
    if model is None or not _active(user):
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def host_permission_hint(model: type[models.Model] | None) -> str:
    if model is None:
        return "Payloads hidden: the host model is gone."
    opts = model._meta
    return (
        f"Payloads hidden: they hold {opts.verbose_name} data, which needs the "
        f"{opts.app_label}.view_{opts.model_name} permission "
        '(THRED["HIDE_PAYLOADS_WITHOUT_HOST_PERMISSION"]).'
    )
