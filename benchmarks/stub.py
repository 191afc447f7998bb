"""An in-process httpx transport that answers like Thred without doing Thred's work.

``stub_transport()`` (for ``THRED["TRANSPORT"]``) answers token requests with a token,
every create with ``201 {"id": <new uuid>}``, updates with ``200`` and the id in the
path. It keeps nothing, so a benchmark that pushes through it measures the sync engine
alone (its memory, its CPU), not the sandbox.
"""

from __future__ import annotations

import json
import uuid

import httpx

_TOKEN = json.dumps({"access_token": "stub-token", "token_type": "Bearer", "expires_in": 3600})


class StubTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        headers = {"Content-Type": "application/json"}
        if path.endswith("/oauth2/token/"):
            return httpx.Response(200, content=_TOKEN.encode(), headers=headers)
        request.read()
        if request.method == "POST":
            body = json.dumps({"id": str(uuid.uuid4())}).encode()
            return httpx.Response(201, content=body, headers=headers)
        thred_id = path.rstrip("/").rsplit("/", 1)[-1]
        return httpx.Response(200, content=json.dumps({"id": thred_id}).encode(), headers=headers)


def stub_transport() -> httpx.BaseTransport:
    return StubTransport()
