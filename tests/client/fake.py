"""A scriptable fake of the Thred API for client unit tests (httpx.MockTransport).

It issues real-looking tokens (partner: HTTP Basic; business: exchange with a partner
token), checks the bearer token of every other request, records every request, and
answers routes the test registers with ``on(method, path, handler_or_response)``.
Unregistered routes answer ``200 {"ok": true}``.
"""

from __future__ import annotations

import base64
import itertools
import re
import threading
from collections.abc import Callable
from typing import Any

import httpx

from thred_django.client import ThredClient

BASE_URL = "https://thred.test/api"
PARTNER_ID = "0b7c1a2e-8b7d-4c11-9a55-0e6f2b1d7c44"
API_KEY = "sk_unit_SECRET_api_key_9f8e7d"
BUSINESS_ID = "11111111-2222-4333-8444-555555555555"
OTHER_BUSINESS_ID = "99999999-2222-4333-8444-555555555555"

TOKEN_PATH = "/v1/platform/oauth2/token/"
EXCHANGE_PATH = re.compile(r"^/v1/platform/(?P<business_id>[^/]+)/oauth2/token/$")

Handler = Callable[[httpx.Request], httpx.Response]


class FakeThred:
    def __init__(self, *, expires_in: int = 3600, base_url: str = BASE_URL) -> None:
        self.base_url = base_url
        self.prefix = httpx.URL(base_url).path.rstrip("/")
        self.expires_in = expires_in
        self.requests: list[httpx.Request] = []
        self.partner_tokens: list[str] = []
        self.business_tokens: dict[str, list[str]] = {}
        self.valid: dict[str, str] = {}  # token -> scope ("partner" or business id)
        self.routes: dict[tuple[str, str], Handler] = {}
        self.token_hook: Callable[[httpx.Request], httpx.Response | None] | None = None
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    # --- scripting ----------------------------------------------------------------------

    def on(self, method: str, path: str, answer: Handler | httpx.Response | list[Any]) -> None:
        """Answer ``method path`` with a handler, a fixed response, or a list of
        responses/handlers used in turn (the last one repeats)."""
        if isinstance(answer, httpx.Response):
            fixed = answer
            self.routes[(method, path)] = lambda request: fixed
        elif isinstance(answer, list):
            queue = list(answer)

            def next_answer(request: httpx.Request) -> httpx.Response:
                item = queue.pop(0) if len(queue) > 1 else queue[0]
                return item(request) if callable(item) else item

            self.routes[(method, path)] = next_answer
        else:
            self.routes[(method, path)] = answer

    def revoke_all(self) -> None:
        self.valid.clear()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self, **kwargs: Any) -> ThredClient:
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("partner_id", PARTNER_ID)
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("transport", self.transport())
        return ThredClient(**kwargs)

    # --- inspection -----------------------------------------------------------------------

    def api_path(self, request: httpx.Request) -> str:
        return request.url.path[len(self.prefix) :]

    @property
    def token_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if self.api_path(r) == TOKEN_PATH]

    @property
    def exchange_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if EXCHANGE_PATH.match(self.api_path(r))]

    @property
    def api_requests(self) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if self.api_path(r) != TOKEN_PATH and not EXCHANGE_PATH.match(self.api_path(r))
        ]

    # --- serving --------------------------------------------------------------------------

    def _issue(self, scope: str, prefix: str) -> str:
        token = f"{prefix}-tok-{next(self._counter)}-zz"
        self.valid[token] = scope
        return token

    def _bearer_scope(self, request: httpx.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return self.valid.get(header[len("Bearer ") :])

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        path = self.api_path(request)
        if path == TOKEN_PATH and request.method == "POST":
            return self._partner_token(request)
        match = EXCHANGE_PATH.match(path)
        if match and request.method == "POST":
            return self._business_token(request, match["business_id"])
        scope = self._bearer_scope(request)
        if scope is None:
            return httpx.Response(401, json={"error": "bad token", "error_code": "invalid_token"})
        route = self.routes.get((request.method, path))
        if route is not None:
            return route(request)
        return httpx.Response(200, json={"ok": True})

    def _partner_token(self, request: httpx.Request) -> httpx.Response:
        if self.token_hook is not None:
            hooked = self.token_hook(request)
            if hooked is not None:
                return hooked
        expected = base64.b64encode(f"{PARTNER_ID}:{API_KEY}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return httpx.Response(
                401, json={"error": "invalid credentials", "error_code": "authentication_required"}
            )
        with self._lock:
            token = self._issue("partner", "partner")
            self.partner_tokens.append(token)
        return httpx.Response(
            200, json={"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        )

    def _business_token(self, request: httpx.Request, business_id: str) -> httpx.Response:
        if self._bearer_scope(request) != "partner":
            return httpx.Response(401, json={"error": "bad token", "error_code": "invalid_token"})
        with self._lock:
            token = self._issue(business_id, f"biz-{business_id[:4]}")
            self.business_tokens.setdefault(business_id, []).append(token)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "scope": "business_access",
                "business_id": business_id,
            },
        )
