"""No frame of a failing client call holds a secret in its locals.

Django's debug page, Sentry and any ``capture_locals`` reporter print the locals of
every frame of a traceback. For each way a client call can fail — an error status on a
business call, a 500 on the token fetch, wrong partner credentials, a connection
refused after the token was issued, a token response without ``expires_in`` — this
walks the traceback of the exception the caller gets (and of anything chained to it)
and asserts that no local's ``repr`` contains the API key, its Basic form, or any
bearer token the sandbox issued during the test. The positive control shows the walk
would see a secret held in a plain local.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import httpx
import pytest
from django.conf import settings

from tests.client.sandbox_world import business_payload, customer_payload
from thred_django.client import ThredClient
from thred_django.exceptions import ThredError
from thred_django.sandbox import faults
from thred_django.sandbox.transport import in_process_transport

pytestmark = pytest.mark.django_db

API_KEY = settings.THRED["API_KEY"]
PARTNER_ID = settings.THRED["PARTNER_ID"]
BASIC = base64.b64encode(f"{PARTNER_ID}:{API_KEY}".encode()).decode()


class Recording(httpx.BaseTransport):
    """Hands requests to an inner transport; keeps every access_token it answered, and
    can refuse every request that is not a token request (a connection refused)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.tokens: list[str] = []
        self.refuse_api_calls = False
        self.token_body: dict[str, Any] | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        is_token = request.url.path.endswith("/oauth2/token/")
        if self.refuse_api_calls and not is_token:
            raise httpx.ConnectError("connection refused", request=request)
        if is_token and self.token_body is not None:
            self.tokens.append(self.token_body["access_token"])
            return httpx.Response(200, json=self.token_body)
        response = self.inner.handle_request(request)
        if is_token:
            response.read()
            token = json.loads(response.content).get("access_token")
            if token:
                self.tokens.append(token)
        return response


@pytest.fixture
def transport() -> Recording:
    return Recording(in_process_transport())


def make_client(transport: Recording, **kwargs: Any) -> ThredClient:
    return ThredClient(transport=transport, token_cache=None, **kwargs)


def frames(exc: BaseException) -> Iterator[tuple[str, dict[str, Any]]]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            yield tb.tb_frame.f_code.co_qualname, dict(tb.tb_frame.f_locals)
            tb = tb.tb_next
        pending += [current.__cause__, current.__context__]


def leaks(exc: BaseException, secrets: list[str]) -> list[tuple[str, str]]:
    found = []
    for where, local_vars in frames(exc):
        for name, value in local_vars.items():
            text = repr(value)
            if any(secret in text for secret in secrets):
                found.append((where, name))
    return found


def failure_of(call: Callable[[], Any]) -> BaseException:
    with pytest.raises(ThredError) as info:
        call()
    return info.value


def assert_no_secret_in_locals(exc: BaseException, transport: Recording) -> None:
    secrets = [API_KEY, BASIC, *transport.tokens]
    assert API_KEY and all(len(s) > 8 for s in secrets)
    assert len(list(frames(exc))) >= 3  # the walk went through the client's frames
    assert leaks(exc, secrets) == []


def test_error_status_on_a_business_call(transport):
    with make_client(transport) as client:
        business = client.create_business(business_payload()).data
        exc = failure_of(lambda: client.get_customer(business["id"], str(uuid.uuid4())))
    assert getattr(exc, "status", None) == 404
    assert len(transport.tokens) == 2  # partner and business tokens were issued
    assert_no_secret_in_locals(exc, transport)


def test_validation_error_on_a_create(transport):
    with make_client(transport) as client:
        business = client.create_business(business_payload()).data
        bad = customer_payload(email="not-an-email")
        exc = failure_of(lambda: client.create_customer(business["id"], bad))
    assert getattr(exc, "status", None) == 400
    assert_no_secret_in_locals(exc, transport)


def test_server_error_on_the_token_fetch(transport):
    faults.set_faults(error_500_rate=1.0)
    try:
        with make_client(transport) as client:
            exc = failure_of(lambda: client.create_business(business_payload()))
    finally:
        faults.reset_faults()
    assert getattr(exc, "status", None) == 500
    assert_no_secret_in_locals(exc, transport)


def test_wrong_partner_credentials(transport):
    wrong = "wrong-" + API_KEY[::-1]
    with make_client(transport, api_key=wrong) as client:
        exc = failure_of(lambda: client.create_business(business_payload()))
    assert getattr(exc, "status", None) == 401
    assert leaks(exc, [wrong, base64.b64encode(f"{PARTNER_ID}:{wrong}".encode()).decode()]) == []
    assert_no_secret_in_locals(exc, transport)


def test_connection_refused_after_the_token_was_issued(transport):
    with make_client(transport) as client:
        business = client.create_business(business_payload()).data
        transport.refuse_api_calls = True
        exc = failure_of(lambda: client.get_business(business["id"]))
    assert type(exc).__name__ == "ThredTransportError"
    assert transport.tokens
    assert_no_secret_in_locals(exc, transport)


def test_token_response_without_expiry(transport):
    transport.token_body = {"access_token": "tok-" + uuid.uuid4().hex}
    transport.token_body["expires_in"] = 0
    with make_client(transport) as client:
        exc = failure_of(lambda: client.create_business(business_payload()))
    assert "expires_in" in str(exc)
    assert_no_secret_in_locals(exc, transport)


def test_the_walk_sees_a_secret_held_in_a_plain_local(transport):
    """Positive control: a frame that holds the key in clear text is reported."""

    def careless() -> None:
        key = API_KEY  # noqa: F841 (the point: a local holding the key)
        raise ThredError("boom")

    exc = failure_of(careless)
    assert ("test_the_walk_sees_a_secret_held_in_a_plain_local.<locals>.careless", "key") in (
        leaks(exc, [API_KEY])
    )
