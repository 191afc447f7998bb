"""Bearer-token cache: in memory and in a Django cache, one lock per scope.

A *scope* is ``"partner"`` or ``"business:<business_id>"``. The key of a scope is
``thred_django:token:<namespace>:<scope>`` where ``namespace`` is a SHA-256 digest of
(base URL, partner id, API key): two partners, two Thred hosts or a rotated API key never
share tokens, and no key contains a secret. The cached value is only the token and its
times: ``{"access_token", "expires_at", "refresh_at"}`` (epoch seconds).

A token is used until ``refresh_at = expires_at - margin``, where ``margin`` is
``THRED['TOKEN_REFRESH_MARGIN']``, or half of ``expires_in`` when ``expires_in`` is
shorter than twice the margin (so a short-lived token is still used for a while). The
Django cache entry expires at ``refresh_at`` too.

Tokens leave the store as ``Secret`` (``get`` returns one; ``fetch`` callbacks return
one): no caller's frame holds a raw token. ``CachedToken``'s repr leaves the token out.

The Django cache only speeds things up (several processes share tokens): if it fails,
the store logs a warning and carries on with memory only.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import BaseCache, caches
from django.views.decorators.debug import sensitive_variables

from thred_django.client.config import Secret

logger = logging.getLogger("thred_django.client")

PARTNER_SCOPE = "partner"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def business_scope(business_id: str) -> str:
    text = str(business_id)
    if not _SAFE_ID.match(text):  # keep cache keys short and memcached-safe
        text = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"business:{text}"


def refresh_margin(expires_in: float, margin: float) -> float:
    """Seconds before expiry at which a token is renewed."""
    if expires_in < 2 * margin:
        return expires_in / 2
    return margin


@dataclass(frozen=True)
class CachedToken:
    access_token: str = field(repr=False)
    expires_at: float
    refresh_at: float

    def is_fresh(self, now: float) -> bool:
        return now < self.refresh_at

    def as_cache_value(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "refresh_at": self.refresh_at,
        }

    @classmethod
    def from_cache_value(cls, value: Any) -> CachedToken | None:
        if not isinstance(value, dict):
            return None
        token, expires_at, refresh_at = (
            value.get("access_token"),
            value.get("expires_at"),
            value.get("refresh_at"),
        )
        if not isinstance(token, str) or not token:
            return None
        if not isinstance(expires_at, int | float) or not isinstance(refresh_at, int | float):
            return None
        return cls(token, float(expires_at), float(refresh_at))


class TokenStore:
    """Thread-safe token cache; ``get`` fetches at most once per scope at a time."""

    def __init__(
        self,
        *,
        base_url: str,
        partner_id: str,
        api_key: Secret,
        margin: float,
        cache_alias: str | None,
    ) -> None:
        digest = hashlib.sha256("\0".join((base_url, partner_id, api_key.reveal())).encode())
        self.namespace = digest.hexdigest()[:24]
        self.margin = float(margin)
        self.cache_alias = cache_alias
        self._memory: dict[str, CachedToken] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def __repr__(self) -> str:
        return f"<TokenStore cache={self.cache_alias!r} scopes={sorted(self._memory)!r}>"

    def cache_key(self, scope: str) -> str:
        return f"thred_django:token:{self.namespace}:{scope}"

    def get(self, scope: str, fetch: Callable[[], tuple[Secret, float]]) -> Secret:
        """A fresh token for ``scope``; ``fetch() -> (access_token, expires_in)`` if none."""
        entry = self._memory.get(scope)
        if entry is not None and entry.is_fresh(time.time()):
            return Secret(entry.access_token)
        with self._lock_for(scope):
            entry = self.peek(scope)
            if entry is not None:
                return Secret(entry.access_token)
            access_token, expires_in = fetch()
            return Secret(self.put(scope, access_token, expires_in).access_token)

    def peek(self, scope: str) -> CachedToken | None:
        """The fresh cached token of ``scope`` (memory first, then the shared cache)."""
        now = time.time()
        entry = self._memory.get(scope)
        if entry is not None and entry.is_fresh(now):
            return entry
        shared = CachedToken.from_cache_value(self._shared_call("get", self.cache_key(scope)))
        if shared is not None and shared.is_fresh(now):
            self._memory[scope] = shared
            return shared
        return None

    @sensitive_variables("access_token")
    def put(self, scope: str, access_token: Secret | str, expires_in: float) -> CachedToken:
        now = time.time()
        entry = CachedToken(
            access_token.reveal() if isinstance(access_token, Secret) else access_token,
            expires_at=now + expires_in,
            refresh_at=now + expires_in - refresh_margin(expires_in, self.margin),
        )
        self._memory[scope] = entry
        timeout = max(1, int(entry.refresh_at - now))
        self._shared_call("set", self.cache_key(scope), entry.as_cache_value(), timeout)
        return entry

    @sensitive_variables("access_token")
    def invalidate(self, scope: str, access_token: Secret | str | None = None) -> None:
        """Forget ``scope``'s token; with ``access_token``, only if it is still that one
        (a token another thread has just renewed is kept)."""
        if isinstance(access_token, Secret):
            access_token = access_token.reveal()
        entry = self._memory.get(scope)
        if entry is not None and (access_token is None or entry.access_token == access_token):
            self._memory.pop(scope, None)
        key = self.cache_key(scope)
        if access_token is not None:
            shared = CachedToken.from_cache_value(self._shared_call("get", key))
            if shared is None or shared.access_token != access_token:
                return
        self._shared_call("delete", key)

    def clear(self) -> None:
        """Forget every token in memory and the shared cache entries this store knows."""
        for scope in list(self._memory):
            self.invalidate(scope)

    def _lock_for(self, scope: str) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(scope)
            if lock is None:
                lock = self._locks[scope] = threading.Lock()
            return lock

    def _shared_cache(self) -> BaseCache | None:
        if not self.cache_alias:
            return None
        return caches[self.cache_alias]

    @sensitive_variables("args")
    def _shared_call(self, operation: str, *args: Any) -> Any:
        try:
            cache = self._shared_cache()
            if cache is None:
                return None
            return getattr(cache, operation)(*args)
        except Exception as exc:  # the shared cache is an optimisation, never a failure
            logger.warning(
                "Thred token cache %r unavailable for %s: %s",
                self.cache_alias,
                operation,
                type(exc).__name__,
            )
            return None
