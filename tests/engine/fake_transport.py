"""A transport in front of the in-process sandbox that records requests and can answer
chosen requests itself (403, 404, 429 …) — the shared fake for engine tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from thred_django.sandbox.transport import in_process_transport


@dataclass
class Rule:
    matches: Callable[[httpx.Request], bool]
    response: Callable[[], httpx.Response]
    times: int = 1
    after_sandbox: bool = False  # let the sandbox apply the request, then answer this


def _matching(method: str, path_part: str) -> Callable[[httpx.Request], bool]:
    return lambda req: req.method == method and path_part in req.url.path


class WorkerKilled(BaseException):
    """Raised in place of an answer: the worker making the call dies there (nothing it
    would have written after the call is written)."""


class RecordingTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner: httpx.BaseTransport | None = None
        self.requests: list[httpx.Request] = []
        self.rules: list[Rule] = []

    def reset(self) -> None:
        self.requests.clear()
        self.rules.clear()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.inner is None:
            self.inner = in_process_transport()
        request.read()
        self.requests.append(request)
        for rule in list(self.rules):
            if rule.matches(request):
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
                if rule.after_sandbox:
                    self.inner.handle_request(request).read()
                return rule.response()
        return self.inner.handle_request(request)

    # --- helpers for tests ---------------------------------------------------------------
    def answer(
        self,
        method: str,
        path_part: str,
        status: int,
        body: dict | None = None,
        times: int = 1,
        headers: dict | None = None,
        after_sandbox: bool = False,
    ) -> None:
        def response() -> httpx.Response:
            return httpx.Response(status, json=body or {}, headers=headers or {})

        self.rules.append(Rule(_matching(method, path_part), response, times, after_sandbox))

    def kill_on(self, method: str, path_part: str, *, landed: bool) -> None:
        """The next matching call kills its worker (``WorkerKilled``): after the sandbox
        applied it (``landed``) or before (the request is still on its way: replay it
        from ``calls`` to land it later)."""

        def killed() -> httpx.Response:
            raise WorkerKilled(f"killed during {method} {path_part}")

        self.rules.append(Rule(_matching(method, path_part), killed, 1, landed))

    def calls(self, method: str | None = None, path_part: str = "") -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method)
            and path_part in r.url.path
            and "oauth2/token" not in r.url.path
        ]

    def bodies(self, method: str, path_part: str) -> list[dict]:
        return [json.loads(r.content or b"{}") for r in self.calls(method, path_part)]


TRANSPORT = RecordingTransport()


def factory() -> RecordingTransport:
    return TRANSPORT
