"""Serializers of the API: what it returns, and what DRF's schema generator describes.

``SyncStatusSerializer`` exposes a SyncRecord's public fields only: never the
idempotency key, lease, revision or payload hash. Business summaries are plain
serializers over ``engine.status.counts()`` results.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from thred_django.models import ReconcileResult, SyncRecord


class SyncStatusSerializer(serializers.ModelSerializer):
    content_type = serializers.SerializerMethodField(help_text='"app_label.model"')
    business = serializers.SerializerMethodField(
        help_text="External id of the record's business in Thred (empty if unknown)."
    )

    class Meta:
        model = SyncRecord
        fields = [
            "content_type",
            "object_id",
            "resource",
            "business",
            "state",
            "action",
            "external_id",
            "thred_id",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "synced_at",
            "created_at",
            "updated_at",
            "last_error_code",
            "last_error_status",
            "last_error_message",
            "last_error_details",
        ]
        read_only_fields = fields

    def get_content_type(self, record: SyncRecord) -> str:
        ct = record.content_type
        return f"{ct.app_label}.{ct.model}"

    def get_business(self, record: SyncRecord) -> str:
        names: dict[str, str] = self.context.get("business_names", {})
        return names.get(record.tenant_id, "")


class RetryResultSerializer(serializers.Serializer):
    queued = serializers.IntegerField(
        read_only=True, help_text="Records made due now (0 when a worker is pushing it)."
    )
    status = SyncStatusSerializer(read_only=True)


def state_counts(**kwargs: Any) -> serializers.DictField:
    """``{state: count}``."""
    return serializers.DictField(child=serializers.IntegerField(), **kwargs)


class BusinessCountsSerializer(serializers.Serializer):
    business = serializers.CharField(help_text="The business's external id in Thred.")
    tenant_id = serializers.CharField(help_text="Primary key of the host's tenant object.")
    states = state_counts(help_text="Records by sync state.")
    total = serializers.IntegerField()
    paused_until = serializers.DateTimeField(
        allow_null=True, help_text="Set while pushes for this business are paused."
    )
    pause_reason = serializers.CharField(allow_blank=True)
    flagged = serializers.BooleanField(help_text="Thred refused access (403): needs a human.")
    flag_reason = serializers.CharField(allow_blank=True)


class BusinessSummarySerializer(BusinessCountsSerializer):
    resources = serializers.DictField(
        child=state_counts(), help_text="Records by resource, then by sync state."
    )
    oldest_pending_seconds = serializers.FloatField(
        allow_null=True, help_text="Age of the oldest pending record, or null."
    )


class ReconcileResultSerializer(serializers.ModelSerializer):
    """A business's last reconciliation: counts of every kind of drift, the first
    findings in full (each names its object by external id and lists differing fields)."""

    drift = serializers.IntegerField(read_only=True, help_text="Differences found in all.")

    class Meta:
        model = ReconcileResult
        fields = [
            "business",
            "tenant_id",
            "started_at",
            "finished_at",
            "agreed",
            "fixed",
            "drift",
            "counts",
            "repaired",
            "unrepairable",
            "error",
            "findings",
        ]
        read_only_fields = fields
