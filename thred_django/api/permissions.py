"""Permission classes of the API: THRED["API_PERMISSION_CLASSES"] (read per request),
then ``thred_django.access``'s rules, the same as the admin's.

The setting holds dotted paths (or classes). Reading it lazily, at each request, means
``override_settings`` works and nothing is imported at URLconf load time.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string
from rest_framework.permissions import BasePermission

from thred_django import access
from thred_django.conf import thred_settings


def permission_classes() -> list[type[BasePermission]]:
    return [
        import_string(entry) if isinstance(entry, str) else entry
        for entry in thred_settings.API_PERMISSION_CLASSES
    ]


class CanViewRecords(BasePermission):
    """Reading needs what the admin needs: ``access.can_view_records`` (view_syncrecord)."""

    message = "Reading sync status needs the thred_django.view_syncrecord permission."

    def has_permission(self, request: Any, view: Any) -> bool:
        return access.can_view_records(getattr(request, "user", None))


class CanRetry(BasePermission):
    """Retrying needs what the admin needs: ``access.can_retry`` (retry_syncrecord and
    view_syncrecord)."""

    message = (
        "Retrying a sync needs the thred_django.retry_syncrecord and "
        "thred_django.view_syncrecord permissions."
    )

    def has_permission(self, request: Any, view: Any) -> bool:
        return access.can_retry(getattr(request, "user", None))


class ConfiguredPermissionsMixin:
    """For APIViews: the configured classes, then the record permissions (always).

    DRF checks them in ``initial()``, before the handler looks anything up.
    """

    extra_permission_classes: tuple[type[BasePermission], ...] = ()

    def get_permissions(self) -> list[Any]:
        classes: list[type[BasePermission]] = [
            *permission_classes(),
            CanViewRecords,
            *self.extra_permission_classes,
        ]
        return [cls() for cls in classes]
