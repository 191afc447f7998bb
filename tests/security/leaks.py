"""What counts as a leaked secret, and a scanner for it.

Secrets of a run: the partner API key, the HTTP Basic value built from it, and every
bearer token the sandbox issued (collected from the token responses by a wrapping
transport). Besides those exact strings, anything shaped like a sandbox token — a
``django.core.signing`` value whose payload starts ``{"p":`` (base64 ``eyJwIjo``) — is a
leak too, so a token the collector missed is still caught.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

# {"p": … base64url-encoded: the start of every sandbox token (auth.issue_token).
TOKEN_SHAPE = re.compile(r"eyJwIjo[A-Za-z0-9_\-]{10,}")


@dataclass
class Secrets:
    partner_id: str
    api_key: str
    tokens: set[str] = field(default_factory=set)

    @property
    def basic(self) -> str:
        return base64.b64encode(f"{self.partner_id}:{self.api_key}".encode()).decode()

    def needles(self) -> dict[str, str]:
        found = {"API key": self.api_key, "Basic credentials": self.basic}
        for i, token in enumerate(sorted(self.tokens)):
            found[f"token #{i}"] = token
            # A cut-down token is still a token: its signature part alone is enough.
            found[f"token #{i} signature"] = token.rsplit(":", 1)[-1]
        return found

    def leaks(self, where: str, text: str) -> list[str]:
        problems = [
            f"{where}: contains the {name}"
            for name, value in self.needles().items()
            if value in text
        ]
        problems += [
            f"{where}: contains a token-shaped string {m.group(0)[:16]}…"
            for m in TOKEN_SHAPE.finditer(text)
        ]
        return problems

    def scan(self, texts: Iterable[tuple[str, str]]) -> list[str]:
        problems: list[str] = []
        for where, text in texts:
            problems += self.leaks(where, text)
        return problems


class TokenCollector(httpx.BaseTransport):
    """Wraps a transport; notes the access_token of every successful token response."""

    def __init__(self, inner: httpx.BaseTransport, secrets: Secrets) -> None:
        self.inner = inner
        self.secrets = secrets
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/oauth2/token/") and response.status_code == 200:
            response.read()
            token = json.loads(response.content).get("access_token")
            if token:
                with self._lock:
                    self.secrets.tokens.add(token)
        return response
