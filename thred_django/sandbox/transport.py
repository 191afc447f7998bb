"""An in-process httpx transport onto this Django project (and so the sandbox).

``in_process_transport()`` returns an ``httpx.WSGITransport`` over Django's
``WSGIHandler``. Around each call it disconnects ``close_old_connections`` from
``request_started`` / ``request_finished`` as ``django.test.client.ClientHandler``
does (reference-counted, so concurrent calls from several threads are safe), so a
request made inside a test's transaction keeps using (and sees the uncommitted data
of) that test's database connection. Tests point the client at it with
``THRED["TRANSPORT"] = "thred_django.sandbox.transport.in_process_transport"``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

_lock = threading.Lock()
_active = 0


@contextmanager
def _connections_kept() -> Iterator[None]:
    """Disconnect close_old_connections while any in-process request runs (any thread)."""
    global _active
    with _lock:
        if _active == 0:
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                request_started.connect(close_old_connections)
                request_finished.connect(close_old_connections)


class _KeepConnectionsApp:
    """WSGI app that runs Django without closing database connections."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        with _connections_kept():
            result = self.handler(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()  # fires request_finished while close_old_connections is off
            return [body]


def in_process_transport() -> httpx.BaseTransport:
    """A transport that hands each request to this process's Django."""
    return httpx.WSGITransport(app=_KeepConnectionsApp())
