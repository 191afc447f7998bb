"""System checks for the THRED setting.

Stable ids: ``thred_django.E001`` … for errors, ``thred_django.W001`` … for warnings.
Each message says exactly what to set.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from django.core.checks import CheckMessage, Error, Tags, Warning, register

from thred_django import tenancy
from thred_django.conf import thred_settings
from thred_django.mappings import Mapping, registry

SYNC_MODES = ("queue", "eager", "disabled")


@register(Tags.compatibility)
def check_tenant_placement(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """django-tenants placements (E040…E043): defined next to the rest of the tenancy
    support."""
    return tenancy.placement_errors(registry.mappings())


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


@register(Tags.compatibility)
def check_mappings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from thred_django import single
    from thred_django.mappings import registry
    from thred_django.resources import Resource

    errors: list[CheckMessage] = []
    mappings = registry.mappings()
    businesses = [m for m in mappings if m.resource == Resource.BUSINESS]
    if single.configured():
        errors += _single_business_errors(businesses)
        businesses = []  # checked above
    elif mappings and not businesses:
        errors.append(
            Error(
                "Models are mapped to Thred but no tenant model is mapped to a business.",
                hint="Register your tenant model: @mappings.register(Merchant) "
                "class MerchantMapping(mappings.BusinessMapping): ...",
                id="thred_django.E006",
            )
        )
    if len(businesses) > 1:
        errors.append(
            Error(
                "More than one model is mapped to a Thred business: "
                + ", ".join(m.model._meta.label for m in businesses),
                hint="Map exactly one tenant model with BusinessMapping.",
                id="thred_django.E007",
            )
        )
    for mapping in mappings:
        errors += _fields_errors(mapping)
        if type(mapping).build_payload is Mapping.build_payload:
            errors.append(
                Error(
                    f"{type(mapping).__name__} does not implement build_payload().",
                    hint="Return the Thred request body for one object from build_payload().",
                    obj=mapping.model,
                    id="thred_django.E008",
                )
            )
    return errors


def _single_business_errors(businesses: list[Mapping]) -> list[CheckMessage]:
    from thred_django import single
    from thred_django.exceptions import ThredConfigurationError

    errors: list[CheckMessage] = []
    hosts = [m for m in businesses if m is not single.mapping()]
    if hosts:
        errors.append(
            Error(
                "THRED['BUSINESS'] is set, and a model is mapped to a Thred business too: "
                + ", ".join(m.model._meta.label for m in hosts),
                hint="Use one: THRED['BUSINESS'] when the whole site is one business, or a "
                "BusinessMapping on the tenant model when there are many.",
                id="thred_django.E010",
            )
        )
    try:
        single.payload()
    except ThredConfigurationError as exc:
        errors.append(
            Error(
                str(exc),
                hint="THRED['BUSINESS'] = {'legal_name': ..., 'entity_type': ..., 'email': ..., "
                "'country': ..., 'base_currency': ...} or 'myapp.thred.business'.",
                id="thred_django.E011",
            )
        )
    return errors


def _fields_errors(mapping: Mapping) -> list[CheckMessage]:
    from django.core.exceptions import FieldDoesNotExist

    if mapping.fields is None:
        return []
    if isinstance(mapping.fields, str):
        unknown = [repr(mapping.fields) + " (a string, not a list)"]
    else:
        unknown = []
        for name in mapping.fields:
            try:
                mapping.model._meta.get_field(name)
            except FieldDoesNotExist:
                if name not in {f.attname for f in mapping.model._meta.concrete_fields}:
                    unknown.append(repr(name))
    if not unknown:
        return []
    return [
        Error(
            f"{type(mapping).__name__}.fields names what is not a field of "
            f"{mapping.model._meta.label}: {', '.join(unknown)}.",
            hint="List the model fields build_payload and should_sync read, e.g. "
            "fields = ['email', 'first_name']; saves with update_fields touching none of "
            "them do not mark.",
            obj=mapping.model,
            id="thred_django.E012",
        )
    ]


@register(Tags.compatibility)
def check_q_cluster(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django.apps import apps
    from django.conf import settings

    messages: list[CheckMessage] = []
    if thred_settings.SYNC_MODE != "queue":
        return messages
    if not apps.is_installed("django_q"):
        return [
            Error(
                "THRED['SYNC_MODE'] is 'queue' but django_q is not in INSTALLED_APPS.",
                hint="Add 'django_q' to INSTALLED_APPS, or set THRED['SYNC_MODE'] to 'eager'.",
                id="thred_django.E009",
            )
        ]
    conf = getattr(settings, "Q_CLUSTER", {}) or {}
    timeout, retry = conf.get("timeout"), conf.get("retry", 60)
    if timeout is None or timeout >= retry:
        messages.append(
            Warning(
                f"Q_CLUSTER timeout ({timeout}) is not below retry ({retry}): a Thred push "
                "task that runs longer than retry is started a second time while the first "
                "still runs.",
                hint="Set Q_CLUSTER['timeout'] below Q_CLUSTER['retry'], e.g. timeout=90, "
                "retry=120.",
                id="thred_django.W001",
            )
        )
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")):
        messages.append(
            Warning(
                "The default cache is per process: the push debounce and Thred tokens are "
                "not shared between web and worker processes.",
                hint="Use a shared cache (DatabaseCache, Redis, memcached) in production, "
                "or set THRED['TOKEN_CACHE'] to an alias of one.",
                id="thred_django.W003",
            )
        )
    if timeout is not None and timeout <= thred_settings.TASK_TIME_LIMIT:
        messages.append(
            Warning(
                f"THRED['TASK_TIME_LIMIT'] ({thred_settings.TASK_TIME_LIMIT}s) is not below "
                f"Q_CLUSTER['timeout'] ({timeout}s): django-q2 would kill push tasks mid-call.",
                hint="Set THRED['TASK_TIME_LIMIT'] to about half of Q_CLUSTER['timeout'].",
                id="thred_django.W002",
            )
        )
    return messages
