"""How the ledger app maps to Thred. One Invoice row feeds two Thred resources: the
invoice, and — once ``amount_paid``/``paid_at`` say it was paid — a payment.

Money is Decimal in major units (``to_minor`` by the organisation's currency); document
dates are ``DateField``s sent in Thred's date-time fields (midnight in the
organisation's time zone, ``get_timezone``); a ``void`` status voids the invoice (and
cancels its payment) in Thred (``is_active``); lines are child rows (``touched_by``).

Not named ``thred_mappings``: the test suite's main host maps its own tenant, so these
are registered by the ledger tests only (``install``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from thred_django import mappings
from thred_django.money import to_minor

from . import models as m


class OrganisationMapping(mappings.BusinessMapping):
    def get_timezone(self, obj: m.Organisation) -> ZoneInfo:
        return ZoneInfo(obj.timezone)

    def build_payload(self, obj: m.Organisation, ctx: Any) -> dict[str, Any]:
        return {
            "legal_name": obj.name,
            "entity_type": "limited",
            "email": obj.email,
            "country": obj.country,
            "base_currency": obj.currency,
        }


class CustomerMapping(mappings.Mapping):
    resource = "customer"
    business = "organisation"

    def build_payload(self, obj: m.Customer, ctx: Any) -> dict[str, Any]:
        payload = {"company_name": obj.name}
        if obj.email:
            payload["email"] = obj.email
        return payload


class _OnInvoice(mappings.Mapping):
    business = "organisation"

    def get_queryset(self) -> Any:
        return m.Invoice.objects.select_related("organisation", "customer").prefetch_related(
            "lines"
        )

    def get_timezone(self, obj: m.Invoice) -> ZoneInfo:
        return ZoneInfo(obj.organisation.timezone)

    def is_active(self, obj: m.Invoice) -> bool:
        return obj.status != m.Invoice.Status.VOID


class InvoiceMapping(_OnInvoice):
    resource = "invoice"
    touched_by = {"ledgerhost.InvoiceLine": "invoice"}

    def should_sync(self, obj: m.Invoice) -> bool:
        return obj.status != m.Invoice.Status.DRAFT

    def build_payload(self, obj: m.Invoice, ctx: Any) -> dict[str, Any]:
        currency = obj.organisation.currency
        return {
            "customer_id": ctx.thred_id(obj.customer),
            "invoice_number": obj.number,
            "sent_at": obj.issued_on,
            "due_at": obj.due_on,
            "line_items": [
                {
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": to_minor(
                        line.unit_price, currency, field=f"line {line.position} unit_price"
                    ),
                }
                for line in obj.lines.all()
            ],
        }


class InvoicePaymentMapping(_OnInvoice):
    """The payment kept on the invoice row: sent once the row says it was paid."""

    resource = "payment"

    def should_sync(self, obj: m.Invoice) -> bool:
        return obj.paid_at is not None and obj.amount_paid > 0

    def build_payload(self, obj: m.Invoice, ctx: Any) -> dict[str, Any]:
        currency = obj.organisation.currency
        amount = to_minor(obj.amount_paid, currency, field="amount_paid")
        paid_on = timezone.localtime(obj.paid_at, self.get_timezone(obj)).date()
        return {
            "customer_id": ctx.thred_id(obj.customer),
            "total_amount_cents": amount,
            "currency": currency,
            "payment_date": paid_on,
            "payment_method": "bank_transfer",
            "status": "completed" if obj.payment_cleared else "pending",
            "allocations": [
                # The same row's invoice: name the resource, the row feeds two.
                {"invoice_id": ctx.thred_id(obj, resource="invoice"), "amount_cents": amount}
            ],
        }


MAPPINGS: list[tuple[type, type[mappings.Mapping]]] = [
    (m.Organisation, OrganisationMapping),
    (m.Customer, CustomerMapping),
    (m.Invoice, InvoiceMapping),
    (m.Invoice, InvoicePaymentMapping),
]


def install(registry: mappings.Registry = mappings.registry) -> None:
    for model, mapping_class in MAPPINGS:
        registry.register(model, mapping_class)
