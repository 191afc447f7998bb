"""Permission checks, admin links and page hooks shared by the thred_django admin.

* ``can_view_records(request)`` / ``can_retry(request)``: ``thred_django.access``'s rules
  (the API uses the same ones);
* ``admin_change_url(site, obj)``: the object's change page in ``site`` when its model
  is registered there, else ``None`` (never raises).
* ``page_objects(changelist)``: the objects of the change list's current page, fetched
  once; the queryset keeps its result cache, so the template reuses the same instances
  and whatever we attach to them (one query per page, not per row).
* ``ModelAdminBase``: the base of the admin mixins, ``ModelAdmin[Any]`` for the type
  checker (so ``super()`` and ``self.opts`` are typed) and ``object`` at run time (so a
  mixin adds no second ``ModelAdmin`` to the host's class).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib.admin import AdminSite
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from thred_django import access

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    ModelAdminBase = ModelAdmin[Any]
else:
    ModelAdminBase = object

RETRY_PERMISSION = access.RETRY_PERMISSION
VIEW_PERMISSION = access.VIEW_PERMISSION


def can_view_records(request: HttpRequest) -> bool:
    """The outbox, its records and the dashboard: ``access.can_view_records``."""
    return access.can_view_records(getattr(request, "user", None))


def can_retry(request: HttpRequest) -> bool:
    """Retry, resync, skip and "Sync to Thred": ``access.can_retry`` (retry and view)."""
    return access.can_retry(getattr(request, "user", None))


def admin_change_url(site: AdminSite, obj: models.Model | None) -> str | None:
    """Link to ``obj`` in ``site`` if its model is registered there."""
    if obj is None or not site.is_registered(type(obj)):
        return None
    opts = obj._meta
    try:
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=site.name,
        )
    except NoReverseMatch:
        return None


def page_objects(changelist: ChangeList) -> list[Any]:
    """Evaluate the current page once; later iterations reuse the same instances."""
    return list(changelist.result_list)


def pretty_json(value: Any) -> str:
    """Indented, key-sorted JSON for display (dates and decimals as strings)."""
    return json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)
