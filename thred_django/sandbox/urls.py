"""URLs of the sandbox; mount anywhere, e.g. ``path("thred-sandbox/", include(...))``.

Paths below the mount point are exactly the documented ones (``v1/platform/…/`` with
trailing slashes), plus the control endpoint under ``_control/``. Anything else
answers a JSON 404.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from thred_django.sandbox import control, readings
from thred_django.sandbox.errors import error_body
from thred_django.sandbox.views import (
    bill_payments,
    bills,
    businesses,
    counterparties,
    invoices,
    payments,
    payouts,
    refunds,
    tokens,
    vendor_credits,
)

app_name = "thred_sandbox"

B = "v1/platform/businesses/<str:business_id>/"


@csrf_exempt  # a POST to an unknown path must get the JSON 404, not a CSRF page
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body(readings.ERROR_NOT_FOUND, "Not found."), status=404)


urlpatterns: list[URLPattern] = [
    path("v1/platform/oauth2/token/", tokens.PartnerTokenView.as_view(), name="token"),
    path(
        "v1/platform/<str:business_id>/oauth2/token/",
        tokens.BusinessTokenView.as_view(),
        name="business-token",
    ),
    path("v1/platform/businesses/", businesses.BusinessListView.as_view(), name="businesses"),
    path(B, businesses.BusinessDetailView.as_view(), name="business"),
    # Customers and vendors
    path(f"{B}customers/", counterparties.CustomerListView.as_view(), name="customers"),
    path(
        f"{B}customers/<str:customer_id>/",
        counterparties.CustomerDetailView.as_view(),
        name="customer",
    ),
    path(
        f"{B}customers/<str:customer_id>/archive/",
        counterparties.CustomerArchiveView.as_view(),
        name="customer-archive",
    ),
    path(
        f"{B}customers/<str:customer_id>/unarchive/",
        counterparties.CustomerUnarchiveView.as_view(),
        name="customer-unarchive",
    ),
    path(f"{B}vendors/", counterparties.VendorListView.as_view(), name="vendors"),
    path(f"{B}vendors/<str:vendor_id>/", counterparties.VendorDetailView.as_view(), name="vendor"),
    path(
        f"{B}vendors/<str:vendor_id>/unarchive/",
        counterparties.VendorUnarchiveView.as_view(),
        name="vendor-unarchive",
    ),
    # Invoice payments and refunds come before invoices/<invoice_id>/.
    path(f"{B}invoices/payments/", payments.PaymentListView.as_view(), name="payments"),
    path(
        f"{B}invoices/payments/<str:payment_id>/",
        payments.PaymentDetailView.as_view(),
        name="payment",
    ),
    path(
        f"{B}invoices/payments/<str:payment_id>/delete/",
        payments.PaymentCancelView.as_view(),
        name="payment-cancel",
    ),
    path(f"{B}invoices/refunds/", refunds.RefundListView.as_view(), name="refunds"),
    path(
        f"{B}invoices/refunds/<str:refund_id>/", refunds.RefundDetailView.as_view(), name="refund"
    ),
    path(
        f"{B}invoices/refunds/<str:refund_id>/payments/",
        refunds.RefundPaymentListView.as_view(),
        name="refund-payments",
    ),
    path(
        f"{B}invoices/refunds/<str:refund_id>/payments/<str:payment_id>/",
        refunds.RefundPaymentDetailView.as_view(),
        name="refund-payment",
    ),
    path(f"{B}invoices/", invoices.InvoiceListView.as_view(), name="invoices"),
    path(f"{B}invoices/<str:invoice_id>/", invoices.InvoiceDetailView.as_view(), name="invoice"),
    path(
        f"{B}invoices/<str:invoice_id>/void/",
        invoices.InvoiceVoidView.as_view(),
        name="invoice-void",
    ),
    # Payouts
    path(f"{B}payouts/", payouts.PayoutListView.as_view(), name="payouts"),
    path(f"{B}payouts/<str:payout_id>/", payouts.PayoutDetailView.as_view(), name="payout"),
    # Bill payments come before bills/<bill_id>/.
    path(f"{B}bills/payments/", bill_payments.BillPaymentListView.as_view(), name="bill-payments"),
    path(
        f"{B}bills/payments/<str:bill_payment_id>/",
        bill_payments.BillPaymentDetailView.as_view(),
        name="bill-payment",
    ),
    path(
        f"{B}bills/payments/<str:bill_payment_id>/delete/",
        bill_payments.BillPaymentCancelView.as_view(),
        name="bill-payment-cancel",
    ),
    path(f"{B}bills/", bills.BillListView.as_view(), name="bills"),
    path(f"{B}bills/<str:bill_id>/", bills.BillDetailView.as_view(), name="bill"),
    # Vendor credits
    path(
        f"{B}vendor-credits/",
        vendor_credits.VendorCreditListView.as_view(),
        name="vendor-credits",
    ),
    path(
        f"{B}vendor-credits/<str:credit_id>/",
        vendor_credits.VendorCreditDetailView.as_view(),
        name="vendor-credit",
    ),
    # Control endpoint (404 unless THRED_SANDBOX["CONTROL_ENABLED"])
    path("_control/faults/", control.FaultsControlView.as_view(), name="control-faults"),
    path("_control/reset/", control.ResetControlView.as_view(), name="control-reset"),
    path("_control/summary/", control.SummaryControlView.as_view(), name="control-summary"),
    path("_control/requests/", control.RequestLogControlView.as_view(), name="control-requests"),
    path("_control/tamper/", control.TamperControlView.as_view(), name="control-tamper"),
    re_path(r"^.*$", not_found),
]
