"""``PooledTransport`` (the client's default transport) against a real local HTTP server.

It must put on the wire what httpx's own ``HTTPTransport`` puts there and hand back the
same responses, reuse keep-alive connections (and drop the ones the server closed), keep
to its pool size, and fail with httpx's exceptions, the connection closed after them.
"""

from __future__ import annotations

import gzip
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from thred_django.client import ThredClient
from thred_django.client.transport import PooledTransport, shared_ssl_context
from thred_django.exceptions import ThredTimeoutError, ThredTransportError


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def version_string(self) -> str:
        return "test-server"

    def date_time_string(self, timestamp: float | None = None) -> str:
        return "Thu, 26 Nov 2026 00:00:00 GMT"

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        port = self.client_address[1]
        self.server.seen.append((self.command, self.path, self.headers.items(), body, port))
        path = self.path.split("?")[0]
        if path == "/hold":
            self.server.holding.set()
            self.server.release.wait(10)
        if path == "/drop":  # read the request, answer nothing
            self.close_connection = True
            return
        if path == "/gzip":
            self._answer(200, gzip.compress(b'{"zipped": true}'), Content_Encoding="gzip")
            return
        if path == "/bye":
            self._answer(200, b"{}", Connection="close")
            self.close_connection = True
            return
        if path == "/idle-close":  # answer keep-alive, then close once the client has it
            self._answer(200, b"{}")
            self.wfile.flush()
            self.close_connection = True
            return
        echo = {"method": self.command, "path": self.path, "body": body.decode()}
        self._answer(201, json.dumps(echo).encode(), Content_Type="application/json", X_Echo="1")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def finish(self) -> None:
        super().finish()
        if self.close_connection:
            self.server.closed.set()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, str, list[tuple[str, str]], bytes, int]] = []
        self.holding = threading.Event()
        self.release = threading.Event()
        self.closed = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


def pooled(max_connections: int = 4, **kwargs: object) -> httpx.Client:
    transport = PooledTransport(ssl_context=shared_ssl_context(), max_connections=max_connections)
    return httpx.Client(transport=transport, **kwargs)  # type: ignore[arg-type]


REQUESTS = [
    ("GET", "/things", {"params": {"page": "2", "q": "a b&c"}}),
    ("POST", "/things", {"json": {"name": "Zoë", "amount": "12.50"}}),
    ("POST", "/token", {"data": {"grant_type": "client_credentials"}}),
    ("PUT", "/things/1", {"content": b"", "headers": {"Idempotency-Key": "k-1"}}),
    ("DELETE", "/things/1", {"headers": {"Authorization": "Bearer t"}}),
    ("GET", "/gzip", {}),
]


def test_the_wire_and_the_answers_are_httpx_own(server: Server):
    with httpx.Client(transport=httpx.HTTPTransport()) as reference, pooled() as ours:
        for method, path, kwargs in REQUESTS:
            expected = reference.request(method, server.url + path, **kwargs)
            seen_expected = server.seen[-1]
            got = ours.request(method, server.url + path, **kwargs)
            seen_got = server.seen[-1]
            assert seen_got[:4] == seen_expected[:4], (method, path)
            assert got.status_code == expected.status_code
            assert got.reason_phrase == expected.reason_phrase
            assert got.headers.multi_items() == expected.headers.multi_items()
            assert got.content == expected.content
            assert got.http_version == "HTTP/1.1"
    assert json.loads(got.content) == {"zipped": True}  # decoded by httpx, as before


def test_keep_alive_connections_are_reused(server: Server):
    with pooled() as client:
        for _ in range(3):
            assert client.get(server.url + "/things").status_code == 201
    assert len({port for *_, port in server.seen}) == 1


def test_an_idle_socket_is_looked_at_outside_the_pool_lock(server: Server, monkeypatch):
    """Polling a socket lets go of the interpreter lock: done under the pool's lock, the
    thread would keep every other request waiting until it gets the interpreter back."""
    transport = PooledTransport(ssl_context=shared_ssl_context(), max_connections=4)
    held: list[bool] = []

    def readable(connection):
        held.append(transport._lock.locked())
        return False

    monkeypatch.setattr("thred_django.client.transport._readable", readable)
    with httpx.Client(transport=transport) as client:
        for _ in range(2):
            assert client.get(server.url + "/things").status_code == 201
    assert held == [False]  # the second call's checkout looked, without the lock


def test_a_connection_the_server_closes_is_not_reused(server: Server):
    with pooled() as client:
        client.get(server.url + "/bye")
        client.get(server.url + "/things")
        client.get(server.url + "/idle-close")
        assert server.closed.wait(5)  # the server closed the idle connection
        assert client.get(server.url + "/things").status_code == 201
    ports = [port for *_, port in server.seen]
    assert ports[0] != ports[1] and ports[1] == ports[2] and ports[2] != ports[3]


def test_no_more_connections_than_the_pool_allows(server: Server):
    with pooled(max_connections=1, timeout=httpx.Timeout(5, pool=0.2)) as client:
        holder = threading.Thread(target=client.get, args=(server.url + "/hold",))
        holder.start()
        assert server.holding.wait(5)
        with pytest.raises(httpx.PoolTimeout):
            client.get(server.url + "/things")
        server.release.set()
        holder.join()
        assert client.get(server.url + "/things").status_code == 201


def test_a_read_timeout_is_httpx_read_timeout_and_the_connection_is_dropped(server: Server):
    with pooled(timeout=httpx.Timeout(5, read=0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(server.url + "/hold")
        server.release.set()
        # the next call may take up to 5 s: 0.2 s is too tight on a loaded machine
        assert client.get(server.url + "/things", timeout=5).status_code == 201
    assert server.seen[-1][4] != server.seen[0][4]  # a new connection after the timeout


def test_no_answer_is_a_protocol_error(server: Server):
    with pooled() as client, pytest.raises(httpx.RemoteProtocolError):
        client.post(server.url + "/drop", json={"a": 1})


def test_refused_and_unknown_hosts_are_connect_errors():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once it is closed
    with pooled() as client:
        with pytest.raises(httpx.ConnectError):
            client.get(f"http://127.0.0.1:{port}/")
        with pytest.raises(httpx.ConnectError):
            client.get("http://no-such-host.invalid/")
        with pytest.raises(httpx.UnsupportedProtocol):
            client.get("ftp://127.0.0.1/")


def test_the_thred_client_maps_its_failures(server: Server, settings):
    settings.THRED = {**settings.THRED, "TRANSPORT": None}  # real HTTP: the default
    with ThredClient(base_url=server.url, timeout=httpx.Timeout(5, read=0.2)) as thred:
        assert isinstance(thred._http._client._transport, PooledTransport)
        with pytest.raises(ThredTimeoutError):
            thred._http.send("GET", "/hold")
        server.release.set()
        with pytest.raises(ThredTransportError):
            thred._http.send("POST", "/drop", json_body={"a": 1})


def test_a_closed_transport_refuses(server: Server):
    client = pooled()
    client.get(server.url + "/things")
    client.close()
    with pytest.raises(RuntimeError):
        client.get(server.url + "/things")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_verifies_the_certificate(tmp_path: Path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    srv = Server()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    srv.socket = served.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    url = f"https://localhost:{srv.server_address[1]}/things"
    try:
        trusting = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(
            transport=PooledTransport(ssl_context=trusting, max_connections=2)
        ) as client:
            assert client.post(url, json={"a": 1}).json()["body"] == '{"a":1}'
        with pooled() as client, pytest.raises(httpx.ConnectError):
            client.get(url)  # a certificate nobody vouches for
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_proxy_from_the_environment_still_carries_the_requests(
    server: Server, settings, monkeypatch
):
    settings.THRED = {**settings.THRED, "TRANSPORT": None}
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with ThredClient(base_url="http://thred.test") as thred:
        thred._http.send("POST", "/v1/things", json_body={"a": 1})
    method, target, *_ = server.seen[-1]
    assert (method, target) == ("POST", "http://thred.test/v1/things")  # through the proxy
