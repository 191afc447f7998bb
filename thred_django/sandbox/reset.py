"""Wipe sandbox state: every business and its objects, stored Idempotency-Key
responses, the runtime fault configuration and the request log — or, for one partner
(the control endpoint), only that partner's businesses, request log and faults."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet

from thred_django.sandbox import kinds
from thred_django.sandbox.tables import (
    Business,
    FaultConfig,
    IdempotencyRecord,
    PartnerFaultConfig,
    RequestLog,
)


def deletion_order() -> tuple[type[Model], ...]:
    """Children first, so no delete has anything left to cascade to: the stored
    Idempotency-Key answers, every kind's models (``kinds.deletion_order``: by claim
    rank, highest first), then the plumbing."""
    return (
        IdempotencyRecord,
        *(model for model in kinds.deletion_order() if model is not Business),
        Business,
        FaultConfig,
        PartnerFaultConfig,
        RequestLog,
    )


def reset_sandbox(partner_id: str | None = None) -> dict[str, int]:
    """Delete everything (or ``partner_id``'s part); rows deleted per model."""
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for model in deletion_order():
            queryset = model._default_manager.all()
            if partner_id is not None:
                queryset = _of_partner(model, queryset, partner_id)
                if queryset is None:
                    continue  # shared: not the partner's to wipe
            count, _ = queryset.delete()
            deleted[model._meta.model_name or model.__name__] = count
    return deleted


def partner_path(model: type[Model]) -> str:
    """The lookup from ``model`` to its business: ``business``, or through the first
    foreign key to a model that has one (an allocation's payment)."""
    fields = model._meta.get_fields()
    if any(field.name == "business" for field in fields):
        return "business"
    for field in fields:
        target = field.related_model if field.many_to_one and field.concrete else None
        if target is not None and any(f.name == "business" for f in target._meta.get_fields()):
            return f"{field.name}__business"
    raise LookupError(f"reset: {model.__name__} has no path to its business.")


def _of_partner(model: type[Any], queryset: QuerySet[Any], partner_id: str) -> Any:
    if model is FaultConfig:
        return None
    if model in (PartnerFaultConfig, RequestLog, Business):
        return queryset.filter(partner_id=partner_id)
    return queryset.filter(**{f"{partner_path(model)}__partner_id": partner_id})
