"""Invoice payments and bill payments: one create, PATCH and cancel for both.

A settlement needs its counterparty (customer, vendor) and allocations to open
documents (invoices, bills) of that counterparty, which never exceed its amount.
Creates are idempotent on the ``Idempotency-Key`` header and on ``external_id``; a
PATCH of a cancelled one is a 409; only pending or failed ones can be cancelled
(POST …/delete/), anything else is a 409. ``Settlement`` (configured in each kind
module) says what differs between the two: names, columns, what a PATCH may change,
and the response shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpResponseBase
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import idempotency, ledger, readings
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.references import (
    Party,
    check_allocations,
    check_external_id_free,
    resolve,
)
from thred_django.sandbox.render.common import ts
from thred_django.sandbox.rows import insert
from thred_django.sandbox.tables import Business
from thred_django.sandbox.views.base import SandboxAPIView, echo


@dataclass(frozen=True)
class Settlement:
    resource: str
    label: str  # in messages
    model: type[Any]  # the settlement's model (Payment, BillPayment)
    allocation: type[Model]
    party: Party  # the counterparty: customer, vendor
    settled: ledger.Settled  # what it settles: invoices, bills
    amount: str  # the amount column (and body field)
    allocating: tuple[str, ...]  # statuses whose allocations count
    default_currency: Callable[[Business], str]
    columns: tuple[str, ...]  # body fields stored as columns on create
    patchable: tuple[str, ...]  # columns a PATCH may change (besides status, fee, lines)
    created: Callable[[Any, list[Any]], dict[str, Any]]  # create answer (obj, lines)
    shown: Callable[[Any], dict[str, Any]]  # PATCH answer and repeats (loaded obj)
    query: Callable[[], Any]

    @property
    def role(self) -> str:
        return self.party.name

    @property
    def document(self) -> str:
        return self.settled.name

    @property
    def id_key(self) -> str:
        return f"{self.document}_id"

    def lines(
        self, obj: Any, resolved: list[tuple[Any, int]], cleaned: list[dict], store: bool = True
    ) -> list:
        """The allocation rows (stored unless ``store`` is False)."""
        rows = [
            self.allocation(
                **{self.resource: obj},
                **{self.document: doc},
                amount_cents=amount,
                **({"description": c.get("description", "")} if self.role == "vendor" else {}),
            )
            for (doc, amount), c in zip(resolved, cleaned, strict=True)
        ]
        return insert(rows) if store else rows

    def refresh(self, ids: Any, inserting: Sequence[Sequence[Model]] = ()) -> None:
        ledger.refresh(self.settled, ids, inserting)


def set_status(obj: Any, status: str) -> None:
    now = timezone.now()
    obj.status = status
    if status == "completed":
        obj.completed_at = obj.completed_at or now
    elif status == "failed":
        obj.failed_at = now
    elif status == "cancelled":
        obj.cancelled_at = now


def _build(
    s: Settlement,
    v: SandboxAPIView,
    data: dict,
    cleaned: dict,
    key: str | None,
    locked: dict[str, Any],
) -> dict[str, Any]:
    party = resolve(s.party, v.business, cleaned)
    allocations = cleaned.get("allocations") or []
    resolved = check_allocations(s.settled, v.business, party, allocations, locked=locked)
    obj = s.model(
        business=v.business,
        external_id=cleaned.get("external_id") or None,
        idempotency_key=key,
        processing_fee_cents=cleaned.get("processing_fee_cents", 0),
        currency=cleaned.get("currency") or s.default_currency(v.business),
        payment_date=cleaned["payment_date"],
        data=echo(data, cleaned),
        **{s.role: party, s.amount: cleaned[s.amount]},
        **{column: cleaned.get(column, "") for column in s.columns},
    )
    set_status(obj, cleaned.get("status", readings.PAYMENT_DEFAULT_STATUS))
    rows = s.lines(obj, resolved, allocations, store=False)
    # Stored with the documents' sums (one statement on PostgreSQL), counted in them.
    s.refresh((doc for doc, _ in resolved), ([obj], rows))
    return s.created(obj, rows)


def create(s: Settlement, v: SandboxAPIView) -> HttpResponseBase:
    data = v.payload()
    key = idempotency.header_key(v.request)
    v.log.idempotency_key = key or ""
    digest = idempotency.body_hash(data) if key else ""
    cleaned = v.clean(s.resource, "create", data)
    external_id = cleaned.get("external_id") or None
    existing = s.model._default_manager.filter(business=v.business, external_id=external_id)
    ids = [a[s.id_key] for a in cleaned.get("allocations") or []]

    def repeat() -> HttpResponseBase | None:
        if key and (stored := idempotency.replay(v.business, s.resource, key, digest)):
            return stored
        if external_id and (found := existing.first()):
            return Response(s.shown(s.query().get(id=found.id)), status=200)
        return None

    try:
        with transaction.atomic():
            # Build first, under the locks of what the allocations touch, and look for a
            # duplicate only when that fails (as ``idempotency.create_once``): a repeat's
            # key or external_id makes an insert fail on its unique constraint, and a
            # request that waited for a concurrent duplicate fails its balance checks.
            # Either way the duplicate's answer (or the key's 409) is what it gets, as
            # when it was looked for first; one or two queries less per new payment.
            locked = ledger.lock(s.settled, v.business, ids)
            body = _build(s, v, data, cleaned, key, locked)
            if key:
                idempotency.store(v.business, s.resource, key, digest, 201, body)
    except Exception:  # whatever refused it, a duplicate answers instead
        if answer := repeat():
            return answer
        raise
    v.log.created = True
    return Response(body, status=201)


def update(s: Settlement, v: SandboxAPIView, object_id: str) -> Response:
    obj = v.get_owned(s.model._default_manager, object_id, s.resource)
    v.log.external_id = obj.external_id or ""
    data = v.payload()
    cleaned = v.clean(s.resource, "update", data)
    with transaction.atomic():
        locked = s.model._default_manager.select_for_update().select_related(s.role)
        _patch(s, v, locked.get(id=obj.id), data, cleaned)
    return Response(s.shown(s.query().get(id=obj.id)))


def _patch(s: Settlement, v: SandboxAPIView, obj: Any, data: dict, cleaned: dict) -> None:
    if obj.status == "cancelled":
        code = readings.ERROR_CANCELLED.format(resource=s.resource)
        raise conflict(code, f"A cancelled {s.label} cannot be updated.")
    party = getattr(obj, s.role)
    if "customer_id" in cleaned and cleaned["customer_id"] != str(obj.customer_id):
        party = resolve(s.party, v.business, cleaned)
    if "external_id" in cleaned and cleaned["external_id"] != obj.external_id:
        check_external_id_free(s.model, v.business, cleaned["external_id"], obj.id)
        obj.external_id = cleaned["external_id"]
    check_number = cleaned.get("check_number", getattr(obj, "check_number", ""))
    if getattr(obj, "payment_method", "") == "check" and s.role == "vendor" and not check_number:
        raise field_error("check_number", "Required when payment_method is check.")
    total = cleaned.get(s.amount, getattr(obj, s.amount))
    old = list(obj.allocations.values(s.id_key, "amount_cents", *_described(s)))
    allocations = cleaned.get("allocations")
    if allocations is None:
        allocations = [{**a, s.id_key: str(a[s.id_key])} for a in old]
    if sum(a["amount_cents"] for a in allocations) > total:
        raise field_error("allocations", f"Allocations exceed the {s.label} amount ({total}).")
    fee = cleaned.get("processing_fee_cents", obj.processing_fee_cents)
    if fee > total:
        raise field_error("processing_fee_cents", f"May not exceed the amount ({total}).")
    status = cleaned.get("status", obj.status)
    reactivated = status in s.allocating and obj.status not in s.allocating
    resolved = None
    if "allocations" in cleaned or party.id != getattr(obj, f"{s.role}_id") or reactivated:
        own = {f"{s.resource}_id": obj.id}
        resolved = check_allocations(s.settled, v.business, party, allocations, exclude=own)
    setattr(obj, s.role, party)
    setattr(obj, s.amount, total)
    obj.processing_fee_cents = fee
    for key in s.patchable:
        if key in cleaned:
            setattr(obj, key, cleaned[key])
    if status != obj.status:
        set_status(obj, status)
    obj.data = {**obj.data, **echo(data, cleaned)}
    obj.updated_at = timezone.now()
    obj.save()
    if resolved is not None and "allocations" in cleaned:  # replace the lines
        obj.allocations.all().delete()
        s.lines(obj, resolved, allocations)
    s.refresh({a[s.id_key] for a in old} | {a[s.id_key] for a in allocations})


def _described(s: Settlement) -> tuple[str, ...]:
    return ("description",) if s.role == "vendor" else ()


def cancel(s: Settlement, v: SandboxAPIView, object_id: str) -> Response:
    obj = v.get_owned(s.model._default_manager, object_id, s.resource)
    v.log.external_id = obj.external_id or ""
    with transaction.atomic():
        obj = s.model._default_manager.select_for_update().get(id=obj.id)
        if obj.status == "cancelled":
            code = readings.ERROR_ALREADY_CANCELLED.format(resource=s.resource)
            raise conflict(code, f"The {s.label} is already cancelled.")
        if obj.status not in readings.CANCELLABLE_STATUSES:
            code = readings.ERROR_NOT_CANCELLABLE.format(resource=s.resource)
            raise conflict(
                code,
                f"Only pending or failed {s.label}s can be cancelled; this one is "
                f"{obj.status}. Use a refund instead.",
            )
        set_status(obj, "cancelled")
        obj.updated_at = timezone.now()
        obj.save()
        s.refresh(obj.allocations.values_list(s.id_key, flat=True))
    return Response(cancellation(obj, f"{s.label.capitalize()} cancelled successfully."))


def cancellation(obj: Any, message: str) -> dict[str, Any]:
    """The answer of a cancel."""
    return {
        "message": message,
        "payment_id": str(obj.id),
        "status": obj.status,
        "updated_at": ts(obj.updated_at),
    }
