"""Turn a non-2xx Thred response (or an httpx failure) into a ``ThredError``.

The mapping by status (``errors.md``; 422, 429 and 5xx other than 500 are not documented
by Thred and are mapped the safe way):

    400, 422 → ThredValidationError    401 → ThredAuthenticationError
    403 → ThredPermissionError         404 → ThredNotFoundError
    408 → ThredTimeoutError            409 → ThredConflictError
    429 → ThredRateLimitError          5xx → ThredServerError
    any other status → ThredResponseError

The error body is parsed defensively: ``error`` (message), ``detail`` (a single string,
the entity-type guide's variant), ``details`` (field → messages) and ``error_code`` are
all optional, and a bare DRF-style ``{field: [messages]}`` body counts as ``details``.

Every text that ends up in an exception passes through ``redact`` with the secrets of the
request (API key, bearer token, Basic credentials), so none can leak into a log or a
traceback even if a server or a transport echoes them.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Iterable
from datetime import UTC
from typing import Any

import httpx

from thred_django.client.config import Secret
from thred_django.exceptions import (
    ThredAuthenticationError,
    ThredConflictError,
    ThredError,
    ThredNotFoundError,
    ThredPermissionError,
    ThredRateLimitError,
    ThredResponseError,
    ThredServerError,
    ThredTimeoutError,
    ThredTransportError,
    ThredValidationError,
)

REDACTED = "[redacted]"
MAX_BODY_CHARS = 2000

STATUS_ERRORS: dict[int, type[ThredError]] = {
    400: ThredValidationError,
    401: ThredAuthenticationError,
    403: ThredPermissionError,
    404: ThredNotFoundError,
    408: ThredTimeoutError,
    409: ThredConflictError,
    422: ThredValidationError,
    429: ThredRateLimitError,
}


def error_class_for(status: int) -> type[ThredError]:
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    if status >= 500:
        return ThredServerError
    return ThredResponseError


def redact(value: Any, secrets: Iterable[Secret | str]) -> Any:
    """``value`` with every occurrence of each secret replaced, recursively."""
    needles = [s.reveal() if isinstance(s, Secret) else s for s in secrets if s]
    if not needles:
        return value
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, REDACTED)
        return value
    if isinstance(value, dict):
        return {redact(k, needles): redact(v, needles) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, needles) for v in value]
    return value


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date.

    ``None`` when absent or unreadable; a date in the past gives ``0.0``.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _decode_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        text = response.text
        return text[:MAX_BODY_CHARS] if text else None


def _as_details(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value:
        return {"non_field_errors": value}
    if isinstance(value, str) and value:
        return {"non_field_errors": [value]}
    return {}


def parse_error_body(body: Any, status: int) -> tuple[str, str, dict[str, Any]]:
    """``(message, error_code, details)`` from an error body of any shape."""
    if not isinstance(body, dict):
        return "", "", {}
    message = ""
    for key in ("error", "detail", "message"):
        candidate = body.get(key)
        if isinstance(candidate, str) and candidate.strip():
            message = candidate.strip()
            break
    code = body.get("error_code", body.get("code", ""))
    error_code = code if isinstance(code, str) else str(code or "")
    details = _as_details(body.get("details"))
    if not details and isinstance(body.get("detail"), list | dict):
        details = _as_details(body["detail"])
    known = {"error", "error_code", "code", "detail", "details", "message"}
    if not details and status in (400, 422) and body and not (set(body) & known):
        # A bare DRF serializer error: {"field": ["message", ...], ...}
        details = dict(body)
    return message, error_code, details


def error_from_response(
    response: httpx.Response, *, method: str, path: str, secrets: Iterable[Secret | str] = ()
) -> ThredError:
    """The ``ThredError`` for a non-2xx ``response``."""
    secrets = list(secrets)
    status = response.status_code
    body = redact(_decode_body(response), secrets)
    message, error_code, details = parse_error_body(body, status)
    if not message:
        reason = response.reason_phrase or "error"
        message = f"HTTP {status} {reason}"
        if body is not None and not isinstance(body, dict | list):
            message += " (non-JSON body)"
    cls = error_class_for(status)
    common: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "error_code": error_code,
        "details": details,
        "body": body,
    }
    if cls is ThredRateLimitError:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return ThredRateLimitError(message, retry_after=retry_after, **common)
    return cls(message, **common)


def error_from_exception(
    exc: httpx.HTTPError, *, method: str, path: str, secrets: Iterable[Secret | str] = ()
) -> ThredError:
    """The ``ThredError`` for an httpx failure that produced no usable response.

    Only the exception's class name and its (redacted) message are kept: the httpx
    exception itself holds the request and its Authorization header, so callers raise
    the result ``from None``.
    """
    text = redact(str(exc), list(secrets)) or ""
    message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    cls: type[ThredError]
    if isinstance(exc, httpx.TimeoutException):
        cls = ThredTimeoutError
    elif isinstance(exc, httpx.DecodingError):
        cls = ThredResponseError
    else:
        cls = ThredTransportError
    return cls(message, method=method, path=path)
