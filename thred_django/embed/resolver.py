"""Which Thred business a request's user may see, through the host's resolver."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.module_loading import import_string

from thred_django.conf import thred_settings
from thred_django.exceptions import ThredConfigurationError
from thred_django.mappings import SINGLE_TENANT_ID, registry, single_business_mode
from thred_django.models import SyncRecord
from thred_django.resources import Resource


class NoBusiness(Exception):
    """The user has no business to show (the resolver returned None)."""


class NotInThred(Exception):
    """The user's business has not reached Thred yet."""


def resolver() -> Any:
    path = thred_settings.EMBED_BUSINESS_RESOLVER
    if not path:
        raise ThredConfigurationError(
            "THRED['EMBED_BUSINESS_RESOLVER'] is not set: point it at a function "
            "resolver(request) returning the tenant the user belongs to (or its pk, or None)."
        )
    return import_string(path) if isinstance(path, str) else path


def tenant_id_of(tenant: Any) -> str:
    """The tenant id a resolver's answer stands for (an instance of the business model,
    or its primary key; ``True`` in single-business mode, where there is one business)."""
    if single_business_mode():
        if tenant is True or isinstance(tenant, models.Model):
            return SINGLE_TENANT_ID
        return str(tenant)
    if isinstance(tenant, models.Model):
        mapping = registry.business_mapping()
        if mapping is None or (
            type(tenant)._meta.concrete_model is not mapping.model._meta.concrete_model
        ):
            expected = mapping.model._meta.label if mapping else "the business model"
            raise ThredConfigurationError(
                f"THRED['EMBED_BUSINESS_RESOLVER'] returned a {type(tenant)._meta.label}; "
                f"return a {expected} (or its pk)."
            )
        return mapping.get_tenant_id(tenant)
    return str(tenant)


def business_record(request: Any) -> SyncRecord:
    """The outbox record of the business the resolver names for ``request``'s user."""
    tenant = resolver()(request)
    if tenant is None or tenant is False or tenant == "":
        raise NoBusiness
    record = SyncRecord.objects.filter(
        resource=Resource.BUSINESS, tenant_id=tenant_id_of(tenant)
    ).first()
    if record is None or not record.thred_id:
        raise NotInThred
    return record
