"""The Thred resources thred_django syncs, their dependency order and sync states.

The names here are the names used everywhere: in the outbox, commands, JSON and admin.
"""

from __future__ import annotations

from django.db import models

from thred_django import specs


class Resource(models.TextChoices):
    BUSINESS = "business", "Business"
    CUSTOMER = "customer", "Customer"
    VENDOR = "vendor", "Vendor"
    INVOICE = "invoice", "Invoice"
    PAYMENT = "payment", "Invoice payment"
    PAYOUT = "payout", "Payout"
    REFUND = "refund", "Refund"
    REFUND_PAYMENT = "refund_payment", "Refund payment"
    BILL = "bill", "Bill"
    BILL_PAYMENT = "bill_payment", "Bill payment"
    VENDOR_CREDIT = "vendor_credit", "Vendor credit note"


# Claim order (a resource after its parents), derived from the resource specs.
RANK: dict[str, int] = specs.RANK


def claim_rank(resource: str, action: str) -> int:
    """Claim order: creates and updates parents first, deletes children first."""
    rank = RANK[resource]
    return rank if action != "delete" else 100 - rank


class State(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_FLIGHT = "in_flight", "In flight"
    SYNCED = "synced", "Synced"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"
    BLOCKED = "blocked", "Blocked"
    SKIPPED = "skipped", "Skipped"
    VOIDED = "voided", "Voided / cancelled"
    # Deleted in the host, but Thred has no delete, void or archive for the resource.
    ORPHANED = "orphaned", "Deleted here, kept in Thred"
    # The host differs from what Thred acknowledged in fields Thred cannot update (or a
    # status Thred cannot follow); last_error_details names them (thred_django.lifecycle).
    DRIFTED = "drifted", "Drifted: Thred cannot take the change"


# States a worker may claim (together with in-flight rows whose lease ran out).
CLAIMABLE = (State.PENDING, State.RETRYING)
# States that need nothing more from a worker (until the host object is marked again).
SETTLED = (State.SYNCED, State.SKIPPED, State.VOIDED, State.ORPHANED, State.DRIFTED)


class Action(models.TextChoices):
    UPSERT = "upsert", "Create or update"
    DELETE = "delete", "Delete"
