"""System checks for the THRED setting.

Stable ids: ``thred_django.E001`` … for errors, ``thred_django.W001`` … for warnings.
Each message says exactly what to set.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from django.core.checks import CheckMessage, Error, Tags, register

from thred_django.conf import thred_settings

SYNC_MODES = ("queue", "eager", "disabled")


@register(Tags.compatibility)
def check_credentials(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    conf = thred_settings.as_dict()
    if conf["SYNC_MODE"] == "disabled":
        return errors
    partner_id = conf["PARTNER_ID"]
    if not partner_id:
        errors.append(
            Error(
                "THRED['PARTNER_ID'] is not set.",
                hint="Set THRED = {'PARTNER_ID': '<partner UUID issued by Thred>', ...} "
                "in your settings (for example from an environment variable).",
                id="thred_django.E001",
            )
        )
    else:
        try:
            uuid.UUID(str(partner_id))
        except ValueError:
            errors.append(
                Error(
                    "THRED['PARTNER_ID'] is not a UUID.",
                    hint="THRED['PARTNER_ID'] must be the partner UUID issued by Thred, "
                    "e.g. '3f1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44'.",
                    id="thred_django.E002",
                )
            )
    if not conf["API_KEY"]:
        errors.append(
            Error(
                "THRED['API_KEY'] is not set.",
                hint="Set THRED['API_KEY'] to the partner API key issued by Thred; "
                "read it from the environment, never commit it.",
                id="thred_django.E003",
            )
        )
    base_url = conf["BASE_URL"]
    parts = urlsplit(str(base_url or ""))
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        errors.append(
            Error(
                f"THRED['BASE_URL'] is not an http(s) URL: {base_url!r}.",
                hint="Set THRED['BASE_URL'] to e.g. 'https://sandbox.thredfi.com' "
                "(no path after the host unless the API is mounted under one).",
                id="thred_django.E004",
            )
        )
    if conf["SYNC_MODE"] not in SYNC_MODES:
        errors.append(
            Error(
                f"THRED['SYNC_MODE'] is {conf['SYNC_MODE']!r}.",
                hint=f"Set THRED['SYNC_MODE'] to one of {', '.join(SYNC_MODES)}.",
                id="thred_django.E005",
            )
        )
    return errors
