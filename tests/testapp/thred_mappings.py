"""How the test host's models map to Thred: one mapping per model."""

from datetime import UTC, datetime

from thred_django import mappings

from . import models as m

FIXED_TIME = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


@mappings.register(m.Shop)
class ShopMapping(mappings.BusinessMapping):
    def build_payload(self, obj, ctx):
        return {
            "legal_name": obj.name,
            "entity_type": "limited",
            "email": obj.email,
            "country": obj.country,
            "base_currency": obj.currency,
        }


@mappings.register(m.Client)
class ClientMapping(mappings.Mapping):
    resource = "customer"
    business = "shop"

    def is_active(self, obj):
        return not obj.archived

    def build_payload(self, obj, ctx):
        payload = {"company_name": obj.name}
        if obj.email:
            payload["email"] = obj.email
        return payload


@mappings.register(m.Supplier)
class SupplierMapping(mappings.Mapping):
    resource = "vendor"
    business = "shop"

    def is_active(self, obj):
        return obj.active

    def build_payload(self, obj, ctx):
        return {"company_name": obj.name}


@mappings.register(m.Sale)
class SaleMapping(mappings.Mapping):
    resource = "invoice"
    business = "shop"
    touched_by = {"testapp.SaleLine": "sale"}

    def should_sync(self, obj):
        return obj.status != "draft"

    def is_active(self, obj):
        return obj.status != "void"

    def build_payload(self, obj, ctx):
        lines = [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price_cents,
            }
            for line in obj.lines.order_by("pk")
        ] or [
            {
                "description": f"Sale {obj.number}",
                "quantity": obj.quantity,
                "unit_price": obj.amount_cents,
            }
        ]
        return {
            "customer_id": ctx.thred_id(obj.client),
            "invoice_number": obj.number,
            "sent_at": obj.issued_at or FIXED_TIME,
            "line_items": lines,
        }


@mappings.register(m.Receipt)
class ReceiptMapping(mappings.Mapping):
    resource = "payment"
    business = "shop"

    def is_active(self, obj):
        return not obj.cancelled

    def build_payload(self, obj, ctx):
        return {
            "customer_id": ctx.thred_id(obj.sale.client),
            "total_amount_cents": obj.amount_cents,
            "currency": obj.currency,
            "payment_method": obj.method,
            "status": obj.status,
            "payment_date": obj.paid_on or FIXED_TIME.date(),
            "allocations": [
                {"invoice_id": ctx.thred_id(obj.sale), "amount_cents": obj.amount_cents}
            ],
        }


@mappings.register(m.Refund)
class RefundMapping(mappings.Mapping):
    resource = "refund"
    business = "shop"

    def build_payload(self, obj, ctx):
        return {
            "invoice_id": ctx.thred_id(obj.sale),
            "amount_cents": obj.amount_cents,
            "method": "BANK_TRANSFER",
            "completed_at": FIXED_TIME,
        }


@mappings.register(m.RefundPayout)
class RefundPayoutMapping(mappings.Mapping):
    resource = "refund_payment"
    business = "refund__shop"

    def build_payload(self, obj, ctx):
        return {
            "refund_id": ctx.thred_id(obj.refund),
            "amount_cents": obj.amount_cents,
            "method": "BANK_TRANSFER",
            "completed_at": FIXED_TIME,
        }


@mappings.register(m.Settlement)
class SettlementMapping(mappings.Mapping):
    resource = "payout"
    business = "shop"

    def build_payload(self, obj, ctx):
        return {
            "processor": "stripe",
            "paid_out_amount_cents": obj.amount_cents,
            "fee_cents": obj.fee_cents,
            "currency": obj.shop.currency,
            "status": "paid",
            "completed_at": FIXED_TIME,
            "payment_ids": [ctx.thred_id(r) for r in obj.receipts.order_by("pk")],
        }


@mappings.register(m.PurchaseBill)
class PurchaseBillMapping(mappings.Mapping):
    resource = "bill"
    business = "shop"

    def is_active(self, obj):
        return obj.status != "void"

    def build_payload(self, obj, ctx):
        return {
            "vendor_id": ctx.thred_id(obj.supplier),
            "bill_number": obj.number,
            "bill_date": FIXED_TIME.date(),
            "currency": obj.shop.currency,
            "line_items": [
                {"description": "Supplies", "quantity": 1, "unit_price": obj.amount_cents}
            ],
        }


@mappings.register(m.BillPayment)
class BillPaymentMapping(mappings.Mapping):
    resource = "bill_payment"
    business = "shop"

    def is_active(self, obj):
        return not obj.voided

    def build_payload(self, obj, ctx):
        payload = {
            "vendor_id": ctx.thred_id(obj.bill.supplier),
            "amount_cents": obj.amount_cents,
            "currency": obj.bill.shop.currency,
            "payment_method": obj.method,
            "payment_date": FIXED_TIME.date(),
            "allocations": [{"bill_id": ctx.thred_id(obj.bill), "amount_cents": obj.amount_cents}],
        }
        if obj.check_number:
            payload["check_number"] = obj.check_number
        if obj.status:
            payload["status"] = obj.status
        return payload


@mappings.register(m.SupplierCredit)
class SupplierCreditMapping(mappings.Mapping):
    resource = "vendor_credit"
    business = "shop"

    def build_payload(self, obj, ctx):
        return {
            "vendor_id": ctx.thred_id(obj.supplier),
            "currency": obj.shop.currency,
            "received_at": FIXED_TIME,
            "line_items": [{"amount": obj.amount_cents, "memo": "Credit"}],
        }
