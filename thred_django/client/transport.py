"""The client's default httpx transport: pooled keep-alive HTTP/1.1 connections of the
standard library's ``http.client``.

httpx's own transport (httpcore and h11, in pure Python) spends about three times the
CPU per call that ``http.client`` does; with many calls in flight on I/O threads it was
the largest part of a worker's CPU per record (``benchmarks/bench_io_models.py``,
benchmarks/README.md §7 "The client's transport"). This transport keeps httpx's
``Client`` (requests, responses, auth, timeouts, exceptions) and replaces only the
socket work:

* at most ``max_connections`` requests at once (``httpx.PoolTimeout`` after the
  request's ``pool`` timeout), connections kept alive per origin and reused newest
  first; an idle connection is dropped after ``keepalive_expiry`` seconds, or when the
  server has closed it (its socket reads as ready), before a request could be written
  on it;
* the request's ``connect``, ``write`` and ``read`` timeouts apply to the connection's
  socket in turn;
* failures raise httpx's exceptions (``ConnectError``, ``ConnectTimeout``,
  ``WriteError``, ``WriteTimeout``, ``ReadError``, ``ReadTimeout``,
  ``RemoteProtocolError``), their messages the socket's, never a header; a connection
  that failed is closed, never reused. Nothing is retried here: the engine decides
  (a call that got no answer may have been carried out).

What it does not do, and httpx's ``HTTPTransport`` does: proxies, HTTP/2, SOCKS, Unix
sockets. With a proxy in the environment (``HTTPS_PROXY`` …) the client uses httpx's
own transport instead, as it always did; a platform that needs the others sets
``THRED["TRANSPORT"]`` to a factory of ``httpx.HTTPTransport``.
"""

from __future__ import annotations

import functools
import http.client
import select
import socket
import ssl
import threading
import time
from typing import Any

import httpx

Origin = tuple[str, str, int]

KEEPALIVE_EXPIRY = 5.0  # seconds, as httpx's default pool


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One SSL context for every client of the process (building one costs ~20 ms)."""
    return httpx.create_ssl_context()


def pooled(max_connections: int) -> PooledTransport:
    """The client's default transport: at most ``max_connections`` requests at once."""
    return PooledTransport(ssl_context=shared_ssl_context(), max_connections=max_connections)


class PooledTransport(httpx.BaseTransport):
    """``http.client`` connections behind httpx's transport interface (module doc)."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        max_connections: int,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
    ) -> None:
        self._ssl_context = ssl_context
        self.max_connections = max(1, max_connections)
        self._slots = threading.BoundedSemaphore(self.max_connections)
        self._expiry = keepalive_expiry
        self._idle: dict[Origin, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        if self._closed:
            raise RuntimeError("Cannot send a request, as the transport has been closed.")
        pool_timeout = timeouts.get("pool")
        if not self._slots.acquire(timeout=-1 if pool_timeout is None else pool_timeout):
            raise httpx.PoolTimeout("No connection free within the pool timeout", request=request)
        try:
            return self._send(request, timeouts)
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for _, connection in connections:
                connection.close()

    # --- one request ------------------------------------------------------------------

    def _send(self, request: httpx.Request, timeouts: dict[str, float | None]) -> httpx.Response:
        url = request.url
        origin: Origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        connection = self._checkout(origin) or self._connect(origin, request, timeouts)
        try:
            response, content = self._exchange(connection, request, timeouts)
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self._checkin(origin, connection)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.getheaders()]
        return httpx.Response(
            response.status,
            headers=headers,
            stream=httpx.ByteStream(content),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("latin-1"),
            },
        )

    def _connect(
        self, origin: Origin, request: httpx.Request, timeouts: dict[str, float | None]
    ) -> http.client.HTTPConnection:
        scheme, host, port = origin
        connect_timeout = timeouts.get("connect")
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=connect_timeout, context=self._ssl_context
            )
        elif scheme == "http":
            connection = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        else:
            raise httpx.UnsupportedProtocol(f"Unsupported URL scheme {scheme!r}", request=request)
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise httpx.ConnectTimeout(str(exc) or "Connect timed out", request=request) from None
        except OSError as exc:  # refused, unreachable, name not found, TLS failures
            connection.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from None
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    @staticmethod
    def _exchange(
        connection: http.client.HTTPConnection,
        request: httpx.Request,
        timeouts: dict[str, float | None],
    ) -> tuple[http.client.HTTPResponse, bytes]:
        url = request.url
        target = url.raw_path.decode("ascii")
        try:
            connection.sock.settimeout(timeouts.get("write"))
            connection.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers.raw:
                connection.putheader(name, value)
            body = request.read()
            connection.endheaders(body or None)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(str(exc) or "Write timed out", request=request) from None
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from None
        try:
            connection.sock.settimeout(timeouts.get("read"))
            response = connection.getresponse()
            return response, response.read()
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "Read timed out", request=request) from None
        except http.client.HTTPException as exc:  # no answer, a bad status line, cut short
            message = str(exc) or type(exc).__name__
            raise httpx.RemoteProtocolError(message, request=request) from None
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from None

    # --- the pool -----------------------------------------------------------------------

    def _checkout(self, origin: Origin) -> http.client.HTTPConnection | None:
        """The newest idle connection to ``origin`` still usable, closing the others
        found expired or closed by the server on the way. The socket is looked at
        outside the lock: a system call lets go of the interpreter lock, and a thread
        holding the pool's lock while it waits to get that back makes every other
        request wait too (with 64 calls in flight, a quarter of the worker's samples)."""
        now = time.monotonic()
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                if not idle:
                    return None
                since, connection = idle.pop()
            if now - since < self._expiry and not _readable(connection):
                return connection
            connection.close()

    def _checkin(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed:
                self._idle.setdefault(origin, []).append((time.monotonic(), connection))
                return
        connection.close()


def _readable(connection: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket that reads as ready was closed (or written to) by the
    server: it must not carry a request. A socket already gone counts as readable."""
    sock: Any = connection.sock
    if sock is None or sock.fileno() == -1:
        return True
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(0))
