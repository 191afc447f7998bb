"""The tables every sandbox kind builds on, and the sandbox's own plumbing.

Every Thred object is a row with the columns the sandbox filters, constrains or
computes on, plus ``data``: the documented request fields exactly as the client sent
them, echoed back in responses. Ids are UUIDs (rendered lower-case). ``external_id``
is unique per business and resource (per partner for businesses) through database
constraints, so concurrent duplicate creates cannot produce two objects. Denormalised
balances (``received_cents``, ``paid_cents`` …) are recomputed by ``ledger`` inside the
write transaction that changes them.

Here: the abstract bases (``SandboxObject``, ``BusinessObject``), ``Business`` (the root
every object hangs under, which the request plumbing loads), and the tables that are no
Thred resource (stored Idempotency-Key answers, fault settings, the request log). Each
resource's own model is in its kind module (``kinds/<name>.py``); ``models`` gathers
them all for Django.
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
