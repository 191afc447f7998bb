"""Error mapping: every status class, error-body variants, Retry-After, httpx failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import time_machine

from tests.client.fake import API_KEY, BUSINESS_ID, FakeThred
from thred_django.client import ThredClient
from thred_django.client.errors import parse_error_body, parse_retry_after
from thred_django.exceptions import (
    ThredAuthenticationError,
    ThredConflictError,
    ThredError,
    ThredNotFoundError,
    ThredPermissionError,
    ThredRateLimitError,
    ThredResponseError,
    ThredServerError,
    ThredTimeoutError,
    ThredTransportError,
    ThredValidationError,
    is_retryable,
)

CUSTOMERS = f"/v1/platform/businesses/{BUSINESS_ID}/customers/"


@pytest.mark.parametrize(
    ("status", "exc_class", "retryable"),
    [
        (400, ThredValidationError, False),
        (422, ThredValidationError, False),
        (403, ThredPermissionError, False),
        (404, ThredNotFoundError, False),
        (409, ThredConflictError, False),
        (429, ThredRateLimitError, True),
        (500, ThredServerError, True),
        (502, ThredServerError, True),
        (503, ThredServerError, True),
        (504, ThredServerError, True),
        (405, ThredResponseError, False),
        (302, ThredResponseError, False),
    ],
)
def test_status_maps_to_exception(
    fake: FakeThred, client: ThredClient, status, exc_class, retryable
):
    body = {"error": "Something", "error_code": "some_code", "details": {"email": ["Bad."]}}
    fake.on("POST", CUSTOMERS, httpx.Response(status, json=body))
    with pytest.raises(exc_class) as info:
        client.create_customer(BUSINESS_ID, {"external_id": "c1"})
    exc = info.value
    assert type(exc) is exc_class
    assert (exc.method, exc.path, exc.status) == ("POST", CUSTOMERS, status)
    assert exc.error_code == "some_code"
    assert exc.details == {"email": ["Bad."]}
    assert exc.body == body
    assert exc.message == "Something"
    assert is_retryable(exc) is retryable
    assert "email: Bad." in str(exc)


def test_401_twice_raises_authentication_error(fake: FakeThred, client: ThredClient):
    fake.on("GET", CUSTOMERS, httpx.Response(401, json={"error_code": "invalid_token"}))
    with pytest.raises(ThredAuthenticationError) as info:
        list(client.list_customers(BUSINESS_ID))
    assert info.value.status == 401
    assert info.value.error_code == "invalid_token"
    assert not is_retryable(info.value)


def test_natural_python_types(fake: FakeThred, client: ThredClient):
    fake.on("POST", CUSTOMERS, httpx.Response(400, json={"error": "x"}))
    with pytest.raises(ValueError):
        client.create_customer(BUSINESS_ID, {})
    fake.on("POST", CUSTOMERS, httpx.Response(404, json={"error": "x"}))
    with pytest.raises(LookupError):
        client.create_customer(BUSINESS_ID, {})
    fake.on("POST", CUSTOMERS, httpx.Response(403, json={"error": "x"}))
    with pytest.raises(PermissionError):
        client.create_customer(BUSINESS_ID, {})


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            {
                "error": "Validation errors",
                "error_code": "validation_error",
                "details": {"a": ["b"]},
            },
            400,
            ("Validation errors", "validation_error", {"a": ["b"]}),
        ),
        (
            {"error_code": "validation_error", "detail": "Entity type must be one of: limited"},
            400,
            ("Entity type must be one of: limited", "validation_error", {}),
        ),
        ({"detail": "Not found."}, 404, ("Not found.", "", {})),
        ({"email": ["Enter a valid email."]}, 400, ("", "", {"email": ["Enter a valid email."]})),
        ({"detail": ["one", "two"]}, 400, ("", "", {"non_field_errors": ["one", "two"]})),
        (
            {"error": "x", "details": "flat text"},
            400,
            ("x", "", {"non_field_errors": ["flat text"]}),
        ),
        ({"error": "x", "details": ["a", "b"]}, 400, ("x", "", {"non_field_errors": ["a", "b"]})),
        ({"error": 42, "error_code": 7, "details": None}, 400, ("", "7", {})),
        (["not", "a", "dict"], 400, ("", "", {})),
        ("plain text", 500, ("", "", {})),
        (None, 500, ("", "", {})),
    ],
)
def test_parse_error_body_variants(body, status, expected):
    assert parse_error_body(body, status) == expected


def test_non_json_error_body_keeps_text_and_status(fake: FakeThred, client: ThredClient):
    fake.on(
        "GET",
        CUSTOMERS,
        httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}),
    )
    with pytest.raises(ThredServerError) as info:
        list(client.list_customers(BUSINESS_ID))
    assert info.value.status == 502
    assert info.value.body == "<html>Bad Gateway</html>"
    assert "502" in info.value.message and "non-JSON" in info.value.message


def test_non_json_success_body_is_response_error(fake: FakeThred, client: ThredClient):
    fake.on("GET", f"/v1/platform/businesses/{BUSINESS_ID}/", httpx.Response(200, text="hello"))
    with pytest.raises(ThredResponseError) as info:
        client.get_business(BUSINESS_ID)
    assert info.value.status == 200
    assert info.value.body == "hello"
    assert info.value.__context__ is None
    assert not is_retryable(info.value)


def test_success_body_not_an_object_is_response_error(fake: FakeThred, client: ThredClient):
    fake.on("GET", f"/v1/platform/businesses/{BUSINESS_ID}/", httpx.Response(200, json=[1, 2]))
    with pytest.raises(ThredResponseError):
        client.get_business(BUSINESS_ID)


def test_empty_success_body_is_response_error_but_204_is_empty_dict(
    fake: FakeThred, client: ThredClient
):
    path = f"/v1/platform/businesses/{BUSINESS_ID}/"
    fake.on("GET", path, httpx.Response(200, content=b""))
    with pytest.raises(ThredResponseError):
        client.get_business(BUSINESS_ID)
    fake.on("GET", path, httpx.Response(204))
    assert client.get_business(BUSINESS_ID).data == {}


# --- Retry-After -----------------------------------------------------------------------


def test_rate_limit_retry_after_seconds(fake: FakeThred, client: ThredClient):
    fake.on("GET", CUSTOMERS, httpx.Response(429, json={}, headers={"Retry-After": "7"}))
    with pytest.raises(ThredRateLimitError) as info:
        list(client.list_customers(BUSINESS_ID))
    assert info.value.retry_after == 7.0
    assert info.value.status == 429


def test_rate_limit_retry_after_http_date(fake: FakeThred, client: ThredClient):
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    fake.on("GET", CUSTOMERS, httpx.Response(429, json={}, headers={"Retry-After": header}))
    with time_machine.travel(now, tick=False), pytest.raises(ThredRateLimitError) as info:
        list(client.list_customers(BUSINESS_ID))
    assert info.value.retry_after == pytest.approx(90.0)


def test_rate_limit_without_retry_after(fake: FakeThred, client: ThredClient):
    fake.on("GET", CUSTOMERS, httpx.Response(429, text="slow down"))
    with pytest.raises(ThredRateLimitError) as info:
        list(client.list_customers(BUSINESS_ID))
    assert info.value.retry_after is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("-3", None),
        ("nan", None),
        ("inf", None),
        ("", None),
        ("soon", None),
        ("Sat, 01 Mar 2025 12:00:30 GMT", 30.0),
        ("Sat, 01 Mar 2025 11:00:00 GMT", 0.0),  # in the past
        ("Saturday, 01-Mar-25 12:01:00 GMT", 60.0),  # RFC 850 form
    ],
)
def test_parse_retry_after(header, expected):
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    result = parse_retry_after(header, now=now)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_parse_retry_after_absent():
    assert parse_retry_after(None) is None


# --- httpx failures ----------------------------------------------------------------------


def _raising(exc_factory):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token/"):
            return httpx.Response(200, json={"access_token": "tok-abc-SECRET", "expires_in": 3600})
        raise exc_factory(request)

    return handler


@pytest.mark.parametrize(
    ("exc_factory", "exc_class"),
    [
        (lambda r: httpx.ReadTimeout("timed out", request=r), ThredTimeoutError),
        (lambda r: httpx.ConnectTimeout("connect timed out", request=r), ThredTimeoutError),
        (lambda r: httpx.PoolTimeout("pool", request=r), ThredTimeoutError),
        (lambda r: httpx.ConnectError("Connection refused", request=r), ThredTransportError),
        (lambda r: httpx.RemoteProtocolError("peer closed", request=r), ThredTransportError),
        (lambda r: httpx.DecodingError("bad gzip", request=r), ThredResponseError),
    ],
)
def test_httpx_exceptions_are_wrapped_without_chaining(exc_factory, exc_class):
    client = ThredClient(
        base_url="https://thred.test",
        partner_id="p",
        api_key=API_KEY,
        transport=httpx.MockTransport(_raising(exc_factory)),
        token_cache=None,
    )
    with pytest.raises(exc_class) as info:
        client.get_business(BUSINESS_ID)
    exc = info.value
    assert type(exc) is exc_class
    assert exc.method == "GET"
    assert exc.path == f"/v1/platform/businesses/{BUSINESS_ID}/"
    assert exc.status is None
    assert exc.__cause__ is None and exc.__context__ is None
    assert is_retryable(exc) is (exc_class is not ThredResponseError)


def test_timeout_is_a_transport_error_and_python_timeout():
    client = ThredClient(
        base_url="https://thred.test",
        partner_id="p",
        api_key=API_KEY,
        transport=httpx.MockTransport(
            _raising(lambda r: httpx.ReadTimeout("timed out", request=r))
        ),
        token_cache=None,
    )
    with pytest.raises(TimeoutError) as info:
        client.get_business(BUSINESS_ID)
    assert isinstance(info.value, ThredTransportError)
    assert isinstance(info.value, ConnectionError)
    assert isinstance(info.value, ThredError)


def test_transport_exception_text_that_echoes_secrets_is_redacted():
    def leaky(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token/"):
            return httpx.Response(200, json={"access_token": "tok-abc-SECRET", "expires_in": 60})
        raise httpx.ConnectError(f"failed with headers {dict(request.headers)}", request=request)

    client = ThredClient(
        base_url="https://thred.test",
        partner_id="p",
        api_key=API_KEY,
        transport=httpx.MockTransport(leaky),
        token_cache=None,
    )
    with pytest.raises(ThredTransportError) as info:
        client.get_business(BUSINESS_ID)
    text = str(info.value) + repr(info.value) + info.value.message
    assert "tok-abc-SECRET" not in text
    assert "[redacted]" in text
