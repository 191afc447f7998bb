"""The requests ``HttpCore`` builds itself are the ones ``httpx.Client.request`` builds.

``HttpCore`` builds each ``httpx.Request`` (cached URL per path, the client's headers and
timeout read once) and hands it to ``Client.send``. Every request of every kind (JSON
body with extra headers, form body with Basic auth, query parameters, no body) must
leave with the same method, URL, headers in the same order, body and timeout as the
``Client.build_request`` of the same client, and cookies set by the server must still go
back (as httpx's client does).
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.client.fake import BUSINESS_ID, FakeThred
from thred_django.client import ENDPOINTS, ThredClient
from thred_django.client import http as http_module
from thred_django.client.http import encode_json

SAMPLE_ID = "abcdef01-2345-4678-9abc-def012345678"


def _expected(client: ThredClient, sent: httpx.Request, **kwargs) -> httpx.Request:
    """What ``httpx.Client.request`` would have built for ``sent``."""
    core = client._http
    return core._client.build_request(sent.method, core.base_url + kwargs.pop("path"), **kwargs)


def _same(sent: httpx.Request, expected: httpx.Request) -> None:
    assert sent.method == expected.method
    assert str(sent.url) == str(expected.url)
    authorization = sent.headers.get("Authorization")
    headers = [(k, v) for k, v in sent.headers.multi_items() if k.lower() != "authorization"]
    assert headers == list(expected.headers.multi_items())
    assert authorization  # auth adds only this header, last
    assert sent.headers.multi_items()[-1][0].lower() == "authorization"
    assert sent.content == expected.content
    assert sent.extensions["timeout"] == expected.extensions["timeout"]


@pytest.fixture
def fake() -> FakeThred:
    return FakeThred()


def test_json_body_with_idempotency_key(fake: FakeThred):
    client = fake.client()
    body = {"external_id": "p1", "total_amount_cents": 5}
    client.create_payment(BUSINESS_ID, body, idempotency_key="pay-1")
    sent = fake.requests[-1]
    expected = _expected(
        client,
        sent,
        path=ENDPOINTS["create_payment"].format(business_id=BUSINESS_ID),
        content=encode_json(body),
        headers={"Idempotency-Key": "pay-1", "Content-Type": "application/json"},
    )
    _same(sent, expected)
    assert json.loads(sent.content) == body


def test_form_body_of_the_partner_token(fake: FakeThred):
    client = fake.client()
    client.get_partner_token()
    sent = fake.token_requests[-1]
    expected = _expected(
        client,
        sent,
        path="/v1/platform/oauth2/token/",
        data={"grant_type": "client_credentials", "client_id": client.partner_id},
    )
    _same(sent, expected)
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_query_parameters_of_a_list(fake: FakeThred):
    client = fake.client()
    page = {"count": 1, "next": None, "previous": None, "results": [{"id": "x"}]}
    path = ENDPOINTS["list_customers"].format(business_id=BUSINESS_ID)
    fake.on("GET", path, httpx.Response(200, json=page))
    assert list(client.list_customers(BUSINESS_ID, email="a@b.example", archived=False)) == [
        {"id": "x"}
    ]
    sent = fake.requests[-1]
    expected = _expected(
        client,
        sent,
        path=path,
        params={"email": "a@b.example", "archived": "false", "page": "1", "page_size": "100"},
    )
    _same(sent, expected)


def test_no_body(fake: FakeThred):
    client = fake.client(timeout=3.0)
    client.cancel_payment(BUSINESS_ID, SAMPLE_ID)
    sent = fake.requests[-1]
    path = ENDPOINTS["cancel_payment"].format(business_id=BUSINESS_ID, payment_id=SAMPLE_ID)
    _same(sent, _expected(client, sent, path=path))
    assert sent.extensions["timeout"] == httpx.Timeout(3.0).as_dict()


def test_cookies_the_server_sets_go_back(fake: FakeThred):
    client = fake.client()
    path = ENDPOINTS["get_business"].format(business_id=BUSINESS_ID)
    cookie = {"Set-Cookie": "lb=abc; Path=/"}
    fake.on("GET", path, httpx.Response(200, json={"id": BUSINESS_ID}, headers=cookie))
    client.get_business(BUSINESS_ID)
    assert "cookie" not in fake.requests[-1].headers
    client.get_business(BUSINESS_ID)
    assert fake.requests[-1].headers["Cookie"] == "lb=abc"


def test_url_cache_is_bounded_and_each_path_keeps_its_url(fake: FakeThred, monkeypatch):
    monkeypatch.setattr(http_module, "_URL_CACHE_SIZE", 3)
    client = fake.client()
    ids = [f"abcdef01-2345-4678-9abc-def01234567{i}" for i in range(7)]
    for customer_id in ids + ids[:2]:
        client.get_customer(BUSINESS_ID, customer_id)
        assert fake.requests[-1].url.path.endswith(f"/customers/{customer_id}/")
        assert len(client._http._urls) <= 3


@pytest.mark.parametrize(
    ("method", "content", "headers"),
    [
        ("GET", None, {}),
        ("patch", encode_json({"email": "a@b.example"}), {"Content-Type": "application/json"}),
        ("PUT", b"", {"Content-Type": "application/json"}),
        ("POST", encode_json({}), {"Accept": "text/plain", "Content-Length": "2"}),
        ("DELETE", None, {"Host": "books.example", "X-Trace": "t-1"}),
    ],
)
def test_a_request_put_together_from_bytes_is_the_one_httpx_builds(method, content, headers):
    """Every case of the bytes-built form (``HttpCore._plain_request``): with and without
    a body, an empty one, a method in lower case, headers that replace the client's own
    (Accept), the body's length and the Host."""
    core = FakeThred().client()._http
    path = ENDPOINTS["get_customer"].format(business_id=BUSINESS_ID, customer_id=SAMPLE_ID)
    built = core._plain_request(method, path, content, dict(headers))
    expected = core._client.build_request(
        method, core.base_url + path, content=content, headers=headers
    )
    assert built is not None
    assert (built.method, str(built.url)) == (expected.method, str(expected.url))
    assert built.headers.raw == expected.headers.raw
    assert built.content == expected.content


def test_a_header_that_is_not_ascii_goes_through_httpx_which_refuses_it():
    core = FakeThred().client()._http
    path = ENDPOINTS["get_business"].format(business_id=BUSINESS_ID)
    assert core._plain_request("GET", path, None, {"X-Name": "Café"}) is None
    with pytest.raises(UnicodeEncodeError):
        core._request("GET", path, None, None, None, {"X-Name": "Café"})
