"""Payouts: upsert on external_id (201 new, 200 updated).

``payment_ids`` / ``refund_payment_ids`` must name payments / refund payments of the
business that are not cancelled and not settled by another payout; when sent they
replace the payout's links (omitted fields keep their stored value). A reconciled payout
refuses updates with 409 ``payout_reconciled``.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import models as m
from thred_django.sandbox import queries, readings
from thred_django.sandbox import render as r
from thred_django.sandbox.errors import conflict, validation_failed
from thred_django.sandbox.views.base import SandboxAPIView, echo

_COLUMNS = ("processor", "paid_out_amount_cents", "fee_cents", "additional_refunds_amount_cents")
_LINKS = (("payment_ids", m.Payment), ("refund_payment_ids", m.RefundPayment))


def _lock(business: m.Business, model: Any, ids: list[str]) -> dict[str, Any]:
    rows = model.objects.select_for_update().filter(business=business, id__in=sorted(ids))
    return {str(row.id): row for row in rows.order_by("id")}


def _check_links(rows: dict[str, Any], field: str, ids: list[str], payout: Any) -> list[Any]:
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


def _upsert(business: m.Business, data: dict, cleaned: dict) -> tuple[m.Payout, bool]:
    # Lock the linked rows before reading the payout, so a request that waited for a
    # concurrent upsert of the same payout sees that payout (and its links).
    locked = {field: _lock(business, model, cleaned.get(field) or []) for field, model in _LINKS}
    payout = (
        m.Payout.objects.select_for_update()
        .filter(business=business, external_id=cleaned["external_id"])
        .first()
    )
    if payout is not None and payout.reconciliation_status != readings.PAYOUT_UNRECONCILED:
        raise conflict(
            readings.ERROR_PAYOUT_RECONCILED,
            "The payout is reconciled to a bank transaction and can no longer be updated.",
        )
    links: dict[str, list[Any] | None] = {}
    for field, _ in _LINKS:
        if field in cleaned or not readings.PAYOUT_UPSERT_KEEPS_OMITTED:
            ids = cleaned.get(field) or []
            links[field] = _check_links(locked[field], field, ids, payout)
    created = payout is None
    if payout is None:
        payout = m.Payout(
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
    for field, model in _LINKS:
        if (rows := links.get(field)) is not None:
            ids = [row.id for row in rows]
            model.objects.filter(payout=payout).exclude(id__in=ids).update(payout=None)
            model.objects.filter(id__in=ids).update(payout=payout)
    return payout, created


def upsert(v: SandboxAPIView) -> Response:
    data = v.payload()
    cleaned = v.clean("payout", "create", data)
    for attempt in range(2):
        try:
            with transaction.atomic():
                payout, created = _upsert(v.business, data, cleaned)
            break
        except IntegrityError:
            # A concurrent create of the same external_id won: update it instead.
            if attempt:
                raise
    v.log.action = "create" if created else "update"
    v.log.created = created
    return Response(r.payout(queries.payouts().get(id=payout.id)), status=201 if created else 200)
