"""One description per Thred resource: what the generic views need to serve it.

``Kind`` says how to load and render the resource (``query``, ``render``), which list
filters it has and how its lists are ordered, which token it takes, and its writes:
``create``, ``update`` (``"put"`` or ``"patch"``) and named ``actions`` (void, cancel,
archive, unarchive). ``views.generic`` serves every resource from these; ``urls`` maps
the documented paths onto them. Adding a resource: its model, its renderer, its writes
and one ``Kind`` here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db.models import F, Model, Sum
from django.db.models.functions import Coalesce
from rest_framework.request import Request

from thred_django.sandbox import filters as f
from thred_django.sandbox import models as m
from thred_django.sandbox import queries, readings
from thred_django.sandbox import render as r
from thred_django.sandbox.errors import field_error
from thred_django.sandbox.pagination import param
from thred_django.sandbox.writes import (
    businesses,
    credits,
    documents,
    parties,
    payouts,
    refunds,
    settlements,
)

if TYPE_CHECKING:
    from thred_django.sandbox.views.base import SandboxAPIView

Write = Callable[..., Any]  # (view, *path ids) -> Response
NEWEST = ("-created_at", "id")


@dataclass(frozen=True)
class Kind:
    name: str
    query: Callable[[], Any]  # loads what ``render`` reads
    render: Callable[[Any], dict[str, Any]]
    filters: tuple[f.Filter, ...] = ()
    order: Callable[[Request], tuple[str, ...]] = lambda request: NEWEST
    auth: str = "business"  # see sandbox.auth
    create: Write | None = None
    update: tuple[str, Write] | None = None  # ("put" | "patch", write)
    actions: dict[str, Write] = field(default_factory=dict)
    create_action: str = "create"  # the request log's name of a create (payouts: upsert)
    get: Callable[..., Any] | None = None  # (view, id) -> object; default: in ``scope``
    summed: str | None = None  # the amount ``summary`` totals (None: counted only)

    @property
    def model(self) -> type[Model]:
        model: type[Model] = self.query().model
        return model


def _archived(archived: Any) -> f.Filter:
    """Archived counterparties only with ``include_archived=true``."""

    def narrow(queryset: Any, include: bool) -> Any:
        return queryset if include else queryset.exclude(**archived)

    return f.flag("include_archived", narrow, default=False)


def _counterparty_filters(archived: dict[str, Any]) -> tuple[f.Filter, ...]:
    return (
        f.exact("external_id"),
        f.contains("external_id_contains", "external_id"),
        f.any_of("name", ("company_name", "individual_name"), suffix=""),
        f.any_of("name_contains", ("company_name", "individual_name")),
        _archived(archived),
    )


def _invoice_status(queryset: Any, value: str) -> Any:
    wanted = value.upper()  # "unpaid" (the pagination guide's example): sent or part-paid
    return queryset.filter(
        status__in=["SENT", "PARTIALLY_PAID"] if wanted == "UNPAID" else [wanted]
    )


def _fully_allocated(queryset: Any, fully: bool) -> Any:
    allocated = queryset.annotate(_allocated=Coalesce(Sum("allocations__amount_cents"), 0))
    lookup = "_allocated__gte" if fully else "_allocated__lt"
    return allocated.filter(**{lookup: F("total_amount_cents")})


_PAYMENT_SORTS = {
    "payment_date": "payment_date",
    "amount": "total_amount_cents",
    "created_at": "created_at",
}


def _payment_order(request: Request) -> tuple[str, ...]:
    sort = _PAYMENT_SORTS.get(param(request, "sort_by") or "payment_date")
    if sort is None:
        raise field_error("sort_by", f"Must be one of: {', '.join(_PAYMENT_SORTS)}.")
    order = (param(request, "order") or "desc").lower()
    if order not in ("asc", "desc"):
        raise field_error("order", "Must be asc or desc.")
    prefix = "-" if order == "desc" else ""
    return (f"{prefix}{sort}", f"{prefix}created_at", "id")


def _business(view: SandboxAPIView, business_id: str) -> m.Business:
    business = view.load_business(business_id)
    view.log.business_id = business.id
    return business


def _settle(write: Callable[..., Any], settlement: settlements.Settlement) -> Write:
    return partial(write, settlement)


KINDS: dict[str, Kind] = {
    "business": Kind(
        "business",
        query=m.Business.objects.all,
        render=r.business,
        filters=(
            f.iexact("country"),
            f.iexact("entity_type"),
            f.flag("is_archived", lambda qs, value: qs.filter(is_archived=value)),
        ),
        auth="partner",
        get=_business,
        create=businesses.create,
        update=("patch", businesses.update),
    ),
    "customer": Kind(
        "customer",
        query=m.Customer.objects.all,
        render=r.customer,
        filters=_counterparty_filters({"is_archived": True}),
        create=partial(parties.create, "customer", m.Customer),
        actions={"archive": parties.ARCHIVE_CUSTOMER, "unarchive": parties.UNARCHIVE_CUSTOMER},
    ),
    "vendor": Kind(
        "vendor",
        query=m.Vendor.objects.all,
        render=r.vendor,
        filters=_counterparty_filters({"status": "ARCHIVED"}),
        create=partial(parties.create, "vendor", m.Vendor),
        actions={"unarchive": parties.UNARCHIVE_VENDOR},
    ),
    "invoice": Kind(
        "invoice",
        query=queries.invoices,
        render=r.invoice,
        filters=(
            f.ids("customer_id"),
            f.exact("customer_external_id", "customer__external_id"),
            f.at_least("due_at_start", "due_at", "datetime"),
            f.at_most("due_at_end", "due_at", "datetime"),
            f.at_least("min_amount", "total_cents"),
            f.at_most("max_amount", "total_cents"),
            f.Filter("status", param, _invoice_status),
        ),
        create=partial(documents.create, documents.INVOICE),
        update=("put", partial(documents.update, documents.INVOICE)),
        actions={"void": documents.void},
    ),
    "payment": Kind(
        "payment",
        query=queries.payments,
        render=r.payment_detail,
        filters=(
            f.ids("customer_id"),
            f.ids("invoice_id", "allocations__invoice_id", distinct=True),
            f.at_least("date_from", "payment_date", "datetime", to_date=True),
            f.at_most("date_to", "payment_date", "datetime", to_date=True),
            f.at_least("min_amount", "total_amount_cents"),
            f.at_most("max_amount", "total_amount_cents"),
            f.exact("status"),
            f.exact("payment_method"),
            f.exact("payment_processor"),
            f.flag("fully_allocated", _fully_allocated),
            f.search(
                "external_id",
                *(f"data__{key}" for key in ("payment_reference", "processor_reference")),
                *(f"data__{key}" for key in ("bank_reference", "note", "notes")),
                "customer__company_name",
                "customer__individual_name",
            ),
        ),
        order=_payment_order,
        summed="total_amount_cents",
        create=_settle(settlements.create, settlements.PAYMENT),
        update=("patch", _settle(settlements.update, settlements.PAYMENT)),
        actions={"cancel": _settle(settlements.cancel, settlements.PAYMENT)},
    ),
    "payout": Kind(
        "payout",
        query=queries.payouts,
        render=r.payout,
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
        create=payouts.upsert,
        create_action="upsert",
    ),
    "refund": Kind(
        "refund",
        query=queries.refunds,
        render=r.refund,
        filters=(f.ids("invoice_id"), f.ids("customer_id"), f.exact("status", fold=str.lower)),
        summed="amount_cents",
        create=refunds.create_refund,
    ),
    "refund_payment": Kind(
        "refund_payment",
        query=m.RefundPayment.objects.all,
        render=r.refund_payment,
        summed="amount_cents",
        create=refunds.create_refund_payment,
    ),
    "bill": Kind(
        "bill",
        query=queries.bills,
        render=r.bill,
        filters=(f.ids("vendor_id"), f.exact("status", fold=str.upper)),
        create=partial(documents.create, documents.BILL),
        update=("put", partial(documents.update, documents.BILL)),
    ),
    "bill_payment": Kind(
        "bill_payment",
        query=queries.bill_payments,
        render=r.bill_payment,
        filters=(
            f.ids("vendor_id"),
            f.ids("bill_id", "allocations__bill_id", distinct=True),
            f.choice("status", readings.BILL_PAYMENT_FILTER_STATUSES),
            f.exact("payment_method"),
            f.at_least("payment_date_start", "payment_date", "date"),
            f.at_most("payment_date_end", "payment_date", "date"),
            f.search("check_number", "data__payment_reference", "data__processor_payment_id"),
        ),
        order=lambda request: ("-payment_date", "-created_at", "id"),
        auth="business_only",
        summed="amount_cents",
        create=_settle(settlements.create, settlements.BILL_PAYMENT),
        update=("patch", _settle(settlements.update, settlements.BILL_PAYMENT)),
        actions={"cancel": _settle(settlements.cancel, settlements.BILL_PAYMENT)},
    ),
    "vendor_credit": Kind(
        "vendor_credit",
        query=queries.vendor_credits,
        render=r.vendor_credit,
        filters=(f.ids("vendor_id"), f.exact("status", fold=str.lower)),
        create=credits.create,
    ),
}


def scope(view: SandboxAPIView, kind: Kind, parents: dict[str, str]) -> Any:
    """The objects a request may see: its business's (its partner's active businesses;
    a refund's payments under that refund)."""
    if kind.name == "business":
        return kind.query().filter(partner_id=view.principal.partner_id, is_active=True)
    queryset = kind.query().filter(business=view.business)
    if "refund_id" in parents:
        refund = view.get_owned(m.Refund.objects, parents["refund_id"], "refund")
        queryset = queryset.filter(refund=refund)
    return queryset
