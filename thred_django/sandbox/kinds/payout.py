"""Payouts: upsert on external_id (201 new, 200 updated); a payout settles payments
and refund payments.

``payment_ids`` / ``refund_payment_ids`` must name payments / refund payments of the
business that are not cancelled and not settled by another payout; when sent they
replace the payout's links (omitted fields keep their stored value). A reconciled payout
refuses updates with 409 ``payout_reconciled``. Its body is the same for a create and
an update (the upsert).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import filters as f
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.errors import conflict, validation_failed
from thred_django.sandbox.kinds import customer, payment, refund, refund_payment
from thred_django.sandbox.render.common import day, display_name, strings, ts
from thred_django.sandbox.rows import find, insert, update
from thred_django.sandbox.schemas import Body, Check
from thred_django.sandbox.schemas.bodies import external_id, uuids
from thred_django.sandbox.schemas.fields import Cents, Choice, DateTime, Dict, Obj, Text, long_text
from thred_django.sandbox.tables import Business, BusinessObject
from thred_django.sandbox.views.base import SandboxAPIView, echo


class Payout(BusinessObject):
    processor = models.CharField(max_length=100)
    paid_out_amount_cents = models.BigIntegerField()
    fee_cents = models.BigIntegerField(default=0)
    additional_refunds_amount_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    completed_at = models.DateTimeField(null=True)
    reconciliation_status = models.CharField(max_length=20, default="unreconciled")

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Payout {self.external_id}"


# --- Request body (CreatePayoutRequest: an upsert) ---------------------------------------------

UPSERT = Obj(
    {
        "external_id": external_id("payout"),
        "processor": Text(100, required=True),
        "paid_out_amount_cents": Cents(
            required=True, minimum=None if r.PAYOUT_AMOUNT_MAY_BE_NEGATIVE else 0
        ),
        "fee_cents": Cents(minimum=0),
        "currency": Text(3),
        "status": Choice(r.PAYOUT_STATUSES),
        "completed_at": DateTime(),
        "processor_payout_id": Text(),
        "additional_refunds_amount_cents": Cents(minimum=0),
        "payment_ids": uuids(),
        "refund_payment_ids": uuids(),
        "reference_number": Text(),
        "memo": long_text(),
        "metadata": Dict(),
    }
)


def _rules(c: Check) -> None:
    c.currency()
    c.distinct("payment_ids")
    c.distinct("refund_payment_ids")


# --- Response ----------------------------------------------------------------------------------


def query() -> Any:
    payments = payment.Payment.objects.select_related("customer").order_by("id")
    refunds = refund_payment.RefundPayment.objects.select_related("refund__customer")
    return Payout.objects.prefetch_related(
        Prefetch("payments", queryset=payments),
        Prefetch("refund_payments", queryset=refunds.order_by("id")),
    )


def render(p: Payout) -> dict[str, Any]:
    """Payout with its payments and refund payments (expects both prefetched)."""
    return render_with(p, list(p.payments.all()), list(p.refund_payments.all()))


def render_with(p: Payout, payments: list[Any], refund_payments: list[Any]) -> dict[str, Any]:
    """Payout with these payments (their customers loaded) and refund payments (their
    refunds' customers loaded), each list in id order."""
    d = p.data
    gross = sum(x.total_amount_cents for x in payments)
    refunds = sum(x.amount_cents for x in refund_payments) + p.additional_refunds_amount_cents
    expected = gross - refunds - p.fee_cents
    return {
        "id": str(p.id),
        "business_id": str(p.business_id),
        "external_id": p.external_id,
        "processor": p.processor,
        "processor_payout_id": d.get("processor_payout_id", ""),
        "paid_out_amount_cents": p.paid_out_amount_cents,
        "fee_cents": p.fee_cents,
        "additional_refunds_amount_cents": p.additional_refunds_amount_cents,
        "net_amount_cents": p.paid_out_amount_cents - p.fee_cents,
        "currency": p.currency,
        "status": p.status,
        "completed_at": ts(p.completed_at),
        "imported_at": ts(p.created_at),
        **strings(d, "reference_number", "memo"),
        "metadata": d.get("metadata", {}),
        "payment_count": len(payments),
        "refund_payment_count": len(refund_payments),
        "gross_payments_amount_cents": gross,
        "total_refunds_amount_cents": refunds,
        "expected_net_amount_cents": expected,
        "amount_variance_cents": p.paid_out_amount_cents - expected,
        "payments": [
            {
                "id": str(x.id),
                "external_id": x.external_id,
                "payment_reference": x.data.get("payment_reference", ""),
                "customer_name": display_name(x.customer),
                "payment_date": day(x.payment_date),
                "total_amount_cents": x.total_amount_cents,
                "currency": x.currency,
            }
            for x in payments
        ],
        "refund_payments": [
            {
                "id": str(x.id),
                "external_id": x.external_id,
                "refund_id": str(x.refund_id),
                "customer_name": display_name(x.refund.customer),
                "refunded_amount_cents": x.amount_cents,
                "completed_at": ts(x.completed_at),
            }
            for x in refund_payments
        ],
        "reconciliation_status": p.reconciliation_status,
        "settlement_file_id": None,
        "created_at": ts(p.created_at),
        "updated_at": ts(p.updated_at),
    }


# --- Writes ------------------------------------------------------------------------------------

_COLUMNS = ("processor", "paid_out_amount_cents", "fee_cents", "additional_refunds_amount_cents")
_LINKS: tuple[tuple[str, Any], ...] = (
    ("payment_ids", payment.Payment),
    ("refund_payment_ids", refund_payment.RefundPayment),
)


def _lock(business: Business, model: Any, ids: list[str]) -> dict[str, Any]:
    found = find(model, for_update=True, business=business, id=sorted(ids))
    return {str(row.id): row for row in found}


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
            r.PAYMENT_IN_ONE_PAYOUT
            and row.payout_id
            and (payout is None or row.payout_id != payout.id)
        ):
            errors[key] = [f"{object_id} is already settled by payout {row.payout_id}."]
    if errors:
        raise validation_failed(errors)
    return list(rows.values())


def _upsert(
    business: Business, data: dict, cleaned: dict
) -> tuple[Payout, bool, dict[str, list[Any] | None]]:
    # Lock the linked rows before reading the payout, so a request that waited for a
    # concurrent upsert of the same payout sees that payout (and its links).
    locked = {field: _lock(business, model, cleaned.get(field) or []) for field, model in _LINKS}
    found = find(Payout, for_update=True, business=business, external_id=cleaned["external_id"])
    payout = found[0] if found else None
    if payout is not None and payout.reconciliation_status != r.PAYOUT_UNRECONCILED:
        raise conflict(
            r.ERROR_PAYOUT_RECONCILED,
            "The payout is reconciled to a bank transaction and can no longer be updated.",
        )
    links: dict[str, list[Any] | None] = {}
    for field, _ in _LINKS:
        if field in cleaned or not r.PAYOUT_UPSERT_KEEPS_OMITTED:
            ids = cleaned.get(field) or []
            links[field] = _check_links(locked[field], field, ids, payout)
    created = payout is None
    if payout is None:
        payout = Payout(
            business=business,
            external_id=cleaned["external_id"],
            currency=business.base_currency,
            status=r.PAYOUT_DEFAULT_STATUS,
        )
    for key in (*_COLUMNS, "currency", "status", "completed_at"):
        if key in cleaned:
            setattr(payout, key, cleaned[key])
    payout.data = {**payout.data, **echo(data, cleaned)}
    payout.updated_at = timezone.now()
    if created:
        insert([payout])
    else:
        payout.save()
    for field, model in _LINKS:
        if (rows := links.get(field)) is not None:
            ids = [row.id for row in rows]
            if not created:  # nothing links to a new payout yet
                model.objects.filter(payout=payout).exclude(id__in=ids).update(payout=None)
            update(model, ["payout"], [(one, payout.pk) for one in ids])
    return payout, created, links


def _created_answer(payout: Payout, links: dict[str, list[Any] | None]) -> dict[str, Any]:
    """A new payout's answer from what it was built with: its links are the rows locked
    and checked (nothing else links to a new payout), each with its customer loaded
    here (at most two statements, none without links) instead of the three a read back
    with its prefetches takes. ``tests/sandbox/test_answers.py``: as a GET answers."""
    payments = sorted(links.get("payment_ids") or [], key=lambda x: x.id)
    refund_payments = sorted(links.get("refund_payment_ids") or [], key=lambda x: x.id)
    refunds = {}
    if refund_payments:
        ids = sorted({str(x.refund_id) for x in refund_payments})
        refunds = {x.id: x for x in find(refund.Refund, id=ids)}
    wanted = {x.customer_id for x in payments} | {x.customer_id for x in refunds.values()}
    customers = {}
    if wanted:
        customers = {x.id: x for x in find(customer.Customer, id=sorted(map(str, wanted)))}
    for x in payments:
        x.payout = payout
        x.customer = customers[x.customer_id]
    for x in refund_payments:
        x.payout = payout
        x.refund = refunds[x.refund_id]
        x.refund.customer = customers[x.refund.customer_id]
    return render_with(payout, payments, refund_payments)


def upsert(v: SandboxAPIView) -> Response:
    data = v.payload()
    cleaned = v.clean("payout", "create", data)
    for attempt in range(2):
        try:
            with transaction.atomic():
                payout, created, links = _upsert(v.business, data, cleaned)
            break
        except IntegrityError:
            # A concurrent create of the same external_id won: update it instead.
            if attempt:
                raise
    v.log.action = "create" if created else "update"
    v.log.created = created
    if created:
        return Response(_created_answer(payout, links), status=201)
    return Response(render(query().get(id=payout.id)), status=200)


KIND = Kind(
    "payout",
    model=Payout,
    query=query,
    render=render,
    bodies={"create": Body(UPSERT, _rules), "update": Body(UPSERT, _rules)},
    filters=(
        f.at_least("completed_at_start", "completed_at", "datetime"),
        f.at_most("completed_at_end", "completed_at", "datetime"),
        f.contains("external_id", "external_id"),
        f.at_least("min_amount", "paid_out_amount_cents"),
        f.at_most("max_amount", "paid_out_amount_cents"),
        f.iexact("processor"),
        f.iexact("status"),
        f.search("external_id", "data__processor_payout_id", "data__reference_number"),
    ),
    summed="paid_out_amount_cents",
    create=upsert,
    create_action="upsert",
)
