"""An exception-reporter filter that also hides thred_django's secrets.

Django's ``SafeExceptionReporterFilter`` (the debug page, ``AdminEmailHandler``) hides
settings whose *name* looks secret: ``THRED["API_KEY"]`` is hidden, but the API keys
of ``THRED_SANDBOX["PARTNERS"]`` sit under partner UUIDs and would show. Use::

    DEFAULT_EXCEPTION_REPORTER_FILTER = "thred_django.debug.ThredExceptionReporterFilter"

The client never holds a raw key or token in a frame's locals (``client.credentials``),
and the sandbox marks the functions that must with ``sensitive_variables``; this filter
covers the settings section, and any ``Secret`` local shows as the cleansed value.
"""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

from thred_django.client.config import Secret


class ThredExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: PARTNERS keys and ``Secret`` locals hidden, and
    ``sensitive_variables`` honoured even with ``DEBUG = True`` (Django's own filter
    shows every local on the debug page; a shared staging site is where keys leak)."""

    # Django's names plus AUTH: the request's HTTP_AUTHORIZATION (Basic partner key or
    # a bearer token) is not hidden by Django's own pattern.
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE", flags=re.IGNORECASE
    )

    def is_active(self, request: Any) -> bool:
        return True

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        if key == "THRED_SANDBOX" and isinstance(value, dict) and value.get("PARTNERS"):
            partners = value["PARTNERS"]
            hidden = {pid: self.cleansed_substitute for pid in dict(partners)}
            value = {**value, "PARTNERS": hidden}
        return super().cleanse_setting(key, value)

    def cleanse_special_types(self, request: Any, value: Any) -> Any:
        if isinstance(value, Secret):
            return self.cleansed_substitute
        return super().cleanse_special_types(request, value)
