"""Partner credentials and bearer tokens of the sandbox.

Credentials are ``THRED_SANDBOX["PARTNERS"]`` (``{partner_uuid: api_key}``) or, when
that is None, the ``PARTNER_ID``/``API_KEY`` of the ``THRED`` setting. Tokens are
stateless: ``django.core.signing`` payloads (partner id, business id or None, expiry)
under a sandbox salt, so checking one costs no database query. A token of a partner
no longer configured is refused.

``authenticate(request, mode, business_id)`` is the one gate used by every API view:

* ``basic``  — HTTP Basic partner_uuid:api_key (token endpoint, control endpoints);
* ``partner`` — partner bearer token only (businesses, token exchange);
* ``business`` — the business token of that business, or the partner token;
* ``business_only`` — the business token of that business only (bill payments).

Functions that must hold a raw key or token in a local are marked with Django's
``sensitive_variables``, so the debug page and ``AdminEmailHandler`` show stars there;
``thred_django.debug.ThredExceptionReporterFilter`` also hides the ``PARTNERS`` keys
in the settings section.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from thred_django.conf import sandbox_settings, thred_settings
from thred_django.sandbox import readings
from thred_django.sandbox.errors import SandboxError, permission_denied

TOKEN_SALT = "thred_django.sandbox.token"
MODES = ("basic", "partner", "business", "business_only")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a partner, optionally narrowed to one business."""

    partner_id: str
    business_id: str | None = None

    @property
    def is_business_token(self) -> bool:
        return self.business_id is not None


@sensitive_variables("partners", "api_key")
def partner_credentials() -> dict[str, str]:
    """``{partner_uuid: api_key}`` the sandbox accepts right now."""
    partners = sandbox_settings.PARTNERS
    if partners is None:
        partner_id, api_key = thred_settings.PARTNER_ID, thred_settings.API_KEY
        return {str(partner_id).lower(): str(api_key)} if partner_id and api_key else {}
    return {str(pid).lower(): str(key) for pid, key in dict(partners).items()}


def issue_token(partner_id: str, business_id: str | None = None) -> tuple[str, int]:
    """A signed bearer token and its lifetime in seconds."""
    ttl = int(sandbox_settings.TOKEN_TTL)
    payload = {"p": partner_id, "b": business_id, "x": int(time.time()) + ttl}
    return signing.dumps(payload, salt=TOKEN_SALT), ttl


@sensitive_variables("token", "payload")
def read_token(token: str) -> Principal:
    """The principal of a token, or ``SandboxError`` 401 ``invalid_token``."""
    try:
        partner_id, business_id, expires = _signed(
            token, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS)
        )
    except signing.BadSignature:
        raise _invalid_token("Token is malformed or invalid.") from None
    if time.time() >= expires:
        raise _invalid_token("Token has expired.")
    if partner_id not in partner_credentials():
        raise _invalid_token("Token belongs to an unknown partner.")
    return Principal(partner_id=partner_id, business_id=business_id)


@functools.lru_cache(maxsize=1024)
@sensitive_variables("token", "payload")
def _signed(token: str, key: str, fallbacks: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """What a token signed with ``key`` (or a fallback) says: (partner, business,
    expiry); ``BadSignature`` otherwise. Every API call presents its token twice (fault
    settings, then authentication) and an engine the same one for many calls: checking
    the signature once per process and key saves ~0.1 ms per call. The expiry and the
    partner are checked on every use (``read_token``)."""
    payload = signing.loads(token, key=key, fallback_keys=list(fallbacks), salt=TOKEN_SALT)
    if not isinstance(payload, dict) or not {"p", "b", "x"} <= payload.keys():
        raise signing.BadSignature("Token is malformed or invalid.")
    return payload["p"], payload["b"], payload["x"]


@sensitive_variables("value", "decoded", "api_key", "expected")
def check_basic(request: HttpRequest) -> str:
    """The partner id of valid HTTP Basic partner credentials, else 401."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise SandboxError(
            401,
            "authentication_required",
            "Partner credentials required (HTTP Basic partner_uuid:api_key).",
            headers={"WWW-Authenticate": 'Basic realm="thred"'},
        )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # ValueError: non-ASCII; UnicodeDecodeError is one
        raise _bad_credentials() from None
    partner_id, sep, api_key = decoded.partition(":")
    expected = partner_credentials().get(partner_id.lower())
    if not sep or expected is None or not hmac.compare_digest(expected, api_key):
        raise _bad_credentials()
    return partner_id.lower()


@sensitive_variables("token")
def authenticate(request: HttpRequest, mode: str, business_id: str | None = None) -> Principal:
    """Check the request's credentials for ``mode`` (see the module docstring)."""
    if mode == "basic":
        return Principal(partner_id=check_basic(request))
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SandboxError(
            401,
            "authentication_required",
            "Authentication credentials were not provided (Authorization: Bearer <token>).",
            headers={"WWW-Authenticate": 'Bearer realm="thred"'},
        )
    principal = read_token(token.strip())
    if mode == "partner" and principal.is_business_token:
        raise permission_denied("This endpoint needs the partner token, not a business token.")
    if mode == "business_only" and not principal.is_business_token:
        raise permission_denied(
            "This endpoint needs a business-scoped token; the partner token is not accepted."
        )
    scoped = mode in ("business", "business_only") and principal.is_business_token
    if scoped and principal.business_id != (business_id or "").lower():
        raise permission_denied("The token is scoped to another business.")
    return principal


@sensitive_variables("scheme", "value")
def peek_partner(request: HttpRequest) -> str | None:
    """The partner a request's credentials name, if they are valid, else None (no
    error): which partner's fault settings apply, before authentication proper."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    try:
        if scheme.lower() == "bearer" and value.strip():
            return read_token(value.strip()).partner_id
        if scheme.lower() == "basic":
            return check_basic(request)
    except SandboxError:
        return None
    return None


def _invalid_token(message: str) -> SandboxError:
    return SandboxError(
        401,
        "invalid_token",
        message,
        headers={"WWW-Authenticate": 'Bearer realm="thred", error="invalid_token"'},
    )


def _bad_credentials() -> SandboxError:
    return SandboxError(
        401,
        readings.ERROR_BAD_CREDENTIALS,
        "Invalid partner credentials.",
        headers={"WWW-Authenticate": 'Basic realm="thred"'},
    )
