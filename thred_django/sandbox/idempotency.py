"""Idempotent creates: by ``external_id`` and by the ``Idempotency-Key`` header.

``create_once(existing, build)`` returns ``(obj, created)``: the object that
``existing`` finds, or the one ``build`` makes inside a transaction. Uniqueness is
enforced by database constraints; when a concurrent create wins the race (an
``IntegrityError``), the winner is looked up and returned instead, so two concurrent
duplicate creates never make two objects, on SQLite or PostgreSQL.

The Idempotency-Key helpers keep the stored response of a successful create per
business, resource and key; a repeat with the same body replays it (200), another body
is refused (409). See ``gaps`` for the choices.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from rest_framework.renderers import JSONRenderer

from thred_django.sandbox import readings, rows
from thred_django.sandbox.errors import conflict, field_error
from thred_django.sandbox.schemas import text_problem
from thred_django.sandbox.tables import Business, IdempotencyRecord

T = TypeVar("T")


def create_once(
    existing: Callable[[], T | None],
    build: Callable[[], T],
    lock: Callable[[], object] | None = None,
    *,
    one_write: bool = False,
) -> tuple[T, bool]:
    """``(existing(), False)`` if found, else ``(build(), True)`` made atomically.

    ``build`` runs first, in a transaction (after ``lock``, optional, has taken the row
    locks it needs), and ``existing`` is asked only when it fails: a duplicate's
    external_id makes the insert fail on the unique constraint (``IntegrityError``), and
    any other refusal (a counterparty archived since, a balance a concurrent duplicate
    took) is answered with the duplicate's object too when there is one. That is what
    asking ``existing`` first would answer, one query less for every new object.
    Concurrent duplicates: the second insert waits for the first and fails once it
    commits.

    ``one_write``: ``build`` writes with a single statement and takes no lock (reads
    before it, if any, lock nothing either), so that statement is atomic on its own: in
    autocommit no transaction is opened (its ``BEGIN`` and ``COMMIT`` are two round
    trips of the two or three a customer's create needs). Inside a caller's transaction
    a savepoint still keeps a refused insert from breaking it.
    """
    try:
        with _transaction(one_write and lock is None):
            if lock is not None:
                lock()
            return build(), True
    except Exception:  # whatever refused it, a duplicate answers instead
        found = existing()
        if found is None:
            raise
        return found, False


def _transaction(one_write: bool) -> Any:
    """A transaction (a savepoint inside one), or none for a single write in
    autocommit."""
    if one_write and not transaction.get_connection().in_atomic_block:
        return contextlib.nullcontext()
    return transaction.atomic()


def header_key(request: HttpRequest) -> str | None:
    """The Idempotency-Key header, validated; None when absent."""
    key = request.headers.get(readings.IDEMPOTENCY_KEY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > readings.IDEMPOTENCY_KEY_MAX_LENGTH:
        raise field_error(
            readings.IDEMPOTENCY_KEY_HEADER,
            f"Must be 1 to {readings.IDEMPOTENCY_KEY_MAX_LENGTH} characters.",
        )
    if problem := text_problem(key):
        raise field_error(readings.IDEMPOTENCY_KEY_HEADER, problem)
    return key


def body_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def replay(business: Business, resource: str, key: str, request_hash: str) -> HttpResponse | None:
    """The stored response for this key, a 409 if the body differs, or None."""
    found = rows.find(IdempotencyRecord, business=business, resource=resource, key=key)
    if not found:
        return None
    record = found[0]
    if record.request_hash != request_hash:
        raise conflict(
            readings.ERROR_IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was already used with a different request body.",
        )
    return HttpResponse(
        record.body,
        status=readings.IDEMPOTENCY_REPLAY_STATUS,
        content_type="application/json",
    )


def store(
    business: Business, resource: str, key: str, request_hash: str, status: int, body: Any
) -> None:
    """Keep a successful response; call inside the transaction that made the object
    (one prepared ``INSERT``, ``rows.insert``: what ``objects.create`` stores)."""
    record = IdempotencyRecord(
        business=business,
        resource=resource,
        key=key,
        request_hash=request_hash,
        status_code=status,
        body=JSONRenderer().render(body).decode("utf-8"),
    )
    rows.insert([record])
