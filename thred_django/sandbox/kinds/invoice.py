"""Invoices: create (idempotent on external_id), PUT (the documents family:
``writes.documents``) and void; the invoice ledger other kinds pay into (payments) or
refund from (refunds).

A voided invoice cannot be updated; void is refused while payments are allocated to
the invoice or it has refunds. The request bodies take every create field on PUT, all
optional: the pages list only the update fields "seen", and a PUT carries the
representation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import filters as f
from thred_django.sandbox import ledger, rows
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.errors import conflict
from thred_django.sandbox.kinds import customer
from thred_django.sandbox.pagination import param
from thred_django.sandbox.render.common import lines, ts
from thred_django.sandbox.schemas import Body, Check, totals
from thred_django.sandbox.schemas.bodies import SALES_TAX, external_id, strings
from thred_django.sandbox.schemas.fields import (
    Cents,
    Choice,
    DateTime,
    Dict,
    ListOf,
    Obj,
    Quantity,
    Text,
    Uuid,
    account,
    long_text,
    many,
)
from thred_django.sandbox.tables import Business, BusinessObject
from thred_django.sandbox.views.base import SandboxAPIView
from thred_django.sandbox.writes import documents


class Invoice(BusinessObject):
    customer = models.ForeignKey(
        customer.Customer, on_delete=models.CASCADE, related_name="invoices"
    )
    invoice_number = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, default="SENT", db_index=True)
    currency = models.CharField(max_length=3)
    total_cents = models.BigIntegerField(default=0)
    received_cents = models.BigIntegerField(default=0)
    refunded_cents = models.BigIntegerField(default=0)
    sent_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True)
    paid_at = models.DateTimeField(null=True)
    voided_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Invoice {self.invoice_number or self.external_id or self.id}"


# --- Balances --------------------------------------------------------------------------------


def status(invoice: Invoice) -> str:
    if invoice.voided_at is not None:
        return "VOID"
    if invoice.received_cents >= invoice.total_cents:
        return "PAID"
    return "PARTIALLY_PAID" if invoice.received_cents > 0 else "SENT"


def refresh_customers(customer_ids: Iterable[Any], loaded: Iterable[Any] = ()) -> None:
    """Recompute outstanding balances; instances in ``loaded`` are updated in place."""
    ids = set(customer_ids)
    if not ids:
        return
    if connections[router.db_for_write(customer.Customer)].vendor == "postgresql":
        outstanding = _store_outstanding(ids)
    else:
        outstanding = _outstanding(ids)
        balances = [(one, outstanding.get(one, 0)) for one in ids]
        rows.update(customer.Customer, ["outstanding_cents"], balances)
    for one in loaded:
        one.outstanding_cents = outstanding.get(one.id, 0)


def _outstanding(customer_ids: set[Any]) -> dict[Any, int]:
    """``{customer id: what its invoices but void ones still ask}``: the
    ``values_list("customer_id").annotate(Sum(F("total_cents") - F("received_cents")))``
    of the customers' invoices excluding status VOID, as one statement built once per
    number of customers (every invoice and payment refreshes its customer)."""
    using = router.db_for_read(Invoice)
    connection = connections[using]
    key: Any = Invoice._meta.get_field("customer")
    params = [key.get_db_prep_value(one, connection) for one in customer_ids]
    with connection.cursor() as cursor:
        cursor.execute(_outstanding_sql(using, len(params)), [*params, "VOID"])
        return {key.to_python(one): int(total or 0) for one, total in cursor.fetchall()}


@functools.lru_cache(maxsize=16)
def _outstanding_sql(using: str, count: int) -> str:
    def col(name: str) -> str:
        return rows.column(Invoice, name, using)

    return (
        f"SELECT {col('customer')}, SUM({col('total_cents')} - {col('received_cents')})"  # noqa: S608
        f" FROM {rows.table(Invoice, using)} WHERE {col('customer')} IN ({rows.marks(count)})"
        f" AND NOT ({col('status')} = %s) GROUP BY {col('customer')}"
    )


def _store_outstanding(customer_ids: set[Any]) -> dict[Any, int]:
    """What ``_outstanding`` then ``rows.update`` store, as one statement (PostgreSQL):
    each customer's ``outstanding_cents`` set to its invoices' sum (0 without any) in
    the ``UPDATE`` itself, the values stored returned (``{customer id: cents}``): a
    round trip less for every invoice, payment and refund."""
    using = router.db_for_write(customer.Customer)
    connection = connections[using]
    pk: Any = customer.Customer._meta.pk
    params = ["VOID", *(pk.get_db_prep_value(one, connection) for one in customer_ids)]
    with connection.cursor() as cursor:
        cursor.execute(_store_outstanding_sql(using, len(customer_ids)), params)
        return {pk.to_python(one): int(cents) for one, cents in cursor.fetchall()}


def store_new(invoice: Invoice, party: customer.Customer) -> None:
    """``rows.insert([invoice])``, then ``refresh_customers([party.id], [party])``: on
    PostgreSQL one statement, the INSERT in the ``WITH`` of the balance's ``UPDATE``
    (which does not see the new row: the invoice's own share, what it asks unless void,
    is added to the sum), so a new invoice needs no transaction."""
    using = router.db_for_write(Invoice)
    if not rows.together(Invoice):
        rows.insert([invoice])
        refresh_customers([party.id], [party])
        return
    connection = connections[using]
    pk: Any = customer.Customer._meta.pk
    owed = 0 if invoice.status == "VOID" else invoice.total_cents - invoice.received_cents
    sql, params = rows.inserting([invoice], then=_store_outstanding_sql(using, 1, True))
    params += ["VOID", owed, pk.get_db_prep_value(party.pk, connection)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.fetchall()
    party.outstanding_cents = int(stored[0][1]) if stored else 0


@functools.lru_cache(maxsize=16)
def _store_outstanding_sql(using: str, count: int, plus: bool = False) -> str:
    def col(name: str, alias: str, model: Any = Invoice) -> str:
        return rows.column(model, name, using, alias)

    owed = f"SUM({col('total_cents', 'i')} - {col('received_cents', 'i')})"
    cents = col("outstanding_cents", "c", customer.Customer)
    pk = col("id", "c", customer.Customer)
    return (
        f"UPDATE {rows.table(customer.Customer, using)} c SET"  # noqa: S608 - our names
        f" {rows.column(customer.Customer, 'outstanding_cents', using)} = COALESCE(("
        f"SELECT {owed} FROM {rows.table(Invoice, using)} i"
        f" WHERE {col('customer', 'i')} = {pk} AND NOT ({col('status', 'i')} = %s)), 0)"
        f"{' + %s' if plus else ''}"
        f" WHERE {pk} IN ({rows.marks(count)}) RETURNING {pk}, {cents}"
    )


def _after(invoices: list[Any]) -> None:
    loaded = [i.customer for i in invoices if Invoice.customer.is_cached(i)]
    refresh_customers({invoice.customer_id for invoice in invoices}, loaded)


LEDGER = ledger.Settled(
    "invoice",
    Invoice,
    "customer",
    "received_cents",
    status,
    refunded="refunded_cents",
    after=_after,
)


def lock(business: Business, ids: Iterable[Any]) -> dict[str, Any]:
    return ledger.lock(LEDGER, business, ids)


def refresh(invoices: Iterable[Any], inserting: Sequence[Sequence[Any]] = ()) -> None:
    """``ledger.refresh`` (``inserting``: new rows stored with the sums, counted in them)."""
    ledger.refresh(LEDGER, invoices, inserting)


def outstanding_cents(invoice: Invoice) -> int:
    return ledger.outstanding(LEDGER, invoice)


def refundable_cents(invoice: Invoice) -> int:
    """What a new refund of ``invoice`` may take (the total minus earlier refunds)."""
    if invoice.voided_at is not None:
        return 0
    return max(0, invoice.total_cents - invoice.refunded_cents)


# --- Request bodies (CreateInvoiceRequest, UpdateInvoiceRequest) -----------------------------

LINE = {
    "quantity": Quantity(required=True),
    "unit_price": Cents(required=True, minimum=r.UNIT_PRICE_MIN),
    "external_id": Text(),
    "description": long_text(),
    "account_identifier": account(),
    "product": Text(),
    "discount_amount": Cents(minimum=0),
    "sales_taxes": many(SALES_TAX),
}

CREATE = Obj(
    {
        "external_id": external_id("invoice"),
        "sent_at": DateTime(required=True),
        "line_items": many(LINE, required=True),
        "due_at": DateTime(),
        "voided_at": DateTime(),
        "invoice_number": Text(),
        "invoice_type": Choice(r.INVOICE_TYPES),
        "customer_id": Uuid(),
        "customer_external_id": Text(),
        "memo": long_text(),
        "currency": Text(3),
        "additional_discount": Cents(minimum=0),
        "additional_sales_taxes": ListOf(Dict()),
        "additional_sales_taxes_total": Cents(minimum=0),
        "tips": Cents(minimum=0),
        "tips_account": account(),
        "transaction_tags": strings(),
        "metadata": Dict(),
        "document": Dict(),
    }
)


def _rules(create: bool) -> Any:
    def rules(c: Check) -> None:
        if create:
            c.one_of("customer_id", "customer_external_id")
        c.currency()
        c.total(totals.invoice)

    return rules


# --- Response ----------------------------------------------------------------------------------


def query() -> Any:
    return Invoice.objects.select_related("customer")


def render(i: Invoice) -> dict[str, Any]:
    d = i.data
    open_status = i.status in ("SENT", "PARTIALLY_PAID")
    return {
        "type": "Invoice",
        "id": str(i.id),
        "business_id": str(i.business_id),
        "external_id": i.external_id,
        "status": i.status,
        "sent_at": ts(i.sent_at),
        "due_at": ts(i.due_at),
        "paid_at": ts(i.paid_at),
        "voided_at": ts(i.voided_at),
        "is_overdue": bool(open_status and i.due_at and i.due_at < timezone.now()),
        "invoice_number": i.invoice_number,
        "invoice_type": d.get("invoice_type", "invoice"),
        "currency": i.currency,
        "customer_id": str(i.customer_id),
        "customer": customer.render(i.customer),
        "memo": d.get("memo", ""),
        "line_items": lines(i, totals.invoice_line),
        "additional_discount": d.get("additional_discount", 0),
        "additional_sales_taxes": d.get("additional_sales_taxes", []),
        "additional_sales_taxes_total": d.get("additional_sales_taxes_total", 0),
        "tips": d.get("tips", 0),
        "tips_account": d.get("tips_account"),
        "transaction_tags": d.get("transaction_tags", []),
        "metadata": d.get("metadata", {}),
        "total_amount": i.total_cents,
        "total_amount_cents": i.total_cents,
        "amount_paid_cents": i.received_cents,
        "outstanding_amount_cents": outstanding_cents(i),
        "refunded_amount_cents": i.refunded_cents,
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
    }


# --- Writes ------------------------------------------------------------------------------------

DOCUMENT = documents.Document(
    resource="invoice",
    settled=LEDGER,
    party=customer.PARTY,
    total=totals.invoice,
    columns=("invoice_number", "sent_at", "due_at", "voided_at"),
    put_columns=("invoice_number", "sent_at", "due_at"),  # voiding is its own call
    moves=lambda doc, cleaned: (
        cleaned.get("customer_id", str(doc.customer_id)) != str(doc.customer_id)
    ),
    currency=lambda business, cleaned: business.base_currency,
    query=query,
    render=render,
    body_required=True,  # documented as required (the bill PUT's is optional)
    parties_changed=refresh_customers,
    store_new=store_new,
    render_new=render,  # no allocations rendered
)


def void(v: SandboxAPIView, object_id: str) -> Response:
    invoice = v.get_owned(Invoice.objects, object_id, "invoice")
    v.log.external_id = invoice.external_id or ""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(id=invoice.id)
        if invoice.voided_at is not None:
            raise conflict(r.ERROR_INVOICE_ALREADY_VOIDED, "The invoice is already voided.")
        if invoice.received_cents and r.VOID_REFUSED_WITH_PAYMENTS:
            raise conflict(
                r.ERROR_INVOICE_HAS_PAYMENTS,
                "The invoice has payments allocated; cancel them before voiding.",
            )
        if invoice.refunded_cents and r.VOID_REFUSED_WITH_PAYMENTS:
            raise conflict(
                r.ERROR_INVOICE_HAS_REFUNDS,
                "The invoice has refunds; its revenue is already (partly) reversed.",
            )
        invoice.voided_at = timezone.now()
        invoice.status = status(invoice)
        invoice.paid_at = None
        invoice.updated_at = invoice.voided_at
        invoice.save()
        refresh_customers([invoice.customer_id])
    return Response(render(query().get(id=invoice.id)))


def _status(queryset: Any, value: str) -> Any:
    wanted = value.upper()  # "unpaid" (the pagination guide's example): sent or part-paid
    return queryset.filter(
        status__in=["SENT", "PARTIALLY_PAID"] if wanted == "UNPAID" else [wanted]
    )


KIND = Kind(
    "invoice",
    model=Invoice,
    query=query,
    render=render,
    bodies={
        "create": Body(CREATE, _rules(create=True)),
        "update": Body(CREATE.optional(), _rules(create=False)),
    },
    filters=(
        f.ids("customer_id"),
        f.exact("customer_external_id", "customer__external_id"),
        f.at_least("due_at_start", "due_at", "datetime"),
        f.at_most("due_at_end", "due_at", "datetime"),
        f.at_least("min_amount", "total_cents"),
        f.at_most("max_amount", "total_cents"),
        f.Filter("status", param, _status),
    ),
    create=partial(documents.create, DOCUMENT),
    update=("put", partial(documents.update, DOCUMENT)),
    actions={"void": void},
    feeds=lambda obj: ledger.refresh_existing(LEDGER, [obj.pk]),
    total=totals.invoice,
)
