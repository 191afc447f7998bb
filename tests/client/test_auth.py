"""Tokens: the grant, the exchange, caching, refresh before expiry, 401 re-auth, threads."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings

from tests.client.fake import (
    API_KEY,
    BUSINESS_ID,
    OTHER_BUSINESS_ID,
    PARTNER_ID,
    FakeThred,
)
from thred_django.client import ThredClient
from thred_django.client.auth import refresh_margin
from thred_django.exceptions import (
    ThredAuthenticationError,
    ThredConfigurationError,
    ThredResponseError,
)

T0 = datetime(2025, 1, 15, 9, 0, 0, tzinfo=UTC)


def _bearer(request: httpx.Request) -> str:
    return request.headers["Authorization"].removeprefix("Bearer ")


def test_partner_token_request_shape(fake: FakeThred, client: ThredClient):
    response = client.get_partner_token()
    (request,) = fake.token_requests
    assert request.method == "POST"
    expected = base64.b64encode(f"{PARTNER_ID}:{API_KEY}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [PARTNER_ID],
    }
    assert response.status_code == 200
    assert response.path == "/v1/platform/oauth2/token/"
    assert response.data["access_token"] == fake.partner_tokens[0]
    assert response.data["expires_in"] == 3600


def test_business_token_exchange_uses_partner_token(fake: FakeThred, client: ThredClient):
    response = client.get_business_token(BUSINESS_ID)
    (exchange,) = fake.exchange_requests
    assert exchange.url.path.endswith(f"/v1/platform/{BUSINESS_ID}/oauth2/token/")
    assert _bearer(exchange) == fake.partner_tokens[0]
    assert response.data["access_token"] == fake.business_tokens[BUSINESS_ID][0]
    assert response.data["scope"] == "business_access"


def test_public_token_methods_feed_the_cache(fake: FakeThred, client: ThredClient):
    token = client.get_business_token(BUSINESS_ID).data["access_token"]
    client.get_customer(BUSINESS_ID, "c1")
    assert _bearer(fake.api_requests[-1]) == token
    assert len(fake.exchange_requests) == 1


def test_scopes_partner_for_businesses_business_for_sub_resources(
    fake: FakeThred, client: ThredClient
):
    client.get_business(BUSINESS_ID)
    client.get_customer(BUSINESS_ID, "c1")
    client.get_vendor(OTHER_BUSINESS_ID, "v1")
    get_business, get_customer, get_vendor = fake.api_requests
    assert _bearer(get_business) == fake.partner_tokens[0]
    assert _bearer(get_customer) == fake.business_tokens[BUSINESS_ID][0]
    assert _bearer(get_vendor) == fake.business_tokens[OTHER_BUSINESS_ID][0]


def test_tokens_are_cached_across_calls(fake: FakeThred, client: ThredClient):
    for _ in range(5):
        client.get_business(BUSINESS_ID)
        client.get_customer(BUSINESS_ID, "c1")
        client.get_bill(BUSINESS_ID, "b1")
    assert len(fake.token_requests) == 1
    assert len(fake.exchange_requests) == 1
    assert len(fake.api_requests) == 15


def test_refresh_before_expiry_uses_margin(fake: FakeThred, client: ThredClient):
    # expires_in 3600, margin 300 (default): renewed from 3300 s on.
    with time_machine.travel(T0, tick=False) as traveller:
        client.get_business(BUSINESS_ID)
        traveller.move_to(T0 + timedelta(seconds=3299))
        client.get_business(BUSINESS_ID)
        assert len(fake.partner_tokens) == 1
        traveller.move_to(T0 + timedelta(seconds=3301))
        client.get_business(BUSINESS_ID)
        assert len(fake.partner_tokens) == 2
        first, second, third = fake.api_requests
        assert _bearer(first) == _bearer(second) == fake.partner_tokens[0]
        assert _bearer(third) == fake.partner_tokens[1]


@override_settings(THRED={"TOKEN_REFRESH_MARGIN": 60})
def test_refresh_margin_comes_from_settings():
    fake = FakeThred(expires_in=3600)
    client = fake.client()
    with time_machine.travel(T0, tick=False) as traveller:
        client.get_business(BUSINESS_ID)
        traveller.move_to(T0 + timedelta(seconds=3539))
        client.get_business(BUSINESS_ID)
        assert len(fake.partner_tokens) == 1
        traveller.move_to(T0 + timedelta(seconds=3541))
        client.get_business(BUSINESS_ID)
        assert len(fake.partner_tokens) == 2


def test_short_lived_token_uses_half_its_lifetime_as_margin():
    fake = FakeThred(expires_in=100)  # < 2 * 300: margin becomes 50 s
    client = fake.client()
    with time_machine.travel(T0, tick=False) as traveller:
        client.get_customer(BUSINESS_ID, "c1")
        traveller.move_to(T0 + timedelta(seconds=49))
        client.get_customer(BUSINESS_ID, "c1")
        assert len(fake.business_tokens[BUSINESS_ID]) == 1
        traveller.move_to(T0 + timedelta(seconds=51))
        client.get_customer(BUSINESS_ID, "c1")
        assert len(fake.business_tokens[BUSINESS_ID]) == 2


@pytest.mark.parametrize(
    ("expires_in", "margin", "expected"),
    [(3600, 300, 300), (600, 300, 300), (599, 300, 299.5), (100, 300, 50), (10, 0, 0)],
)
def test_refresh_margin_rule(expires_in, margin, expected):
    assert refresh_margin(expires_in, margin) == expected


def test_tokens_shared_between_clients_through_django_cache(fake: FakeThred):
    first, second = fake.client(), fake.client()
    first.get_customer(BUSINESS_ID, "c1")
    second.get_customer(BUSINESS_ID, "c1")
    second.get_business(BUSINESS_ID)
    assert len(fake.token_requests) == 1
    assert len(fake.exchange_requests) == 1


def test_memory_only_cache_is_not_shared(fake: FakeThred):
    first, second = fake.client(token_cache=None), fake.client(token_cache=None)
    first.get_business(BUSINESS_ID)
    second.get_business(BUSINESS_ID)
    assert len(fake.token_requests) == 2
    assert caches["default"].get(first._tokens.cache_key("partner")) is None


def test_cache_keys_and_values_hold_no_api_key(fake: FakeThred, client: ThredClient):
    client.get_customer(BUSINESS_ID, "c1")
    cache = caches["default"]
    store = client._tokens
    for scope in ("partner", f"business:{BUSINESS_ID}"):
        key = store.cache_key(scope)
        assert API_KEY not in key
        assert key.startswith("thred_django:token:")
        value = cache.get(key)
        assert set(value) == {"access_token", "expires_at", "refresh_at"}
        assert API_KEY not in repr(value)
    assert cache.get(store.cache_key("partner"))["access_token"] == fake.partner_tokens[0]


def test_different_api_key_or_base_url_does_not_reuse_tokens(fake: FakeThred):
    good = fake.client()
    good.get_business(BUSINESS_ID)
    wrong_key = fake.client(api_key="another-key")
    with pytest.raises(ThredAuthenticationError):
        wrong_key.get_business(BUSINESS_ID)
    assert good._tokens.cache_key("partner") != wrong_key._tokens.cache_key("partner")
    other_host = fake.client(base_url="https://thred.test/other")
    assert good._tokens.cache_key("partner") != other_host._tokens.cache_key("partner")


def test_broken_shared_cache_falls_back_to_memory(fake: FakeThred, monkeypatch, caplog):
    client = fake.client()

    class Broken:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr(client._tokens, "_shared_cache", lambda: Broken())
    client.get_business(BUSINESS_ID)
    client.get_business(BUSINESS_ID)
    assert len(fake.token_requests) == 1
    assert "token cache" in caplog.text


def test_unknown_cache_alias_is_a_configuration_error(fake: FakeThred):
    with pytest.raises(ThredConfigurationError):
        fake.client(token_cache="nope")


# --- 401 handling ----------------------------------------------------------------------


def test_401_drops_the_token_reauthenticates_and_retries_once(fake: FakeThred, client: ThredClient):
    client.get_customer(BUSINESS_ID, "c1")
    fake.business_tokens.clear()
    for token in list(fake.valid):
        if fake.valid[token] == BUSINESS_ID:
            del fake.valid[token]  # the business token is revoked server-side
    response = client.get_customer(BUSINESS_ID, "c1")
    assert response.status_code == 200
    assert len(fake.exchange_requests) == 2
    assert len(fake.token_requests) == 1  # the partner token was still good
    revoked, retried = fake.api_requests[-2:]
    assert _bearer(revoked) != _bearer(retried) == fake.business_tokens[BUSINESS_ID][0]


def test_401_with_stale_partner_token_renews_both(fake: FakeThred, client: ThredClient):
    client.get_customer(BUSINESS_ID, "c1")
    fake.revoke_all()
    assert client.get_customer(BUSINESS_ID, "c1").status_code == 200
    assert len(fake.token_requests) == 2
    assert len(fake.exchange_requests) == 3  # first, rejected, renewed


def test_second_401_raises_authentication_error(fake: FakeThred, client: ThredClient):
    path = f"/v1/platform/businesses/{BUSINESS_ID}/"
    fake.on("GET", path, httpx.Response(401, json={"error_code": "invalid_token"}))
    with pytest.raises(ThredAuthenticationError):
        client.get_business(BUSINESS_ID)
    assert len([r for r in fake.api_requests if r.url.path.endswith(path)]) == 2
    assert len(fake.token_requests) == 2


def test_401_on_the_grant_is_not_retried(fake: FakeThred):
    client = fake.client(api_key="wrong")
    with pytest.raises(ThredAuthenticationError) as info:
        client.get_business(BUSINESS_ID)
    assert len(fake.token_requests) == 1
    assert info.value.path == "/v1/platform/oauth2/token/"
    assert info.value.error_code == "authentication_required"


def test_a_token_renewed_by_another_thread_is_not_dropped(fake: FakeThred, client: ThredClient):
    client.get_business(BUSINESS_ID)
    store = client._tokens
    stale = fake.partner_tokens[0]
    store.put("partner", "fresh-token", 3600)
    store.invalidate("partner", stale)  # a late 401 for the old token
    assert store.peek("partner").access_token == "fresh-token"
    store.invalidate("partner", "fresh-token")
    assert store.peek("partner") is None


def test_only_other_statuses_are_not_retried(fake: FakeThred, client: ThredClient):
    path = f"/v1/platform/businesses/{BUSINESS_ID}/"
    fake.on("GET", path, httpx.Response(500, json={}))
    with pytest.raises(Exception):
        client.get_business(BUSINESS_ID)
    assert len(fake.api_requests) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "Bearer", "expires_in": 3600},
        {"access_token": "", "expires_in": 3600},
        {"access_token": "abc-SECRET", "expires_in": 0},
        {"access_token": "abc-SECRET", "expires_in": "soon"},
    ],
)
def test_malformed_token_response(fake: FakeThred, client: ThredClient, body):
    fake.token_hook = lambda request: httpx.Response(200, json=body)
    with pytest.raises(ThredResponseError) as info:
        client.get_business(BUSINESS_ID)
    assert info.value.body is None
    assert "abc-SECRET" not in str(info.value)


def test_missing_credentials_is_a_configuration_error(fake: FakeThred):
    client = fake.client(api_key="")
    with pytest.raises(ThredConfigurationError):
        client.get_business(BUSINESS_ID)
    assert fake.requests == []


# --- threads -----------------------------------------------------------------------------


def test_concurrent_threads_fetch_one_token_per_scope(fake: FakeThred, client: ThredClient):
    threads_count = 8
    arrived = threading.Condition()
    token_calls = {"n": 0}
    default_grant = fake._partner_token

    def slow_grant(request: httpx.Request) -> httpx.Response | None:
        # Hold the first grant until every thread has asked for one (which only happens
        # without the per-scope lock) or a second has passed (with the lock, the others
        # are queued behind it and never get here).
        with arrived:
            token_calls["n"] += 1
            arrived.notify_all()
            arrived.wait_for(lambda: token_calls["n"] >= threads_count, timeout=1.0)
        fake.token_hook = None
        return default_grant(request)

    fake.token_hook = slow_grant
    start = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            client.get_customer(BUSINESS_ID, "c1")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert len(fake.token_requests) == 1
    assert len(fake.exchange_requests) == 1
    assert len(fake.api_requests) == threads_count
