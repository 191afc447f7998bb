"""The record filters shared by ``thred_status``, ``thred_retry`` and ``thred_sync``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import QuerySet

from thred_django.models import SyncRecord
from thred_django.resources import Resource, State


def add_scope_arguments(parser: CommandParser) -> None:
    parser.add_argument("--business", metavar="EXTERNAL_ID", help="Only this business.")
    parser.add_argument(
        "--resource", choices=Resource.values, help="Only records of this resource."
    )


def add_filter_arguments(parser: CommandParser) -> None:
    add_scope_arguments(parser)
    parser.add_argument(
        "--state",
        action="append",
        default=[],
        metavar="STATE",
        help=f"Records in this state (repeatable): {', '.join(State.values)}.",
    )
    parser.add_argument("--failed", action="store_true", help="Same as --state failed.")
    parser.add_argument("--drifted", action="store_true", help="Same as --state drifted.")
    parser.add_argument("--blocked", action="store_true", help="Same as --state blocked.")
    parser.add_argument(
        "--code",
        action="append",
        default=[],
        metavar="ERROR_CODE",
        help="Records whose last error has this code (repeatable), e.g. invalid_payload.",
    )


def tenant_of_business(external_id: str) -> str:
    business = SyncRecord.objects.filter(
        resource=Resource.BUSINESS, external_id=external_id
    ).first()
    if business is None:
        raise CommandError(
            f"No business with external_id {external_id!r} is in the outbox; "
            "see `manage.py thred_status` for the known ones."
        )
    return business.tenant_id


def scope(options: dict[str, Any]) -> tuple[QuerySet[SyncRecord], str | None]:
    """(records in the --business / --resource scope, the business's tenant id)."""
    qs = SyncRecord.objects.all()
    tenant_id = None
    if options.get("business"):
        tenant_id = tenant_of_business(options["business"])
        qs = qs.filter(tenant_id=tenant_id)
    if options.get("resource"):
        qs = qs.filter(resource=options["resource"])
    return qs, tenant_id


def states(options: dict[str, Any]) -> list[str]:
    wanted = list(options.get("state") or [])
    wanted += [name for name in ("failed", "drifted", "blocked") if options.get(name)]
    known = set(State.values)
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise CommandError(
            f"Unknown state {', '.join(map(repr, unknown))}; use one of: {', '.join(State.values)}."
        )
    return wanted


def select(options: dict[str, Any], default_states: Sequence[str] = ()) -> QuerySet[SyncRecord]:
    qs, _ = scope(options)
    wanted = states(options) or list(default_states)
    if wanted:
        qs = qs.filter(state__in=wanted)
    if options.get("code"):
        qs = qs.filter(last_error_code__in=options["code"])
    return qs


def is_listing(options: dict[str, Any]) -> bool:
    """True when the options ask for records rather than counts."""
    return bool(states(options) or options.get("code"))
