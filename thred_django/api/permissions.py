"""Permission classes of the API, from THRED["API_PERMISSION_CLASSES"], read per request.

The setting holds dotted paths (or classes). Reading it lazily, at each request, means
``override_settings`` works and nothing is imported at URLconf load time.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string
from rest_framework.permissions import BasePermission

from thred_django.conf import thred_settings


def permission_classes() -> list[type[BasePermission]]:
    return [
        import_string(entry) if isinstance(entry, str) else entry
        for entry in thred_settings.API_PERMISSION_CLASSES
    ]


class CanRetry(BasePermission):
    """Retrying needs the same permission as in admin: thred_django.retry_syncrecord."""

    message = "Retrying a sync needs the thred_django.retry_syncrecord permission."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.has_perm("thred_django.retry_syncrecord"))


class ConfiguredPermissionsMixin:
    """For APIViews: instantiate the configured classes instead of ``permission_classes``."""

    extra_permission_classes: tuple[type[BasePermission], ...] = ()

    def get_permissions(self) -> list[Any]:
        return [cls() for cls in (*permission_classes(), *self.extra_permission_classes)]
