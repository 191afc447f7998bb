"""Recording what happened to a claimed record: state, error, attempt log, signals.

Every write is fenced by the lease token (claim.fenced): a worker that lost its lease
records nothing. Errors are sorted by ``exceptions.is_retryable`` and by class:

* 429 → the business pauses until Retry-After (capped); no attempt is used up;
* timeout, 5xx, connection error, a 401 right after a fresh token → retrying with
  exponential backoff and full jitter (capped by BACKOFF_MAX) until RETRY_WINDOW has
  passed since the first of the run (or MAX_ATTEMPTS, when set), then failed; a run of
  them opens the business's breaker;
* 403 → failed and the business flagged; 400, 404, 409 and anything else → failed with
  the details (permanent: waits for the host object to change or a human retry).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from thred_django.conf import thred_settings
from thred_django.engine import health, observe
from thred_django.engine.claim import fenced, release
from thred_django.engine.decide import Step
from thred_django.engine.fenced import update as fenced_update
from thred_django.engine.operations import Sent
from thred_django.engine.payload import digest
from thred_django.engine.redact import brief, summarize
from thred_django.engine.retry import backoff, duration, gives_up, token_race
from thred_django.engine.writer import Pending
from thred_django.exceptions import (
    ThredError,
    ThredPermissionError,
    ThredRateLimitError,
    is_retryable,
)
from thred_django.models import SyncAttempt, SyncRecord
from thred_django.resources import State
from thred_django.signals import sync_failed

logger = logging.getLogger("thred_django.engine")

_CLEAR_ERROR: dict[str, Any] = {
    "last_error_status": None,
    "last_error_code": "",
    "last_error_message": "",
    "last_error_details": None,
    "retrying_since": None,
}
_UNLEASE: dict[str, Any] = {"lease_token": None, "lease_until": None}


def log_attempt(record: SyncRecord, outcome: str, **fields: Any) -> None:
    """Write one attempt-log row now (``fields``: those of ``attempt``)."""
    attempt(record, outcome, **fields).save(force_insert=True)


def attempt(
    record: SyncRecord,
    outcome: str,
    *,
    method: str = "",
    path: str = "",
    status: int | None = None,
    elapsed: float = 0.0,
    error_code: str = "",
    request: Any = None,
    response: Any = None,
) -> SyncAttempt:
    """One attempt-log row, not yet saved."""
    return SyncAttempt(
        record_id=record.id,
        method=method,
        path=path[:500],
        status=status,
        duration_ms=int(elapsed * 1000),
        outcome=outcome,
        error_code=error_code[:64],
        request_summary=summarize(request) if request is not None else None,
        response_summary=summarize(response) if response is not None else None,
    )


def _finish(
    record: SyncRecord, token: uuid.UUID, state: str, **changes: Any
) -> dict[str, Any] | None:
    """Settle the record in ``state`` unless it was re-marked meanwhile (then: pending).

    Returns the values written, or None when the lease was lost (nothing written).
    """
    now = timezone.now()
    values = {**_UNLEASE, "state": state, "last_attempt_at": now, "updated_at": now, **changes}
    written = fenced_update(record.id, token, values, same_revision=True)
    if not written:
        # A save landed while we worked: keep what we learned, push the newest data next.
        values.update(state=State.PENDING, next_attempt_at=now, attempts=0)
        written = fenced(record, token, **values)
    if written:
        observe.settled(record, values)  # metrics and a structured log record
    return values if written else None


def success(
    record: SyncRecord,
    sent: Sent,
    step: Step,
    *,
    held_hash: str = "",
    inactive: bool | None = None,
    extra: dict[str, Any] | None = None,
) -> Pending:
    """The outcome of a call Thred accepted, to be written by ``writer.Outcomes``: the
    record ends in ``step``'s state, with its code, message and details, ``sent``'s
    Thred id and what Thred now holds (``step.held``; None: unchanged; ``held_hash``:
    its digest, when known). ``inactive``: whether Thred holds it voided / cancelled /
    archived (None: unchanged); ``extra``: more columns (a create's sent hash and
    Idempotency-Key). Records this one blocked are set pending again by
    ``unblock_children``."""
    held = step.held
    now = timezone.now()
    values: dict[str, Any] = {
        **_CLEAR_ERROR,
        **_UNLEASE,
        "state": step.state,
        "thred_id": sent.thred_id,
        "attempts": 0,
        "force": False,
        "blocked_by": None,
        "synced_at": now,
        **(extra or {}),
    }
    if held is not None:
        values.update(payload_hash=held_hash or digest(held), acked_payload=held)
    if step.code:
        values.update(last_error_code=step.code, last_error_message=step.message)
    if step.details is not None:
        values.update(last_error_details=step.details)
    if inactive is not None:
        values.update(inactive_in_thred=inactive)
    response = sent.response
    row = attempt(
        record,
        "success",
        method=response.method,
        path=response.path,
        status=response.status_code,
        elapsed=response.elapsed,
        request=held,
        response=brief(response.data),
    )
    return Pending(record, values, acknowledged=now, attempt=row)


def unblock_children() -> int:
    """Records blocked by a parent that has since reached Thred become pending again.

    Run once per batch by the runner (not one query per success); it also frees any
    record whose parent was synced by a worker that died before unblocking it.
    """
    now = timezone.now()
    return (
        SyncRecord.objects.filter(state=State.BLOCKED, blocked_by__state=State.SYNCED)
        .exclude(blocked_by__thred_id="")
        .update(state=State.PENDING, blocked_by=None, next_attempt_at=now, updated_at=now)
    )


def settled(record: SyncRecord, step: Step, *, inactive: bool | None = None) -> Pending:
    """Skipped, unchanged, drifted, or deleted before it ever reached Thred: no call.
    The record ends in ``step``'s state, with its code, message and details, and what
    Thred is now known to hold (``step.held``; None: unchanged); ``inactive``: whether
    Thred holds it voided / cancelled / archived (None: unchanged)."""
    held = step.held
    values: dict[str, Any] = {
        **_CLEAR_ERROR,
        **_UNLEASE,
        "state": step.state,
        "force": False,
        "attempts": 0,
        "last_error_code": step.code,
        "last_error_message": step.message,
        "last_error_details": step.details,
    }
    if held is not None:
        values.update(acked_payload=held, payload_hash=digest(held))
    if inactive is not None:
        values.update(inactive_in_thred=inactive)
    return Pending(record, values)


def note_stranded(record: SyncRecord, token: uuid.UUID, exc: BaseException) -> None:
    """The outbox failed while this record was pushed (its outcome may be unwritten):
    say so on the record, which keeps its lease until it lapses and is pushed again.
    Best effort: the database may refuse this write too."""
    try:
        with transaction.atomic():
            fenced(
                record,
                token,
                last_error_code="outcome_not_recorded",
                last_error_message=(
                    f"The outbox database failed while this record was pushed "
                    f"({type(exc).__name__}: {exc}); it is pushed again once its lease lapses."
                )[:2000],
            )
    except Exception:
        logger.debug("Could not note the stranded record %s", record.pk, exc_info=True)


def failed(
    record: SyncRecord,
    token: uuid.UUID,
    *,
    code: str,
    message: str,
    status: int | None = None,
    details: Any = None,
    state: str = State.FAILED,
    blocked_by: SyncRecord | None = None,
    exc: BaseException | None = None,
    **extra: Any,
) -> None:
    """A permanent failure (or blocked): keeps the record and its reason."""
    written = _finish(
        record,
        token,
        state,
        last_error_status=status,
        last_error_code=code[:64],
        last_error_message=message,
        last_error_details=summarize(details) if details is not None else None,
        blocked_by=blocked_by,
        force=False,
        retrying_since=None,
        **extra,
    )
    if written:
        record.refresh_from_db()
        sync_failed.send(sender=SyncRecord, record=record, error=exc)


def wait_for_parent(
    record: SyncRecord, token: uuid.UUID, parent: SyncRecord, until: datetime | None
) -> None:
    """A parent is not in Thred yet and is busy elsewhere: come back later, no attempt used."""
    later = timezone.now() + timedelta(seconds=thred_settings.DEPENDENCY_WAIT)
    release(
        record,
        token,
        next_attempt_at=max(until or later, later),
        last_error_code="waiting_for_parent",
        last_error_message=f"Waiting for {parent.resource} {parent.external_id} to reach Thred.",
    )


def answer_due(record: SyncRecord) -> datetime | None:
    """Until when a create sent without an answer (``sent_hash`` set, no Thred id) may
    still land in Thred (``ANSWER_GRACE_SECONDS`` after the last attempt): None once past,
    or when no create is in doubt. A server goes on with a request its client gave up on,
    and an answer to a later attempt (a 429, a 400) says nothing of an earlier one."""
    if not record.sent_hash or record.thred_id or record.last_attempt_at is None:
        return None
    until = record.last_attempt_at + timedelta(seconds=thred_settings.ANSWER_GRACE_SECONDS)
    return until if until > timezone.now() else None


def answer_awaited(record: SyncRecord, token: uuid.UUID, until: datetime) -> None:
    """Deleted or inactive here, not found in Thred, but its create may still land: look
    again at ``until`` before saying it never reached Thred. No attempt used."""
    release(
        record,
        token,
        next_attempt_at=until,
        last_error_code="answer_awaited",
        last_error_message=(
            "Deleted or inactive here, and not in Thred yet; a create sent before got no "
            "answer and may still land. Looked up again at "
            f"{until.isoformat(timespec='seconds')}."
        ),
    )


def api_error(
    record: SyncRecord,
    token: uuid.UUID,
    exc: ThredError,
    payload: Any,
    sent: dict[str, Any] | None = None,
) -> datetime | None:
    """Record a failed call. Returns a pause end when the whole business must wait.

    ``sent``: the columns a create writes with its outcome (its sent hash and
    Idempotency-Key: the create may have landed, its retry resends the same key)."""
    attempts = record.attempts + 1
    now = timezone.now()
    retryable = is_retryable(exc) or token_race(exc)
    giving_up = gives_up(record, attempts, now)
    transient = retryable and (isinstance(exc, ThredRateLimitError) or not giving_up)
    log_attempt(
        record,
        "retry" if transient else "failed",
        method=exc.method,
        path=exc.path,
        status=exc.status,
        error_code=exc.error_code or type(exc).__name__,
        request=payload,
        response=exc.body,
    )
    code = (exc.error_code or type(exc).__name__)[:64]
    error: dict[str, Any] = {
        **(sent or {}),
        "last_attempt_at": now,
        "last_error_status": exc.status,
        "last_error_code": code,
        "last_error_message": str(exc),
        "last_error_details": summarize(exc.details) if exc.details else None,
    }
    if isinstance(exc, ThredRateLimitError):
        seconds = min(
            exc.retry_after if exc.retry_after is not None else thred_settings.BACKOFF_BASE,
            thred_settings.RETRY_AFTER_MAX,
        )
        until = health.pause(record.tenant_id, seconds, "rate limited (429)")
        release(record, token, state=State.RETRYING, next_attempt_at=until, **error)
        return until
    if retryable:
        pause_until = health.note_failure(record.tenant_id)
        if giving_up:
            since = record.retrying_since or now
            failed(
                record,
                token,
                code=code,
                message=f"Gave up after {attempts} attempts over "
                f"{duration((now - since).total_seconds())}: {exc}",
                status=exc.status,
                details=exc.details or None,
                attempts=attempts,
                exc=exc,
                **(sent or {}),
            )
            return pause_until
        next_at = timezone.now() + timedelta(seconds=backoff(attempts))
        if pause_until and pause_until > next_at:
            next_at = pause_until
        release(
            record,
            token,
            state=State.RETRYING,
            attempts=attempts,
            next_attempt_at=next_at,
            retrying_since=record.retrying_since or now,
            **error,
        )
        return pause_until
    if isinstance(exc, ThredPermissionError):
        health.flag(record.tenant_id, str(exc))
    failed(
        record,
        token,
        code=code,
        message=str(exc),
        status=exc.status,
        details=exc.details or None,
        exc=exc,
        **(sent or {}),
    )
    return None
