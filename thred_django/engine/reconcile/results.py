"""Reading stored reconciliation results (one per business), for the admin and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from thred_django.models import ReconcileResult

SHOWN = 50  # businesses listed on the dashboard: those with drift first, newest first


def latest() -> QuerySet[ReconcileResult]:
    """Every business's last result: drift or errors first, then the newest."""
    return ReconcileResult.objects.order_by("agreed", "-finished_at", "tenant_id")


def for_business(external_id: str) -> ReconcileResult | None:
    return ReconcileResult.objects.filter(business=external_id).first()
