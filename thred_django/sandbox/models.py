"""Database state of the Thred sandbox.

Every Thred object is a row with the columns the sandbox filters, constrains or
computes on, plus ``data``: the documented request fields exactly as the client sent
them, echoed back in responses. Ids are UUIDs (rendered lower-case). ``external_id``
is unique per business and resource (per partner for businesses) through database
constraints, so concurrent duplicate creates cannot produce two objects. Denormalised
balances (``received_cents``, ``paid_cents`` …) are recomputed by ``ledger`` inside the
write transaction that changes them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class SandboxObject(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Business(SandboxObject):
    partner_id = models.CharField(max_length=64, db_index=True)
    external_id = models.CharField(max_length=255)
    legal_name = models.CharField(max_length=255)
    entity_type = models.CharField(max_length=255)
    email = models.CharField(max_length=255)
    country = models.CharField(max_length=2)
    base_currency = models.CharField(max_length=3)
    accounting_method = models.CharField(max_length=20, default="accrual")
    is_active = models.BooleanField(default=True)
    is_archived = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner_id", "external_id"], name="thred_sandbox_business_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.external_id})"


class BusinessObject(SandboxObject):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    # NULL (not "") when absent, so the conditional unique constraint ignores it.
    external_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["business", "external_id"],
                condition=Q(external_id__isnull=False),
                name="%(app_label)s_%(class)s_external_id",
            )
        ]


class Customer(BusinessObject):
    individual_name = models.CharField(max_length=255, blank=True, default="")
    company_name = models.CharField(max_length=255, blank=True, default="")
    email = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, default="active")
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    outstanding_cents = models.BigIntegerField(default=0)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return self.company_name or self.individual_name or str(self.external_id or self.id)


class Vendor(BusinessObject):
    individual_name = models.CharField(max_length=255, blank=True, default="")
    company_name = models.CharField(max_length=255, blank=True, default="")
    email = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, default="ACTIVE")

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return self.company_name or self.individual_name or str(self.external_id or self.id)


class Invoice(BusinessObject):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invoices")
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


class Payment(BusinessObject):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="payments")
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    total_amount_cents = models.BigIntegerField()
    processing_fee_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, db_index=True)
    payment_date = models.DateField()
    payment_method = models.CharField(max_length=20, blank=True, default="")
    payment_processor = models.CharField(max_length=100, blank=True, default="")
    payout = models.ForeignKey(
        Payout, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    completed_at = models.DateTimeField(null=True)
    failed_at = models.DateTimeField(null=True)
    cancelled_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Payment {self.external_id or self.id}"


class PaymentAllocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allocations")
    amount_cents = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.amount_cents} to invoice {self.invoice_id}"


class Refund(BusinessObject):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="refunds")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="refunds")
    amount_cents = models.BigIntegerField()
    paid_cents = models.BigIntegerField(default=0)
    status = models.CharField(max_length=20, default="pending", db_index=True)
    method = models.CharField(max_length=30)
    completed_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Refund {self.external_id or self.id}"


class RefundPayment(BusinessObject):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="payments")
    amount_cents = models.BigIntegerField()
    method = models.CharField(max_length=30)
    completed_at = models.DateTimeField(null=True)
    payout = models.ForeignKey(
        Payout, on_delete=models.SET_NULL, null=True, blank=True, related_name="refund_payments"
    )

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Refund payment {self.external_id or self.id}"


class Bill(BusinessObject):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="bills")
    bill_number = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, default="OPEN", db_index=True)
    currency = models.CharField(max_length=3)
    total_cents = models.BigIntegerField(default=0)
    paid_cents = models.BigIntegerField(default=0)
    due_at = models.DateTimeField(null=True)
    paid_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Bill {self.bill_number or self.external_id or self.id}"


class BillPayment(BusinessObject):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="bill_payments")
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    amount_cents = models.BigIntegerField()
    processing_fee_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, db_index=True)
    payment_method = models.CharField(max_length=20)
    payment_date = models.DateField()
    check_number = models.CharField(max_length=50, blank=True, default="")
    completed_at = models.DateTimeField(null=True)
    failed_at = models.DateTimeField(null=True)
    cancelled_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Bill payment {self.external_id or self.id}"


class BillPaymentAllocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bill_payment = models.ForeignKey(
        BillPayment, on_delete=models.CASCADE, related_name="allocations"
    )
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="payment_allocations")
    amount_cents = models.BigIntegerField()
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.amount_cents} to bill {self.bill_id}"


class VendorCredit(BusinessObject):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="credits")
    total_cents = models.BigIntegerField(default=0)
    applied_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, default="open")

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Vendor credit {self.external_id or self.id}"


class VendorCreditAllocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vendor_credit = models.ForeignKey(
        VendorCredit, on_delete=models.CASCADE, related_name="allocations"
    )
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="credit_allocations")
    amount_cents = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.amount_cents} to bill {self.bill_id}"


class IdempotencyRecord(models.Model):
    """The stored response of a create sent with an ``Idempotency-Key`` header."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=20)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.TextField()  # the rendered JSON, so a replay is byte-for-byte the same
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "resource", "key"], name="thred_sandbox_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.key}"


class FaultConfig(models.Model):
    """Runtime fault-injection settings; one row (pk=1) overrides THRED_SANDBOX FAULTS."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    error_500_rate = models.FloatField(default=0.0)
    rate_limit_rate = models.FloatField(default=0.0)
    retry_after_seconds = models.PositiveIntegerField(default=1)
    slow_rate = models.FloatField(default=0.0)
    slow_seconds = models.FloatField(default=15.0)
    commit_then_500_rate = models.FloatField(default=0.0)
    latency = models.FloatField(default=0.0)  # seconds before every API response
    seed = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Faults v{self.version}"


class PartnerFaultConfig(models.Model):
    """One partner's fault settings, over the shared ones: ``{key: value}`` changed
    through the control endpoint, which only ever touches the calling partner's row."""

    partner_id = models.CharField(max_length=64, primary_key=True)
    changes = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Faults of {self.partner_id} v{self.version}"


class RequestLog(models.Model):
    """One answered API request. Never holds headers, bodies, credentials or tokens."""

    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    business_id = models.UUIDField(null=True, blank=True, db_index=True)
    partner_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    resource = models.CharField(max_length=20, blank=True, default="")
    action = models.CharField(max_length=20, blank=True, default="")
    external_id = models.CharField(max_length=255, blank=True, default="")
    idempotency_key = models.CharField(max_length=255, blank=True, default="")
    created = models.BooleanField(default=False)
    error_code = models.CharField(max_length=50, blank=True, default="")
    fault = models.CharField(max_length=20, blank=True, default="")
    duration_ms = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
