"""An httpx transport for the example project's sync processes: real HTTP, plus a note
of every bearer token the sandbox issues, so the security suite can look for them.

``THRED_TRANSPORT=tests.reliability.token_tap.transport`` with ``THRED_TOKEN_TAP_FILE``
set to a path: each ``access_token`` of a successful token response is appended to that
file, one per line. Nothing else changes: requests go out over the client's default transport
(``PooledTransport``).
"""

from __future__ import annotations

import json
import os
import threading

import httpx

from thred_django.client.transport import pooled
from thred_django.conf import thred_settings

_lock = threading.Lock()


class TokenTap(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, path: str) -> None:
        self.inner = inner
        self.path = path

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/oauth2/token/") and response.status_code == 200:
            response.read()
            try:
                token = json.loads(response.content).get("access_token")
            except (ValueError, AttributeError):
                token = None
            if isinstance(token, str) and token:
                with _lock, open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(token + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
        return response

    def close(self) -> None:
        self.inner.close()


def transport() -> httpx.BaseTransport:
    inner = pooled(int(thred_settings.MAX_CONNECTIONS))
    path = os.environ.get("THRED_TOKEN_TAP_FILE")
    return TokenTap(inner, path) if path else inner
