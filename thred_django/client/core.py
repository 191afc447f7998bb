"""``ClientCore``: configuration, tokens and the one ``_call`` every endpoint goes through.

Order of steps for a bearer call (``_call``):

1. look the endpoint up in ``endpoints.ENDPOINTS`` and build its path;
2. take the token of its scope from the ``TokenStore`` (partner token for businesses and
   the exchange, the business token of ``business_id`` for everything beneath a
   business), fetching it once if none is fresh;
3. send; on ``401`` drop that token, fetch a new one and send once more; a second ``401``
   raises ``ThredAuthenticationError``. Nothing else is retried here: the sync engine
   owns retries and backoff (``thred_django.exceptions.is_retryable``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from thred_django import metrics
from thred_django.client.auth import PARTNER_SCOPE, TokenStore, business_scope
from thred_django.client.config import (
    Secret,
    TransportSpec,
    check_cache_alias,
    resolve_timeout,
    resolve_transport,
)
from thred_django.client.credentials import SecretAuth
from thred_django.client.endpoints import ENDPOINTS, Auth, Endpoint
from thred_django.client.http import HttpCore
from thred_django.client.pagination import PAGE_SIZE, iterate_pages
from thred_django.client.response import ThredResponse
from thred_django.client.types import BusinessTokenResponse, TokenResponse
from thred_django.conf import thred_settings
from thred_django.exceptions import (
    ThredAuthenticationError,
    ThredConfigurationError,
    ThredError,
    ThredResponseError,
)

logger = logging.getLogger("thred_django.client")

# Thred documents expires_in as required and always 3600; if a response ever omits it,
# assume the documented value (a 401 renews the token anyway).
DEFAULT_EXPIRES_IN = 3600


class _Default:
    def __repr__(self) -> str:
        return "<from THRED settings>"


FROM_SETTINGS: Any = _Default()


def _token_parts(data: Any) -> tuple[Secret | None, Any]:
    """``(Secret(access_token) or None, raw expires_in)`` of a token response body."""
    if not isinstance(data, dict):
        return None, 0
    token = data.get("access_token")
    expires_in = data.get("expires_in", DEFAULT_EXPIRES_IN)
    return (Secret(token) if isinstance(token, str) and token else None), expires_in


class ClientCore:
    """Shared machinery of ``ThredClient``; the resource mixins build on ``_call``."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        partner_id: str | None = None,
        api_key: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        transport: TransportSpec = None,
        token_cache: str | None = FROM_SETTINGS,
    ) -> None:
        # The key goes into a Secret at once; neither ``api_key`` nor ``conf`` keeps it as
        # a local a traceback of a failing construction would show.
        self._api_key = Secret(str(api_key if api_key is not None else thred_settings.API_KEY))
        del api_key
        conf = {k: v for k, v in thred_settings.as_dict().items() if k != "API_KEY"}
        self.base_url = str(base_url if base_url is not None else conf["BASE_URL"]).rstrip("/")
        self.partner_id = str(partner_id if partner_id is not None else conf["PARTNER_ID"])
        cache_alias = check_cache_alias(
            conf["TOKEN_CACHE"] if token_cache is FROM_SETTINGS else token_cache
        )
        self.timeout = resolve_timeout(timeout, conf["TIMEOUT"], conf["CONNECT_TIMEOUT"])
        self._http = HttpCore(
            base_url=self.base_url,
            timeout=self.timeout,
            transport=resolve_transport(transport if transport is not None else conf["TRANSPORT"]),
            max_connections=int(conf["MAX_CONNECTIONS"]),
        )
        self._tokens = TokenStore(
            base_url=self.base_url,
            partner_id=self.partner_id,
            api_key=self._api_key,
            margin=float(conf["TOKEN_REFRESH_MARGIN"]),
            cache_alias=cache_alias,
        )

    # --- lifecycle --------------------------------------------------------------------

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<{type(self).__name__} {self.base_url} partner={self.partner_id}{state}>"

    __str__ = __repr__

    @property
    def closed(self) -> bool:
        return self._http.closed

    def close(self) -> None:
        """Close the connection pool. Cached tokens stay in the shared cache."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def forget_tokens(self) -> None:
        """Drop every cached token of this client (memory and shared cache)."""
        self._tokens.clear()

    # --- tokens -----------------------------------------------------------------------

    def get_partner_token(self) -> ThredResponse[TokenResponse]:
        """POST /v1/platform/oauth2/token/: a new partner token (also cached)."""
        response = self._fetch_partner_token()
        self._tokens.put(PARTNER_SCOPE, *self._token_fields(response))
        return response

    def get_business_token(self, business_id: str) -> ThredResponse[BusinessTokenResponse]:
        """POST /v1/platform/{business_id}/oauth2/token/: a new business token (also cached)."""
        response = self._fetch_business_token(business_id)
        self._tokens.put(business_scope(business_id), *self._token_fields(response))
        return response

    def _fetch_partner_token(self) -> ThredResponse[TokenResponse]:
        if not self.partner_id or not self._api_key:
            raise ThredConfigurationError(
                "THRED['PARTNER_ID'] and THRED['API_KEY'] must be set to authenticate with Thred."
            )
        endpoint = ENDPOINTS["get_partner_token"]
        return self._http.send(
            endpoint.method,
            endpoint.path,
            authorization=SecretAuth.basic(self.partner_id, self._api_key),
            form={"grant_type": "client_credentials", "client_id": self.partner_id},
            secrets=(self._api_key,),
            redact_body=True,
        )

    def _fetch_business_token(self, business_id: str) -> ThredResponse[BusinessTokenResponse]:
        return self._call("get_business_token", redact_body=True, business_id=business_id)

    @staticmethod
    def _token_fields(response: ThredResponse[Any]) -> tuple[Secret, float]:
        """``(access_token, expires_in)`` of a token response; never echoes the body.

        The token is wrapped (``_token_parts``) before anything can fail here;
        ``response`` keeps it too, but ``ThredResponse``'s repr leaves ``data`` out.
        """
        token, expires_in = _token_parts(response.data)
        if not token:
            raise ThredResponseError(
                "Token response has no access_token",
                method=response.method,
                path=response.path,
                status=response.status_code,
            )
        if isinstance(expires_in, str) and expires_in.strip().isdigit():
            expires_in = int(expires_in)
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
            expires_in = 0
        if expires_in <= 0:
            raise ThredResponseError(
                "Token response has no positive expires_in",
                method=response.method,
                path=response.path,
                status=response.status_code,
            )
        return token, float(expires_in)

    def _token_getter(
        self, endpoint: Endpoint, path_params: Mapping[str, Any]
    ) -> tuple[str, Callable[[], Secret]]:
        """``(scope, get_token)`` for a bearer endpoint."""
        if endpoint.auth is Auth.PARTNER:
            return PARTNER_SCOPE, lambda: self._tokens.get(
                PARTNER_SCOPE, lambda: self._token_fields(self._fetch_partner_token())
            )
        business_id = str(path_params["business_id"])
        scope = business_scope(business_id)
        return scope, lambda: self._tokens.get(
            scope, lambda: self._token_fields(self._fetch_business_token(business_id))
        )

    # --- calls ------------------------------------------------------------------------

    def send_operation(
        self,
        name: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        **path_params: Any,
    ) -> ThredResponse[Any]:
        """Any bearer endpoint of the table by name (``create_invoice``, ``void_invoice``…):
        what the typed methods do, for callers that read the operation from a resource
        spec (``thred_django.specs``)."""
        return self._call(name, body=body, headers=headers, **path_params)

    def list_operation(
        self, name: str, filters: Mapping[str, Any], **path_params: Any
    ) -> Iterator[Any]:
        """Every item of the list endpoint ``name``, lazily (see ``_list``)."""
        return self._list(name, filters, **path_params)

    def _call(
        self,
        name: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        redact_body: bool = False,
        **path_params: Any,
    ) -> ThredResponse[Any]:
        """Send the bearer endpoint ``name``; re-authenticate once on 401."""
        endpoint = ENDPOINTS[name]
        if endpoint.auth is Auth.BASIC:
            raise ValueError(f"{name} is not a bearer endpoint")
        path = endpoint.format(**path_params)
        scope, get_token = self._token_getter(endpoint, path_params)

        def send(token: Secret) -> ThredResponse[Any]:
            started, status = time.perf_counter(), None
            try:
                response = self._http.send(
                    endpoint.method,
                    path,
                    authorization=SecretAuth.bearer(token),
                    json_body=body,
                    params=params,
                    headers=headers,
                    secrets=(self._api_key,),
                    redact_body=redact_body,
                )
                status = response.status_code
                return response
            except ThredError as exc:
                status = exc.status
                raise
            finally:  # by endpoint name: bounded labels, never a path with ids
                metrics.called(name, status, time.perf_counter() - started)

        token = get_token()
        try:
            return send(token)
        except ThredAuthenticationError:
            logger.info(
                "Thred %s %s -> 401: renewing the token, retrying once", endpoint.method, path
            )
            self._tokens.invalidate(scope, token)
        return send(get_token())

    def _list(self, name: str, filters: Mapping[str, Any], **path_params: Any) -> Iterator[Any]:
        """Every item of the list endpoint ``name`` (lazy: pages are fetched as you iterate).

        ``filters`` become query parameters; ``page`` sets the first page and
        ``page_size`` (default and maximum 100) the page size.
        """
        endpoint = ENDPOINTS[name]
        endpoint.format(**path_params)  # fail now, not on first iteration
        query = dict(filters)
        first_page = int(query.pop("page", 1) or 1)
        page_size = min(int(query.pop("page_size", PAGE_SIZE) or PAGE_SIZE), PAGE_SIZE)

        def fetch(page: int) -> ThredResponse[Any]:
            return self._call(
                name, params={**query, "page": page, "page_size": page_size}, **path_params
            )

        return iterate_pages(fetch, first_page=first_page, page_size=page_size)
