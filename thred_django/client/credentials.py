"""Credentials kept out of every frame's locals, repr and exception.

The API key and bearer tokens travel as ``Secret`` (``client.config``) from the moment
they are read to the moment the ``Authorization`` header is built, and that moment is
``SecretAuth.auth_flow``: httpx calls it with the outgoing request, and it writes the
header without binding the raw value to any local variable. httpx's ``Headers`` repr
masks ``Authorization``, so no frame of a failing call — ``HttpCore.send``,
``ClientCore._call``, the token fetch, httpx's own — holds a readable secret. A debug
page, Sentry or a ``capture_locals`` reporter walking the traceback sees
``<Bearer [redacted]>``.
"""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx

from thred_django.client.config import Secret


class SecretAuth(httpx.Auth):
    """An ``Authorization: <scheme> <credential>`` header built at send time."""

    def __init__(self, scheme: str, credential: Secret) -> None:
        self.scheme = scheme
        self._credential = credential

    @classmethod
    def bearer(cls, token: Secret) -> SecretAuth:
        return cls("Bearer", token)

    @classmethod
    def basic(cls, username: str, password: Secret) -> SecretAuth:
        # One expression: the raw "user:key" and its base64 form are never locals.
        return cls(
            "Basic",
            Secret(base64.b64encode(f"{username}:{password.reveal()}".encode()).decode("ascii")),
        )

    def secrets(self) -> tuple[Secret, ...]:
        """What must never appear in an error built from this request's response."""
        return (self._credential,)

    def sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"{self.scheme} {self._credential.reveal()}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def __repr__(self) -> str:
        return f"<{self.scheme} [redacted]>"

    __str__ = __repr__

    def __reduce__(self) -> tuple[()]:
        raise TypeError("SecretAuth cannot be pickled")
