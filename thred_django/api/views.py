"""API views: sync status of one host object, retry it, per-business counts.

Contract (see ``thred_django.api``): JSON only; 404 with a ``detail`` that says what was
not found; permissions from THRED["API_PERMISSION_CLASSES"]; no call to Thred (a retry
makes the record due now and requests a push, per SYNC_MODE).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, QuerySet, When
from rest_framework import status as http
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.api.permissions import CanRetry, ConfiguredPermissionsMixin
from thred_django.api.schema import ThredSchema
from thred_django.api.serializers import (
    BusinessCountsSerializer,
    BusinessSummarySerializer,
    ReconcileResultSerializer,
    RetryResultSerializer,
    SyncStatusSerializer,
)
from thred_django.client.validation.text import text_problem
from thred_django.engine import actions, status
from thred_django.engine.reconcile import results
from thred_django.mappings import registry
from thred_django.models import BusinessHealth, SyncRecord
from thred_django.resources import Resource


class ThredAPIView(ConfiguredPermissionsMixin, GenericAPIView):
    """Base: configured permissions; no ``queryset`` (path ids are host ids, not ours)."""


def _record_for(content_type: str, pk: str, resource: str | None = None) -> SyncRecord:
    """The record of a host object; ``resource`` (the ``?resource=`` query parameter)
    picks one when the object feeds several (default: its model's primary mapping).

    Without a record the 404 says the same thing whether or not the host row (or even
    the model) exists: the API never queries host tables, so it is no existence oracle.
    """
    app_label, dot, model = content_type.partition(".")
    if not (dot and app_label and model) or not _storable(content_type, pk, resource or ""):
        raise NotFound(
            f"No sync record for {content_type!r} {pk!r}: give the model as "
            "'app_label.model' (e.g. 'shop.invoice') and the object's primary key."
        )
    ct = ContentType.objects.filter(app_label=app_label, model=model.lower()).first()
    records = SyncRecord.objects.select_related("content_type").filter(
        content_type=ct, object_id=str(pk)
    )
    model_class = ct.model_class() if ct is not None else None
    if resource:
        records = records.filter(resource=resource)
    elif model_class is not None and (primary := registry.get(model_class)) is not None:
        records = records.order_by(Case(When(resource=primary.resource, then=0), default=1))
    record = records.first() if ct is not None else None
    if record is not None:
        return record
    what = f"Thred {resource} record" if resource else "sync record"
    raise NotFound(
        f"{content_type} {pk} has no {what}: it does not exist, or it was never "
        "marked for sync (its model may not be mapped)."
    )


def _storable(*values: str) -> bool:
    """False for text no database can compare with (NUL, lone surrogates): a 404."""
    return not any(text_problem(value) for value in values)


def _status_data(record: SyncRecord) -> dict[str, Any]:
    names = status.business_names([record.tenant_id])
    return SyncStatusSerializer(record, context={"business_names": names}).data


class ObjectStatusView(ThredAPIView):
    """The sync status of one host object."""

    serializer_class = SyncStatusSerializer
    schema = ThredSchema(operation_id="getObjectSyncStatus", tags=["thred"])

    def get(self, request: Request, content_type: str, pk: str) -> Response:
        resource = request.query_params.get("resource")
        return Response(_status_data(_record_for(content_type, pk, resource)))


class ObjectRetryView(ThredAPIView):
    """Queue a push of one host object's record now (attempts reset)."""

    serializer_class = RetryResultSerializer
    extra_permission_classes = (CanRetry,)
    schema = ThredSchema(
        tags=["thred"],
        operation_id="retryObjectSync",
        status_code="202",
        request_body=False,
    )

    def post(self, request: Request, content_type: str, pk: str) -> Response:
        record = _record_for(content_type, pk, request.query_params.get("resource"))
        queued = actions.retry(SyncRecord.objects.filter(pk=record.pk))
        record.refresh_from_db()
        return Response({"queued": queued, "status": _status_data(record)}, http.HTTP_202_ACCEPTED)


def _health(tenant_ids: list[str]) -> dict[str, BusinessHealth]:
    return {h.tenant_id: h for h in BusinessHealth.objects.filter(tenant_id__in=tenant_ids)}


def _business_row(name: str, tenant_id: str, states: dict[str, int], health: Any) -> dict:
    paused = health.paused_until if health is not None and health.is_paused else None
    return {
        "business": name,
        "tenant_id": tenant_id,
        "states": states,
        "total": sum(states.values()),
        "paused_until": paused,
        "pause_reason": health.pause_reason if paused else "",
        "flagged": bool(health and health.flagged_at),
        "flag_reason": health.flag_reason if health and health.flagged_at else "",
    }


class BusinessListView(ThredAPIView):
    """Counts by sync state for every business (one row per tenant with records)."""

    serializer_class = BusinessCountsSerializer
    schema = ThredSchema(operation_id="listBusinessSyncCounts", tags=["thred"])
    pagination_class = None

    def get(self, request: Request) -> Response:
        counts = status.counts()
        tenants = {name: tenant for tenant, name in status.business_names().items()}
        rows = []
        for name, states in counts["businesses"].items():
            tenant_id = tenants.get(name, name.removeprefix("tenant:"))
            rows.append((name, tenant_id, states))
        health = _health([tenant for _, tenant, _ in rows])
        data = [_business_row(n, t, s, health.get(t)) for n, t, s in rows]
        return Response(BusinessCountsSerializer(data, many=True).data)


class BusinessDetailView(ThredAPIView):
    """One business, addressed by its external id: counts by state and by resource."""

    serializer_class = BusinessSummarySerializer
    schema = ThredSchema(operation_id="getBusinessSyncSummary", tags=["thred"])

    def get(self, request: Request, external_id: str) -> Response:
        if not _storable(external_id):
            raise NotFound(f"No business with external id {external_id!r} in the outbox.")
        business = (
            SyncRecord.objects.filter(resource=Resource.BUSINESS, external_id=external_id)
            .values_list("tenant_id", flat=True)
            .first()
        )
        if business is None:
            raise NotFound(f"No business with external id {external_id!r} in the outbox.")
        records: QuerySet[SyncRecord] = SyncRecord.objects.filter(tenant_id=business)
        counts = status.counts(records)
        states: dict[str, int] = {}
        for by_state in counts["resources"].values():
            for state, n in by_state.items():
                states[state] = states.get(state, 0) + n
        row = _business_row(external_id, business, states, _health([business]).get(business))
        row.update(
            resources=counts["resources"], oldest_pending_seconds=counts["oldest_pending_seconds"]
        )
        return Response(BusinessSummarySerializer(row).data)


class ReconciliationListView(ThredAPIView):
    """Every business's last reconciliation, those with drift first."""

    serializer_class = ReconcileResultSerializer
    schema = ThredSchema(operation_id="listReconciliations", tags=["thred"])
    pagination_class = None

    def get(self, request: Request) -> Response:
        return Response(ReconcileResultSerializer(results.latest(), many=True).data)


class ReconciliationDetailView(ThredAPIView):
    """One business's last reconciliation, addressed by the business's external id."""

    serializer_class = ReconcileResultSerializer
    schema = ThredSchema(operation_id="getReconciliation", tags=["thred"])

    def get(self, request: Request, external_id: str) -> Response:
        result = results.for_business(external_id)
        if result is None:
            raise NotFound(f"No reconciliation has run for business {external_id!r}.")
        return Response(ReconcileResultSerializer(result).data)
