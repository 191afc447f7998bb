"""The project's Thred transport: the in-process sandbox, plus a note of every request.

The sandbox stands in for a remote Thred, so each call runs in the public schema (where
its tables are) and the caller's schema is restored afterwards, as a real network call
would leave it. Each request is noted with the schema that sent it, the business its
bearer token is scoped to, and the ``external_id`` it carried: in ``REQUESTS`` (this
process) and, when ``TENANTS_TAP_FILE`` is set, as a JSON line in that file.
"""

from __future__ import annotations

import json
import os
import threading

import httpx
from django.db import connection
from django_tenants.utils import schema_context

from thred_django.sandbox.auth import read_token
from thred_django.sandbox.transport import in_process_transport

REQUESTS: list[dict] = []
_lock = threading.Lock()


def _business_of_token(request: httpx.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer":
        return None
    business = read_token(token).business_id
    return str(business) if business else None


def _external_id(request: httpx.Request) -> str | None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.content:
        return None
    try:
        body = json.loads(request.content)
    except ValueError:
        return None
    return body.get("external_id") if isinstance(body, dict) else None


class Tap(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        schema = connection.schema_name
        with schema_context("public"):
            note = {
                "schema": schema,
                "method": request.method,
                "path": request.url.path,
                "token_business": _business_of_token(request),
                "external_id": _external_id(request),
            }
            response = self.inner.handle_request(request)
            response.read()
        note["status"] = response.status_code
        with _lock:
            REQUESTS.append(note)
            path = os.environ.get("TENANTS_TAP_FILE")
            if path:
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(note) + "\n")
        return response

    def close(self) -> None:
        self.inner.close()


def transport() -> httpx.BaseTransport:
    return Tap(in_process_transport())
