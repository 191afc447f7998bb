"""The platform's models, one module per area."""

from .merchants import Merchant
from .payables import Bill, BillLine, BillPayment, Vendor, VendorCredit, VendorCreditLine
from .payouts import Payout
from .receivables import Customer, Invoice, InvoiceLine, Payment, Refund, RefundPayment

__all__ = [
    "Bill",
    "BillLine",
    "BillPayment",
    "Customer",
    "Invoice",
    "InvoiceLine",
    "Merchant",
    "Payment",
    "Payout",
    "Refund",
    "RefundPayment",
    "Vendor",
    "VendorCredit",
    "VendorCreditLine",
]
