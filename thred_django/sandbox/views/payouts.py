"""Payouts: upsert on external_id (201 new, 200 updated), list, get.

``payment_ids`` / ``refund_payment_ids`` must name payments / refund payments of the
business that are not cancelled and not settled by another payout; when sent they
replace the payout's links (omitted fields keep their stored value). A reconciled payout
refuses updates with 409 ``payout_reconciled``.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import queries, readings
from thred_django.sandbox.errors import conflict, validation_failed
from thred_django.sandbox.models import Business, Payment, Payout, RefundPayment
from thred_django.sandbox.pagination import paginate, param, param_datetime, param_int
from thred_django.sandbox.render_ar import payout_json
from thred_django.sandbox.views.base import SandboxAPIView, echo

_COLUMNS = ("processor", "paid_out_amount_cents", "fee_cents", "additional_refunds_amount_cents")


def _lock(business: Business, model: Any, ids: list[str]) -> dict[str, Any]:
    rows = model.objects.select_for_update().filter(business=business, id__in=sorted(ids))
    return {str(row.id): row for row in rows.order_by("id")}


def _check_links(
    rows: dict[str, Any], field: str, ids: list[str], payout: Payout | None
) -> list[Any]:
    errors: dict[str, list[str]] = {}
    for index, object_id in enumerate(ids):
        row = rows.get(object_id)
        key = f"{field}[{index}]"
        if row is None:
            errors[key] = [f"{object_id} does not exist in this business."]
        elif getattr(row, "status", "") == "cancelled":
            errors[key] = [f"{object_id} is cancelled."]
        elif (
            readings.PAYMENT_IN_ONE_PAYOUT
            and row.payout_id
            and (payout is None or row.payout_id != payout.id)
        ):
            errors[key] = [f"{object_id} is already settled by payout {row.payout_id}."]
    if errors:
        raise validation_failed(errors)
    return list(rows.values())


def _upsert(
    business: Business, data: dict[str, Any], cleaned: dict[str, Any]
) -> tuple[Payout, bool]:
    # Lock the linked rows before reading the payout, so a request that waited for a
    # concurrent upsert of the same payout sees that payout (and its links).
    payment_rows = _lock(business, Payment, cleaned.get("payment_ids") or [])
    refund_rows = _lock(business, RefundPayment, cleaned.get("refund_payment_ids") or [])
    payout = (
        Payout.objects.select_for_update()
        .filter(business=business, external_id=cleaned["external_id"])
        .first()
    )
    if payout is not None and payout.reconciliation_status != readings.PAYOUT_UNRECONCILED:
        raise conflict(
            readings.ERROR_PAYOUT_RECONCILED,
            "The payout is reconciled to a bank transaction and can no longer be updated.",
        )
    payments = refund_payments = None
    replace_all = not readings.PAYOUT_UPSERT_KEEPS_OMITTED
    if "payment_ids" in cleaned or replace_all:
        ids = cleaned.get("payment_ids") or []
        payments = _check_links(payment_rows, "payment_ids", ids, payout)
    if "refund_payment_ids" in cleaned or replace_all:
        ids = cleaned.get("refund_payment_ids") or []
        refund_payments = _check_links(refund_rows, "refund_payment_ids", ids, payout)
    created = payout is None
    if payout is None:
        payout = Payout(
            business=business,
            external_id=cleaned["external_id"],
            currency=business.base_currency,
            status=readings.PAYOUT_DEFAULT_STATUS,
        )
    for key in (*_COLUMNS, "currency", "status", "completed_at"):
        if key in cleaned:
            setattr(payout, key, cleaned[key])
    payout.data = {**payout.data, **echo(data, cleaned)}
    payout.updated_at = timezone.now()
    payout.save(force_insert=created)
    for model, rows in ((Payment, payments), (RefundPayment, refund_payments)):
        if rows is not None:
            ids = [row.id for row in rows]
            model.objects.filter(payout=payout).exclude(id__in=ids).update(payout=None)
            model.objects.filter(id__in=ids).update(payout=payout)
    return payout, created


class PayoutListView(SandboxAPIView):
    resource = "payout"
    actions = {"get": "list", "post": "upsert"}

    def post(self, request: Request, business_id: str) -> Response:
        data = self.payload()
        cleaned = self.clean("payout", "create", data)
        for attempt in range(2):
            try:
                with transaction.atomic():
                    payout, created = _upsert(self.business, data, cleaned)
                break
            except IntegrityError:
                # A concurrent create of the same external_id won: update it instead.
                if attempt:
                    raise
        self.log.action = "create" if created else "update"
        self.log.created = created
        body = payout_json(queries.payouts().get(id=payout.id))
        return Response(body, status=201 if created else 200)

    def get(self, request: Request, business_id: str) -> Response:
        queryset = queries.payouts().filter(business=self.business)
        if (start := param_datetime(request, "completed_at_start")) is not None:
            queryset = queryset.filter(completed_at__gte=start)
        if (end := param_datetime(request, "completed_at_end")) is not None:
            queryset = queryset.filter(completed_at__lte=end)
        if external_id := param(request, "external_id"):
            queryset = queryset.filter(external_id__icontains=external_id)
        if (low := param_int(request, "min_amount")) is not None:
            queryset = queryset.filter(paid_out_amount_cents__gte=low)
        if (high := param_int(request, "max_amount")) is not None:
            queryset = queryset.filter(paid_out_amount_cents__lte=high)
        for name in ("processor", "status"):
            if value := param(request, name):
                queryset = queryset.filter(**{f"{name}__iexact": value})
        if search := param(request, "search"):
            queryset = queryset.filter(
                Q(external_id__icontains=search)
                | Q(data__processor_payout_id__icontains=search)
                | Q(data__reference_number__icontains=search)
            )
        return paginate(request, queryset.order_by("-created_at", "id"), payout_json)


class PayoutDetailView(SandboxAPIView):
    resource = "payout"
    actions = {"get": "get"}

    def get(self, request: Request, business_id: str, payout_id: str) -> Response:
        return Response(payout_json(self.get_owned(queries.payouts(), payout_id, "payout")))
