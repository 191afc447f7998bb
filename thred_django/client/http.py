"""The request core: one pooled ``httpx.Client``, one ``send`` that returns a
``ThredResponse`` or raises a ``ThredError``.

It knows nothing of tokens or endpoints: callers pass a ``SecretAuth`` (which writes the
``Authorization`` header only as httpx sends the request, so no local of this module
ever holds a raw credential) and the ``Secret`` values that must never show up in an
exception. It logs one line per request on
the ``thred_django.client`` logger with method, path (no query string), status and
elapsed time only: DEBUG for 2xx, INFO for 4xx, WARNING for 429, 5xx and transport
failures.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import httpx

import thred_django
from thred_django.client.config import Secret
from thred_django.client.credentials import SecretAuth
from thred_django.client.errors import error_from_exception, error_from_response, redact
from thred_django.client.response import ThredResponse
from thred_django.client.transport import pooled, shared_ssl_context
from thred_django.exceptions import ThredError, ThredResponseError

logger = logging.getLogger("thred_django.client")

_NOT_JSON = object()
_URL_CACHE_SIZE = 1024
_BODY_METHODS = ("POST", "PUT", "PATCH")  # httpx gives these a length, 0 when empty

USER_AGENT = f"thred-django/{thred_django.__version__} httpx/{httpx.__version__}"


def _json_default(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    # Decimal and anything else: refuse rather than guess a money representation.
    raise TypeError(f"{type(value).__name__} is not JSON serializable; convert it first")


_BODY = json.JSONEncoder(default=_json_default, separators=(",", ":"))  # made once


def encode_json(data: Any) -> bytes:
    return _BODY.encode(data).encode()


class HttpCore:
    """A thread-safe wrapper of one ``httpx.Client`` bound to a base URL."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: httpx.Timeout,
        transport: httpx.BaseTransport | None,
        max_connections: int,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        if transport is None and not urllib.request.getproxies():
            # With a proxy in the environment httpx builds its own transport, which
            # honours it (``PooledTransport`` does not speak to proxies).
            transport = pooled(max_connections)
        self._client = httpx.Client(
            timeout=timeout,
            limits=limits,  # and ``verify``: for httpx's own transport (proxies)
            transport=transport,
            verify=shared_ssl_context(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )
        # What ``Client.build_request`` merges into every request, read once: the
        # client's headers (its defaults and ours). ``Client.send`` adds the timeout.
        self._headers = self._client.headers.copy()
        self._urls: dict[str, httpx.URL] = {}
        # Every request goes to ``transport``, and ``_exchange`` hands it over itself;
        # httpx's own (None) is reached through ``Client.send``.
        self._transport = transport
        self._timeout = self._client.timeout.as_dict()

    @property
    def closed(self) -> bool:
        return self._client.is_closed

    def close(self) -> None:
        self._client.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        authorization: SecretAuth | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[Secret | str] = (),
        redact_body: bool = False,
    ) -> ThredResponse[Any]:
        """Send one request; return the parsed 2xx response or raise a ``ThredError``.

        ``redact_body`` keeps the response body out of any exception (token responses).
        """
        secret_list: list[Secret | str] = [s for s in secrets if s]
        if authorization is not None:
            secret_list.extend(authorization.secrets())
        request_headers: dict[str, str] = dict(headers or {})
        content: bytes | None = None
        if json_body is not None:
            content = encode_json(json_body)
            request_headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        failure: ThredError | None = None
        try:
            request = self._request(method, path, content, form, params, request_headers)
            response = self._exchange(request, authorization)
        except httpx.HTTPError as exc:
            failure = error_from_exception(exc, method=method, path=path, secrets=secret_list)
            logger.warning(
                "Thred %s %s failed: %s (%.3fs)",
                method,
                path,
                type(exc).__name__,
                time.perf_counter() - started,
            )
        if failure is not None:
            # Raised outside the ``except``: the httpx exception holds the request and its
            # Authorization header, so it must not travel along as __context__.
            raise failure
        elapsed = time.perf_counter() - started
        status = response.status_code
        level = _log_level(status)
        logger.log(level, "Thred %s %s -> %s (%.3fs)", method, path, status, elapsed)
        if not 200 <= status < 300:
            raise error_from_response(response, method=method, path=path, secrets=secret_list)
        return ThredResponse(
            data=self._parse_success(response, method, path, secret_list, redact_body),
            status_code=status,
            method=method,
            path=path,
            elapsed=elapsed,
        )

    def _exchange(self, request: httpx.Request, authorization: SecretAuth | None) -> httpx.Response:
        """``Client.send(request, auth=authorization)``, for the requests ``send`` builds:
        no redirects to follow, no event hooks, one-step auth. Handing the request to the
        transport here spares the client's machinery for those (~0.1 ms of CPU per call
        with many calls in flight); what it does for such a request is done the same way
        (timeout, auth header, the exception's request, reading the body, cookies)."""
        if self._transport is None:
            auth = authorization if authorization is not None else httpx.USE_CLIENT_DEFAULT
            return self._client.send(request, auth=auth)
        if self._client.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        request.extensions["timeout"] = self._timeout
        if authorization is not None:
            authorization.sign(request)
        try:
            response = self._transport.handle_request(request)
        except httpx.RequestError as exc:
            exc.request = request
            raise
        response.request = request
        try:
            response.read()
        finally:
            response.close()
        if "set-cookie" in response.headers:
            self._client.cookies.extract_cookies(response)
        return response

    def _request(
        self,
        method: str,
        path: str,
        content: bytes | None,
        form: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
    ) -> httpx.Request:
        """The request ``Client.request`` would build (same URL, headers, cookies),
        without re-parsing the URL of a path already sent (a create's path is the same
        for every record of a business) or merging the client's settings anew.
        """
        if form is None and not params and not self._client.cookies:
            built = self._plain_request(method, path, content, headers)
            if built is not None:
                return built
        merged = self._headers.copy()
        merged.update(headers)
        return httpx.Request(
            method,
            self._url(path),
            content=content,
            data=dict(form) if form is not None else None,
            params=_query(params),
            headers=merged,
            cookies=self._client.cookies or None,
        )

    def _plain_request(
        self, method: str, path: str, content: bytes | None, headers: dict[str, str]
    ) -> httpx.Request | None:
        """For a request with no form, query or cookies, the ``httpx.Request`` that
        ``_request`` builds through httpx, put together from bytes: the same headers in
        the same order (``Host``, an empty body's length, the client's headers not
        overridden, ``headers``, the body's length). httpx works each of them out anew,
        its header map finding its encoding at every lookup: 15.6 µs a request, against
        6.3 µs from bytes. None when a header is not ASCII (httpx's own path then builds
        it, and refuses it as it always did).
        tests/client/test_requests.py compares them with ``Client.build_request``."""
        ours: list[tuple[bytes, bytes]] = []
        for name, value in headers.items():
            if not (name.isascii() and value.isascii()):
                return None
            ours.append((name.encode(), value.encode()))
        url = self._url(path)
        method = method.upper()
        replaced = {name.lower() for name, _ in ours}
        raw = [] if b"host" in replaced else [(b"Host", url.netloc)]
        if not content and method in _BODY_METHODS and b"content-length" not in replaced:
            raw.append((b"Content-Length", b"0"))
        raw += [h for h in self._headers.raw if h[0].lower() not in replaced]
        raw += ours
        if content and b"content-length" not in replaced:
            raw.append((b"Content-Length", b"%d" % len(content)))
        request = httpx.Request(method, url, headers=raw, stream=httpx.ByteStream(content or b""))
        request.read()
        return request

    def _url(self, path: str) -> httpx.URL:
        url = self._urls.get(path)
        if url is None:
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()  # paths with object ids: keep the cache bounded
            url = self._urls[path] = httpx.URL(self.base_url + path)
        return url

    @staticmethod
    def _parse_success(
        response: httpx.Response,
        method: str,
        path: str,
        secrets: list[Secret | str],
        redact_body: bool,
    ) -> Any:
        if response.status_code == 204 or not response.content:
            if response.status_code == 204:
                return {}
            raise ThredResponseError(
                "Empty body on a success response",
                method=method,
                path=path,
                status=response.status_code,
            )
        try:
            data = response.json()
        except ValueError:
            data = _NOT_JSON  # raised below, without the decoder error (it holds the body)
        if data is _NOT_JSON:
            raise ThredResponseError(
                "Success response is not JSON",
                method=method,
                path=path,
                status=response.status_code,
                body=None if redact_body else redact(response.text[:2000], secrets),
            )
        if not isinstance(data, dict):
            raise ThredResponseError(
                f"Success response is a JSON {type(data).__name__}, not an object",
                method=method,
                path=path,
                status=response.status_code,
                body=None if redact_body else redact(data, secrets),
            )
        return data


def _log_level(status: int) -> int:
    """DEBUG for success, INFO for a 4xx the caller handles, WARNING for 429 and 5xx."""
    if status < 400:
        return logging.DEBUG
    if status == 429 or status >= 500:
        return logging.WARNING
    return logging.INFO


def _query(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Query parameters with ``None`` values dropped and booleans as ``true``/``false``."""
    if not params:
        return None
    query: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            query[key] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            query[key] = [str(v) for v in value]
        else:
            query[key] = str(value)
    return query
