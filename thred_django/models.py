"""The outbox: one SyncRecord per synced host object, its attempt log, business health.

The SyncRecord row, not a queue message, is the source of truth for what must reach
Thred. Marking writes it in the host's transaction; workers claim due rows with a lease,
call Thred outside any transaction and record the outcome fenced by the lease token.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from thred_django.conf import thred_settings
from thred_django.resources import Action, ResourceField, State


class SyncRecord(models.Model):
    """What thred_django knows about one host object and its twin in Thred."""

    # Indexed as the first column of thred_syncrecord_unique_object_resource.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    object_id = models.CharField(max_length=64)
    host_object = GenericForeignKey("content_type", "object_id")

    resource = ResourceField()
    # Claim order: parents before children (see resources.RANK).
    rank = models.PositiveSmallIntegerField(default=0)
    # Primary key of the host's tenant object (the one mapped to a Thred business).
    tenant_id = models.CharField(max_length=64)  # indexed with its state: thred_sr_tenant_due
    # Sent to Thred as external_id; set once at the first mark and never changed.
    external_id = models.CharField(max_length=255)
    thred_id = models.CharField(max_length=64, blank=True, default="")  # thred_sr_thred_id

    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.UPSERT)
    # Push even when the payload hash is unchanged (admin "resync").
    force = models.BooleanField(default=False)
    # A fresh value at every mark: a worker that claimed an older revision must not
    # declare the record synced (coalescing saves made while it was in flight).
    revision = models.UUIDField(default=uuid.uuid4)
    claimed_revision = models.UUIDField(null=True, blank=True)

    payload_hash = models.CharField(max_length=64, blank=True, default="")
    acked_payload = models.JSONField(null=True, blank=True)
    # Persisted before each create is sent so a restarted worker resends the same key,
    # and the hash of the data that create carried (its answer may be lost).
    idempotency_key = models.CharField(max_length=255, blank=True, default="")
    sent_hash = models.CharField(max_length=64, blank=True, default="")

    # Thred holds the object voided / cancelled / archived by us (a host delete or an
    # inactive status, thred_django.lifecycle); an unarchive sets it back.
    inactive_in_thred = models.BooleanField(default=False)

    attempts = models.PositiveIntegerField(default=0)
    # When the current run of transient failures began (THRED["RETRY_WINDOW"] counts
    # from here); cleared by any other outcome.
    retrying_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    blocked_by = models.ForeignKey(  # thred_sr_blocked_by: only the rows that have one
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blocking",
        db_index=False,
    )

    last_error_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error_code = models.CharField(max_length=64, blank=True, default="")
    last_error_message = models.TextField(blank=True, default="")
    last_error_details = models.JSONField(null=True, blank=True)

    last_attempt_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sync record"
        constraints = [
            # One record per host row and Thred resource (a row may feed several).
            models.UniqueConstraint(
                fields=["content_type", "object_id", "resource"],
                name="thred_syncrecord_unique_object_resource",
            ),
            models.UniqueConstraint(
                fields=["resource", "tenant_id", "external_id"],
                name="thred_syncrecord_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="thred_sr_due"),
            # A business's due and in-flight records (its claims), without a walk over
            # every due record or its whole history.
            models.Index(
                fields=["tenant_id", "state", "next_attempt_at"], name="thred_sr_tenant_due"
            ),
            models.Index(fields=["resource", "state"], name="thred_sr_resource_state"),
            models.Index(fields=["updated_at"], name="thred_sr_updated"),
            # Each index costs every write that moves a record (claims and outcomes
            # are not HOT updates: they change the state): none is kept that another
            # covers or that no query reads (the LIKE copy Django adds to an indexed
            # CharField on PostgreSQL, a plain index on the unique constraint's first
            # column, every NULL of a column that is rarely set).
            models.Index(fields=["thred_id"], name="thred_sr_thred_id"),
            models.Index(
                fields=["blocked_by"],
                condition=models.Q(blocked_by__isnull=False),
                name="thred_sr_blocked_by",
            ),
        ]
        permissions = [("retry_syncrecord", "Can retry, resync or skip Thred sync records")]

    def __str__(self) -> str:
        return f"{self.resource} {self.external_id} ({self.state})"

    @property
    def last_error(self) -> str:
        return self.last_error_message


class SyncDependency(models.Model):
    """``child``'s payload read the Thred id of the host object (``parent_type``,
    ``parent_id``) through ``ctx.thred_id`` when it was last built: marking that object
    marks the child again, so its payload is rebuilt (and sent only if it changed)."""

    child = models.ForeignKey(SyncRecord, on_delete=models.CASCADE, related_name="+")
    # Indexed as the first column of thred_syncdep_unique.
    parent_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    parent_id = models.CharField(max_length=64)

    class Meta:
        verbose_name = "sync dependency"
        verbose_name_plural = "sync dependencies"
        constraints = [
            models.UniqueConstraint(
                fields=["parent_type", "parent_id", "child"], name="thred_syncdep_unique"
            )
        ]

    def __str__(self) -> str:
        return f"record {self.child_id} reads {self.parent_type_id}:{self.parent_id}"


class SyncAttempt(models.Model):
    """One call to Thred on behalf of a record, with secrets left out."""

    record = models.ForeignKey(SyncRecord, on_delete=models.CASCADE, related_name="attempt_log")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=8, blank=True, default="")
    path = models.CharField(max_length=500, blank=True, default="")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16)
    error_code = models.CharField(max_length=64, blank=True, default="")
    request_summary = models.JSONField(null=True, blank=True)
    response_summary = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status or self.outcome}"

    @classmethod
    def prune(cls, now: Any = None) -> int:
        """Delete attempts older than THRED['ATTEMPT_LOG_RETENTION_DAYS']."""
        now = now or timezone.now()
        cutoff = now - timedelta(days=thred_settings.ATTEMPT_LOG_RETENTION_DAYS)
        deleted, _ = cls.objects.filter(created_at__lt=cutoff).delete()
        return deleted


class BusinessHealth(models.Model):
    """Per-business throttling shared by every worker: 429 pauses, breaker, 403 flag."""

    tenant_id = models.CharField(max_length=64, unique=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(default=0)
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "business health"
        verbose_name_plural = "business health"

    def __str__(self) -> str:
        return f"business {self.tenant_id}"

    @property
    def is_paused(self) -> bool:
        return bool(self.paused_until and self.paused_until > timezone.now())


class SingleBusiness(models.Model):
    """The one business of a single-business host (``THRED["BUSINESS"]``).

    A host with no tenant model (one Django site = one shop) has no row to stand for
    its Thred business; this one row (pk 1, made at the first push or by
    ``thred_onboard``) does, so the business has a SyncRecord like any tenant. Its
    payload comes from the setting, not from this row.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "single business"
        verbose_name_plural = "single business"

    def __str__(self) -> str:
        return "the business (THRED['BUSINESS'])"


class ReconcileResult(models.Model):
    """The last reconciliation of one business: what drift it found and what it fixed.

    One row per business (tenant), replaced by each run; written by
    ``engine.reconcile`` and shown by the admin dashboard and the API.
    """

    tenant_id = models.CharField(max_length=64, unique=True)
    business = models.CharField(max_length=255, blank=True, default="")  # its external id
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    agreed = models.BooleanField(default=True)  # no drift found
    fixed = models.BooleanField(default=False)  # run with --fix
    counts = models.JSONField(default=dict)  # {kind: n}
    repaired = models.PositiveIntegerField(default=0)
    unrepairable = models.PositiveIntegerField(default=0)
    # The first THRED["RECONCILE_KEEP_FINDINGS"] findings, as JSON.
    findings = models.JSONField(default=list)
    error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "reconciliation result"

    def __str__(self) -> str:
        return f"reconciliation of {self.business or self.tenant_id}"

    @property
    def drift(self) -> int:
        return sum(int(n) for n in (self.counts or {}).values())


class ReconcileSeen(models.Model):
    """Scratch rows of a running reconciliation: outbox records found in Thred.

    Kept in the database, not in memory, so finding what Thred is missing costs constant
    memory on any number of records; a run deletes its rows when it ends.
    """

    run = models.UUIDField()
    record_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["run", "record_id"], name="thred_reconcile_seen")]

    def __str__(self) -> str:
        return f"run {self.run}: record {self.record_id}"
