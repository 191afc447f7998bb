"""Counting the outbox: by state per resource and per business, oldest pending age.

Shared by ``thred_status``, the admin dashboard and the DRF API.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from thred_django.models import SyncRecord
from thred_django.resources import Resource, State


def business_names(tenant_ids: list[str] | None = None) -> dict[str, str]:
    """tenant_id → the external_id its business has (or will have) in Thred."""
    qs = SyncRecord.objects.filter(resource=Resource.BUSINESS)
    if tenant_ids is not None:
        qs = qs.filter(tenant_id__in=tenant_ids)
    return dict(qs.values_list("tenant_id", "external_id"))


def counts(queryset: QuerySet[SyncRecord] | None = None) -> dict[str, Any]:
    """``{"resources": {...}, "businesses": {...}, "oldest_pending_seconds": n|None}``."""
    qs = queryset if queryset is not None else SyncRecord.objects.all()
    resources: dict[str, dict[str, int]] = defaultdict(dict)
    for resource, state, n in (
        qs.values_list("resource", "state").annotate(n=Count("id")).order_by()
    ):
        resources[resource][state] = n
    by_tenant: dict[str, dict[str, int]] = defaultdict(dict)
    for tenant, state, n in qs.values_list("tenant_id", "state").annotate(n=Count("id")).order_by():
        by_tenant[tenant][state] = n
    names = business_names(list(by_tenant))
    businesses = {names.get(t, f"tenant:{t}"): states for t, states in by_tenant.items()}
    oldest = qs.filter(state=State.PENDING).aggregate(t=Min("updated_at"))["t"]
    age = (timezone.now() - oldest).total_seconds() if oldest else None
    return {
        "resources": {k: dict(v) for k, v in sorted(resources.items())},
        "businesses": dict(sorted(businesses.items())),
        "oldest_pending_seconds": age,
    }
