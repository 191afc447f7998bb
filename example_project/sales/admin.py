"""Admin of the sales platform; every mapped model shows its Thred sync state.

``ThredSyncAdminMixin`` (from ``thred_django.admin``) adds the Thred status column and
filter, a "Sync to Thred" action, and the record's sync panel on the change form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from thred_django.admin import ThredSyncAdminMixin

from . import models as m
from .money import format_cents


class MerchantScopedAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    """Common list settings for records that belong to a merchant."""

    list_filter: Any = ("merchant",)
    list_select_related = ("merchant",)
    list_per_page = 50


@admin.register(m.Merchant)
class MerchantAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    list_display = ("name", "legal_name", "legal_form", "country", "currency", "joined_on")
    list_filter = ("country", "currency")
    search_fields = ("name", "legal_name", "email")


@admin.register(m.Customer)
class CustomerAdmin(MerchantScopedAdmin):
    list_display = ("number", "name", "is_company", "email", "city", "merchant")
    search_fields = ("number", "name", "email")


@admin.register(m.Vendor)
class VendorAdmin(MerchantScopedAdmin):
    list_display = ("name", "email", "country", "merchant")
    search_fields = ("name", "email", "vat_number")


class InvoiceLineInline(admin.TabularInline):
    model = m.InvoiceLine
    extra = 0


@admin.register(m.Invoice)
class InvoiceAdmin(MerchantScopedAdmin):
    list_display = ("number", "customer", "status", "issued_at", "total", "merchant")
    list_filter = ("merchant", "status")
    list_select_related = ("merchant", "customer")
    search_fields = ("number", "customer__name")
    date_hierarchy = "issued_at"
    inlines = [InvoiceLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines")

    @admin.display(description="Total")
    def total(self, obj: m.Invoice) -> str:
        return format_cents(obj.total_cents, obj.merchant.currency)


@admin.register(m.Payment)
class PaymentAdmin(MerchantScopedAdmin):
    list_display = ("__str__", "invoice", "method", "received_on", "amount", "payout", "merchant")
    list_filter = ("merchant", "method")
    list_select_related = ("merchant", "invoice", "payout")
    search_fields = ("reference", "invoice__number")
    raw_id_fields = ("invoice", "payout")

    @admin.display(description="Amount")
    def amount(self, obj: m.Payment) -> str:
        return format_cents(obj.amount_cents, obj.merchant.currency)


class RefundPaymentInline(admin.TabularInline):
    model = m.RefundPayment
    extra = 0
    raw_id_fields = ("payout",)


@admin.register(m.Refund)
class RefundAdmin(MerchantScopedAdmin):
    list_display = ("__str__", "invoice", "method", "refunded_at", "amount", "merchant")
    list_filter = ("merchant", "method")
    list_select_related = ("merchant", "invoice")
    raw_id_fields = ("invoice",)
    inlines = [RefundPaymentInline]

    @admin.display(description="Amount")
    def amount(self, obj: m.Refund) -> str:
        return format_cents(obj.amount_cents, obj.merchant.currency)


@admin.register(m.RefundPayment)
class RefundPaymentAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "refund", "paid_at", "amount_cents", "payout")
    list_filter = ("refund__merchant",)
    list_select_related = ("refund", "payout")
    raw_id_fields = ("refund", "payout")


@admin.register(m.Payout)
class PayoutAdmin(MerchantScopedAdmin):
    list_display = ("processor_payout_id", "arrived_at", "gross", "fee", "paid_out", "merchant")
    search_fields = ("processor_payout_id",)

    @admin.display(description="Gross")
    def gross(self, obj: m.Payout) -> str:
        return format_cents(obj.gross_cents, obj.merchant.currency)

    @admin.display(description="Fees")
    def fee(self, obj: m.Payout) -> str:
        return format_cents(obj.fee_cents, obj.merchant.currency)

    @admin.display(description="Paid out")
    def paid_out(self, obj: m.Payout) -> str:
        return format_cents(obj.paid_out_amount_cents, obj.merchant.currency)


class BillLineInline(admin.TabularInline):
    model = m.BillLine
    extra = 0


@admin.register(m.Bill)
class BillAdmin(MerchantScopedAdmin):
    list_display = ("number", "vendor", "bill_date", "due_on", "total", "merchant")
    list_select_related = ("merchant", "vendor")
    search_fields = ("number", "vendor_reference", "vendor__name")
    inlines = [BillLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines")

    @admin.display(description="Total")
    def total(self, obj: m.Bill) -> str:
        return format_cents(obj.total_cents, obj.merchant.currency)


@admin.register(m.BillPayment)
class BillPaymentAdmin(MerchantScopedAdmin):
    list_display = ("__str__", "bill", "method", "paid_on", "amount", "merchant")
    list_filter = ("merchant", "method")
    list_select_related = ("merchant", "bill")
    raw_id_fields = ("bill",)

    @admin.display(description="Amount")
    def amount(self, obj: m.BillPayment) -> str:
        return format_cents(obj.amount_cents, obj.merchant.currency)


class VendorCreditLineInline(admin.TabularInline):
    model = m.VendorCreditLine
    extra = 0


@admin.register(m.VendorCredit)
class VendorCreditAdmin(MerchantScopedAdmin):
    list_display = ("number", "vendor", "bill", "received_at", "merchant")
    list_select_related = ("merchant", "vendor", "bill")
    raw_id_fields = ("bill",)
    inlines = [VendorCreditLineInline]
