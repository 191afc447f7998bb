"""The Thred resources thred_django syncs, their dependency order and sync states.

The names here are the names used everywhere: in the outbox, commands, JSON and admin.
Resources, their labels and their order come from the resource specs
(``thred_django.specs``).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from thred_django import specs


def _resource_choices() -> Any:
    """One member per resource spec, in listing order: ``Resource.INVOICE == "invoice"``,
    labelled as its spec says (the admin shows the labels). Built from the registry, so
    type checkers see ``Any``; the values are plain strings."""
    members = [(spec.name.upper(), (spec.name, spec.label)) for spec in specs.ALL.values()]
    build: Any = models.TextChoices
    return build("Resource", members, module=__name__, qualname="Resource")


Resource: Any = _resource_choices()


class ResourceField(models.CharField):
    """A resource name, with the specs' choices. The choices stay out of migrations
    (it deconstructs as a plain ``CharField``), so adding a resource spec needs no
    migration of the outbox."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs["choices"] = Resource.choices
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, "django.db.models.CharField", args, kwargs


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
