"""Exceptions raised by thred_django.

``ThredError`` is the root of everything that went wrong talking to Thred. It carries
the request (method, path) and the response (status, error_code, details, raw body).
Subclasses also inherit the natural Python type (``PermissionError``, ``ValueError``,
``LookupError``, ``TimeoutError``, ``ConnectionError``) so callers may catch either.

Configuration problems are *not* ThredErrors: ``ThredConfigurationError`` derives from
Django's ``ImproperlyConfigured``.

``is_retryable`` is the one classifier of transient vs permanent failures. It is closed
by default: anything it does not recognise is permanent.

No message built here contains a secret: requests are described by method and path only,
and bodies come from Thred's responses, which never echo credentials.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured


class ThredConfigurationError(ImproperlyConfigured):
    """The THRED setting (or a mapping) is missing something or malformed."""


class ThredError(Exception):
    """Root of every failure of a call to the Thred API."""

    default_message = "Thred API error"

    def __init__(
        self,
        message: str | None = None,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        error_code: str = "",
        details: dict[str, Any] | None = None,
        body: Any = None,
    ) -> None:
        self.message = message or self.default_message
        self.method = method
        self.path = path
        self.status = status
        self.error_code = error_code
        self.details: dict[str, Any] = details or {}
        self.body = body
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = []
        if self.method or self.path:
            parts.append(f"{self.method} {self.path}".strip())
        if self.status is not None:
            parts.append(str(self.status))
        if self.error_code:
            parts.append(self.error_code)
        prefix = " ".join(parts)
        text = f"{prefix}: {self.message}" if prefix else self.message
        if self.details:
            fields = "; ".join(
                f"{field}: {' '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                for field, msgs in self.details.items()
            )
            text = f"{text} ({fields})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, error_code={self.error_code!r}, "
            f"method={self.method!r}, path={self.path!r})"
        )


class ThredAuthenticationError(ThredError):
    """401: missing, invalid or expired credentials or token."""

    default_message = "Authentication with Thred failed"


class ThredPermissionError(ThredError, PermissionError):
    """403: the token is valid but may not touch this resource (business scope)."""

    default_message = "Thred refused access to this resource"


class ThredValidationError(ThredError, ValueError):
    """400 (or 422): the request body failed validation; see ``details``."""

    default_message = "Thred rejected the data"


class ThredNotFoundError(ThredError, LookupError):
    """404: the resource does not exist (or belongs to another partner)."""

    default_message = "Not found in Thred"


class ThredConflictError(ThredError):
    """409: duplicate resource or a state conflict."""

    default_message = "Conflict in Thred"


class ThredRateLimitError(ThredError):
    """429: slow down; ``retry_after`` is the number of seconds to wait (or None)."""

    default_message = "Rate limited by Thred"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ThredServerError(ThredError):
    """5xx: Thred failed; the request may or may not have been applied."""

    default_message = "Thred server error"


class ThredTransportError(ThredError, ConnectionError):
    """No usable response: connection refused or reset, DNS, protocol error."""

    default_message = "Could not reach Thred"


class ThredTimeoutError(ThredTransportError, TimeoutError):
    """The request timed out; it may or may not have been applied."""

    default_message = "Thred did not answer in time"


class ThredResponseError(ThredError):
    """A response that is not what the API documents (e.g. not JSON)."""

    default_message = "Unexpected response from Thred"


_RETRYABLE: tuple[type[ThredError], ...] = (
    ThredRateLimitError,
    ThredServerError,
    ThredTransportError,  # includes ThredTimeoutError
)


def is_retryable(exc: BaseException) -> bool:
    """True when ``exc`` is transient: retrying the same request later may succeed.

    Closed by default: validation, permission, not-found, conflict, authentication
    (after the client's own single re-authentication), malformed responses and any
    non-Thred exception are permanent.
    """
    return isinstance(exc, _RETRYABLE)


class PayloadError(ValueError):
    """A mapping built something that cannot be sent as it is (not JSON, money with more
    decimals than its currency, a line whose total is not whole minor units…): the
    message names the field. The record fails with code ``invalid_payload``."""
