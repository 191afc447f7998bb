"""An in-process httpx transport that answers like Thred without doing Thred's work.

``stub_transport()`` (for ``THRED["TRANSPORT"]``) answers token requests with a token,
every create with ``201 {"id": <new uuid>}``, updates with ``200`` and the id in the
path. It keeps nothing, so a benchmark that pushes through it measures the sync engine
alone (its memory, its CPU), not the sandbox. Its responses are built as the client's
own transport builds them (``client.transport``: raw header bytes and the body as a
stream, nothing for httpx to work out), so that what the stub itself costs stays small.
"""

from __future__ import annotations

import json
import uuid

import httpx

_TOKEN = json.dumps({"access_token": "stub-token", "token_type": "Bearer", "expires_in": 3600})
_EXTENSIONS = {"http_version": b"HTTP/1.1"}


def _json(status: int, body: bytes) -> httpx.Response:
    headers = [(b"Content-Type", b"application/json"), (b"Content-Length", b"%d" % len(body))]
    return httpx.Response(
        status, headers=headers, stream=httpx.ByteStream(body), extensions=_EXTENSIONS
    )


class StubTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/oauth2/token/"):
            return _json(200, _TOKEN.encode())
        request.read()
        if request.method == "POST":
            return _json(201, b'{"id": "%s"}' % str(uuid.uuid4()).encode())
        thred_id = path.rstrip("/").rsplit("/", 1)[-1]
        return _json(200, json.dumps({"id": thred_id}).encode())


def stub_transport() -> httpx.BaseTransport:
    return StubTransport()
