"""The retry policy of transient failures: retries by time, with capped backoff.

Transient failures (timeouts, 5xx, connection errors, a 401 right after a fresh token)
retry with full-jitter exponential backoff capped at THRED["BACKOFF_MAX"], until
THRED["RETRY_WINDOW"] seconds have passed since the first failure of the current run
(``SyncRecord.retrying_since``, cleared by any other outcome). THRED["MAX_ATTEMPTS"],
when set, is an extra cap on the number of attempts of a run.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from thred_django.conf import thred_settings
from thred_django.exceptions import (
    ThredAuthenticationError,
    ThredError,
    ThredTimeoutError,
    ThredTransportError,
)
from thred_django.models import SyncRecord


def backoff(attempts: int) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempts)]."""
    growth = 2.0 ** min(attempts, 40)  # past the cap long before; no float overflow
    ceiling = min(thred_settings.BACKOFF_MAX, thred_settings.BACKOFF_BASE * growth)
    return random.uniform(0, ceiling)


def gives_up(record: SyncRecord, attempts: int, now: datetime) -> bool:
    """Transient failures retry until THRED["RETRY_WINDOW"] seconds have passed since
    the first of the current run (and, when set, MAX_ATTEMPTS of them were made)."""
    since = record.retrying_since or now
    window = timedelta(seconds=thred_settings.RETRY_WINDOW)
    cap = thred_settings.MAX_ATTEMPTS
    return now - since >= window or (cap is not None and attempts >= cap)


# ``last_error_code`` of a record taken from a worker that stopped between a call and
# writing its outcome (``claim.taken_over``).
ANSWER_LOST = "answer_lost"
# ``last_error_code`` of a call that got no answer at all (``outcome.api_error``), or
# whose answer was lost.
_NO_ANSWER = frozenset({ThredTransportError.__name__, ThredTimeoutError.__name__, ANSWER_LOST})


def unanswered(record: SyncRecord) -> bool:
    """The record's last call got no answer (a 5xx, a timeout, a dropped connection):
    Thred may have carried it out all the same."""
    status = record.last_error_status
    if status is not None:
        return status >= 500
    return record.last_error_code in _NO_ANSWER


def token_race(exc: ThredError) -> bool:
    """A 401 on a call the client made right after fetching a fresh token (it retries
    once on 401): another process rotated or expired the shared token meanwhile, or
    Thred has not caught up. Transient. (Bad credentials fail the token request itself.)"""
    return isinstance(exc, ThredAuthenticationError) and "/oauth2/token" not in (exc.path or "")


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
