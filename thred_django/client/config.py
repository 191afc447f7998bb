"""Resolve a ``ThredClient``'s arguments against ``THRED`` settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from thred_django.exceptions import ThredConfigurationError

TransportSpec = httpx.BaseTransport | str | Callable[[], httpx.BaseTransport] | None


class Secret:
    """A string that never shows itself in a repr, str or f-string."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('[redacted]')" if self._value else "Secret('')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> Any:
        raise TypeError("Secret cannot be pickled")


def resolve_timeout(
    timeout: float | httpx.Timeout | None, default: float, connect: float
) -> httpx.Timeout:
    """``httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT)``; an explicit ``timeout`` also
    caps the connect timeout."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(float(default), connect=float(connect))
    total = float(timeout)
    return httpx.Timeout(total, connect=min(float(connect), total))


def resolve_transport(spec: TransportSpec) -> httpx.BaseTransport | None:
    """An httpx transport from an instance, a factory or a dotted path to a factory."""
    if spec is None or isinstance(spec, httpx.BaseTransport):
        return spec
    factory: Any = spec
    if isinstance(spec, str):
        try:
            factory = import_string(spec)
        except ImportError as exc:
            raise ThredConfigurationError(
                f"THRED['TRANSPORT'] = {spec!r} cannot be imported: {exc}"
            ) from exc
    if isinstance(factory, httpx.BaseTransport):
        return factory
    if not callable(factory):
        raise ThredConfigurationError(
            f"THRED['TRANSPORT'] must name a callable returning an httpx transport, got {spec!r}"
        )
    transport = factory()
    if not isinstance(transport, httpx.BaseTransport):
        raise ThredConfigurationError(
            f"THRED['TRANSPORT'] factory {spec!r} returned {type(transport).__name__}, "
            "not an httpx.BaseTransport"
        )
    return transport


def check_cache_alias(alias: str | None) -> str | None:
    if alias and alias not in settings.CACHES:
        raise ThredConfigurationError(
            f"THRED['TOKEN_CACHE'] = {alias!r} is not a cache alias in CACHES "
            "(use None to keep tokens in memory only)."
        )
    return alias or None
