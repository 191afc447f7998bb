"""What a push did, for log pipelines and metrics: one call per outcome written.

Every log record carries, as ``extra`` attributes a JSON formatter or a log pipeline
can filter on: ``thred_record_id``, ``thred_external_id``, ``thred_business`` (the
tenant id), ``thred_resource``, ``thred_attempt`` (attempts used so far), ``thred_state``
(what the record became) and ``thred_status`` (Thred's HTTP status, when there was one)
and ``thred_error_code``. Successes log at DEBUG, releases (retry, 429, waiting for a
parent, paused) at INFO or WARNING, permanent failures at ERROR. No payload, token or
key is ever in them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from thred_django import metrics
from thred_django.models import SyncRecord
from thred_django.resources import State

logger = logging.getLogger("thred_django.engine.outcomes")

_LEVELS = {
    State.FAILED: logging.ERROR,
    State.BLOCKED: logging.WARNING,
    "rate_limited": logging.WARNING,
    State.RETRYING: logging.WARNING,
}


def fields(record: SyncRecord, **more: Any) -> dict[str, Any]:
    """The ``extra`` of a log record about ``record``."""
    return {
        "thred_record_id": record.pk,
        "thred_external_id": record.external_id,
        "thred_business": record.tenant_id,
        "thred_resource": record.resource,
        "thred_attempt": record.attempts,
        **more,
    }


def _emit(record: SyncRecord, outcome: str, values: dict[str, Any]) -> None:
    metrics.pushed(record.resource, outcome)
    level = _LEVELS.get(outcome, logging.DEBUG)
    if not logger.isEnabledFor(level):
        return
    code = values.get("last_error_code") or ""
    status = values.get("last_error_status")
    attempts = values.get("attempts", record.attempts)
    logger.log(
        level,
        "Thred %s %s: %s%s",
        record.resource,
        record.external_id,
        outcome,
        f" ({code})" if code else "",
        extra=fields(
            record,
            thred_attempt=attempts,
            thred_state=outcome,
            thred_status=status,
            thred_error_code=code,
        ),
    )


def settled(record: SyncRecord, values: dict[str, Any]) -> None:
    """An outcome written by ``outcome._finish`` (synced, failed, skipped …)."""
    _emit(record, str(values.get("state", "")), values)


def released(record: SyncRecord, values: dict[str, Any]) -> None:
    """A record given back unsent (``claim.release``): retry, 429, parent, pause."""
    if values.get("last_error_status") == 429:
        outcome = "rate_limited"
    elif values.get("last_error_code") == "waiting_for_parent":
        outcome = "waiting_for_parent"
    else:
        outcome = str(values.get("state", State.PENDING))
    _emit(record, outcome, values)


def acknowledged(record: SyncRecord, at: datetime) -> None:
    """Thred acknowledged a call for ``record``: the lag since its last outbox change
    (as it was when claimed: the mark, or the release before this retry)."""
    if record.updated_at is not None:
        metrics.acknowledged(record.resource, (at - record.updated_at).total_seconds())
