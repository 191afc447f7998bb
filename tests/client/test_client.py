"""ThredClient: every endpoint method, request shape, responses, secrets, lifecycle."""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import logging
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from django.test import override_settings

import thred_django
from tests.client.fake import API_KEY, BASE_URL, BUSINESS_ID, PARTNER_ID, FakeThred
from thred_django.client import ENDPOINTS, Auth, ThredClient, ThredResponse, get_client
from thred_django.client import shared as shared_module
from thred_django.exceptions import ThredConfigurationError, ThredError

SAMPLE_ID = "abcdef01-2345-4678-9abc-def012345678"


def _call_endpoint(client: ThredClient, name: str):
    """Call the client method ``name`` with sample arguments; drain list iterators."""
    method = getattr(client, name)
    kwargs = {}
    for param in inspect.signature(method).parameters.values():
        if param.kind is param.VAR_KEYWORD or param.kind is param.KEYWORD_ONLY:
            continue
        if param.name == "data":
            kwargs["data"] = {"external_id": f"ext-{name}"}
        elif param.name == "business_id":
            kwargs[param.name] = BUSINESS_ID
        else:
            kwargs[param.name] = SAMPLE_ID
    result = method(**kwargs)
    return list(result) if ENDPOINTS[name].paginated else result


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_endpoint_method_sends_its_method_path_and_token(name: str):
    endpoint = ENDPOINTS[name]
    fake = FakeThred()
    list_body = {"count": 1, "next": None, "previous": None, "results": [{"id": "x"}]}
    client = fake.client()
    params = {p: (BUSINESS_ID if p == "business_id" else SAMPLE_ID) for p in endpoint.path_params}
    expected_path = endpoint.path.format(**params)
    if endpoint.paginated:
        fake.on(endpoint.method, expected_path, httpx.Response(200, json=list_body))
    result = _call_endpoint(client, name)
    request = fake.requests[-1]
    assert request.method == endpoint.method
    assert request.url.path == httpx.URL(BASE_URL).path + expected_path
    authorization = request.headers["Authorization"]
    if endpoint.auth is Auth.BASIC:
        assert authorization.startswith("Basic ")
    elif endpoint.auth is Auth.PARTNER:
        assert authorization == f"Bearer {fake.partner_tokens[-1]}"
    else:
        assert authorization == f"Bearer {fake.business_tokens[BUSINESS_ID][-1]}"
    if endpoint.paginated:
        assert result == [{"id": "x"}]
        assert request.url.params["page"] == "1"
        assert request.url.params["page_size"] == "100"
    else:
        assert isinstance(result, ThredResponse)
        assert result.method == endpoint.method
        assert result.path == expected_path
    if "data" in inspect.signature(getattr(client, name)).parameters:
        assert json.loads(request.content) == {"external_id": f"ext-{name}"}
        assert request.headers["Content-Type"] == "application/json"


def test_endpoint_table_is_complete_and_matches_methods():
    assert len(ENDPOINTS) == 46
    for name, endpoint in ENDPOINTS.items():
        assert callable(getattr(ThredClient, name, None)), name
        assert endpoint.path.startswith("/v1/platform/") and endpoint.path.endswith("/")
        if "/businesses/{business_id}/" in endpoint.path and endpoint.path != (
            "/v1/platform/businesses/{business_id}/"
        ):
            assert endpoint.auth is Auth.BUSINESS, name


def test_bodies_of_archive_void_and_cancel(fake: FakeThred, client: ThredClient):
    client.archive_customer(BUSINESS_ID, SAMPLE_ID)
    assert json.loads(fake.requests[-1].content) == {}
    client.void_invoice(BUSINESS_ID, SAMPLE_ID)
    assert json.loads(fake.requests[-1].content) == {}
    client.void_invoice(BUSINESS_ID, SAMPLE_ID, {"memo": "duplicate"})
    assert json.loads(fake.requests[-1].content) == {"memo": "duplicate"}
    client.cancel_payment(BUSINESS_ID, SAMPLE_ID)
    assert fake.requests[-1].content == b""


def test_idempotency_key_header(fake: FakeThred, client: ThredClient):
    client.create_payment(BUSINESS_ID, {"external_id": "p1"}, idempotency_key="pay-1-v1")
    assert fake.requests[-1].headers["Idempotency-Key"] == "pay-1-v1"
    client.create_bill_payment(BUSINESS_ID, {"external_id": "bp1"}, idempotency_key="bp-1")
    assert fake.requests[-1].headers["Idempotency-Key"] == "bp-1"
    client.create_payment(BUSINESS_ID, {"external_id": "p2"})
    assert "Idempotency-Key" not in fake.requests[-1].headers
    client.create_bill_payment(BUSINESS_ID, {"external_id": "p3"}, idempotency_key="")
    assert "Idempotency-Key" not in fake.requests[-1].headers


def test_json_encoding_of_uuid_and_dates_and_refusal_of_decimal(
    fake: FakeThred, client: ThredClient
):
    customer_id = uuid.UUID(SAMPLE_ID)
    client.create_invoice(
        BUSINESS_ID,
        {
            "customer_id": customer_id,
            "sent_at": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
            "due": date(2025, 2, 1),
        },
    )
    assert json.loads(fake.requests[-1].content) == {
        "customer_id": SAMPLE_ID,
        "sent_at": "2025-01-02T03:04:05+00:00",
        "due": "2025-02-01",
    }
    with pytest.raises(TypeError):
        client.create_invoice(BUSINESS_ID, {"tips": Decimal("1.50")})


def test_path_ids_are_checked_and_encoded(fake: FakeThred, client: ThredClient):
    with pytest.raises(ValueError):
        client.get_customer(BUSINESS_ID, "")
    with pytest.raises(ValueError):
        client.list_customers("")
    client.get_customer(BUSINESS_ID, "../../businesses")
    assert fake.requests[-1].url.raw_path.decode().endswith("/customers/..%2F..%2Fbusinesses/")


def test_response_fields(fake: FakeThred, client: ThredClient):
    path = f"/v1/platform/businesses/{BUSINESS_ID}/customers/"
    fake.on(
        "POST",
        path,
        [httpx.Response(201, json={"id": "c1"}), httpx.Response(200, json={"id": "c1"})],
    )
    created = client.create_customer(BUSINESS_ID, {"external_id": "c"})
    again = client.create_customer(BUSINESS_ID, {"external_id": "c"})
    assert (created.status_code, created.created, created.data) == (201, True, {"id": "c1"})
    assert (again.status_code, again.created) == (200, False)
    assert created.method == "POST" and created.path == path
    assert created.elapsed >= 0
    assert "c1" not in repr(created)  # data stays out of the repr


def test_user_agent_and_accept_headers(fake: FakeThred, client: ThredClient):
    client.get_business(BUSINESS_ID)
    for request in fake.requests:
        assert (
            request.headers["User-Agent"]
            == f"thred-django/{thred_django.__version__} httpx/{httpx.__version__}"
        )
        assert request.headers["Accept"] == "application/json"


def test_timeouts_and_pool_limits_from_settings(fake: FakeThred):
    client = fake.client()
    assert client.timeout == httpx.Timeout(10.0, connect=5.0)
    assert fake.client(timeout=0.5).timeout == httpx.Timeout(0.5, connect=0.5)
    with override_settings(THRED={"TIMEOUT": 30, "CONNECT_TIMEOUT": 2, "MAX_CONNECTIONS": 3}):
        real = ThredClient(base_url="https://thred.test", transport=None)
        assert real.timeout == httpx.Timeout(30.0, connect=2.0)
        assert real._http._client._transport.max_connections == 3
        real.close()


def test_base_url_path_prefix_and_trailing_slash(fake: FakeThred):
    client = fake.client(base_url=BASE_URL + "/")
    client.get_business(BUSINESS_ID)
    assert str(fake.requests[-1].url) == f"{BASE_URL}/v1/platform/businesses/{BUSINESS_ID}/"


# --- secrets ------------------------------------------------------------------------------


def test_secrets_absent_from_repr_str_logs_and_errors(fake: FakeThred, caplog):
    caplog.set_level(logging.DEBUG, logger="thred_django.client")
    client = fake.client()
    client.get_customer(BUSINESS_ID, "c1")
    path = f"/v1/platform/businesses/{BUSINESS_ID}/customers/"
    fake.on(
        "POST",
        path,
        lambda request: httpx.Response(
            400, json={"error": f"echo {request.headers['Authorization']}", "details": {}}
        ),
    )
    with pytest.raises(ThredError) as info:
        client.create_customer(BUSINESS_ID, {"external_id": "c"})
    secrets = [API_KEY, *fake.partner_tokens, *fake.business_tokens[BUSINESS_ID]]
    texts = [
        repr(client),
        str(client),
        f"{client!r} {vars(client)!r}",
        repr(client._tokens),
        caplog.text,
        str(info.value),
        repr(info.value),
        repr(info.value.body),
        info.value.message,
        repr(client.get_partner_token()),
    ]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert PARTNER_ID in repr(client)
    assert "[redacted]" in info.value.message


def test_log_lines_carry_method_path_status_elapsed_only(
    fake: FakeThred, client: ThredClient, caplog
):
    caplog.set_level(logging.DEBUG, logger="thred_django.client")
    path = f"/v1/platform/businesses/{BUSINESS_ID}/customers/"
    fake.on("GET", path, httpx.Response(200, json={"next": None, "results": []}))
    list(client.list_customers(BUSINESS_ID, search="alice@example.com"))
    messages = [r.getMessage() for r in caplog.records if r.name == "thred_django.client"]
    assert any(m.startswith(f"Thred GET {path} -> 200 (") for m in messages)
    assert any(m.startswith("Thred POST /v1/platform/oauth2/token/ -> 200") for m in messages)
    assert all("alice@example.com" not in m for m in messages)  # no query strings


# --- configuration and lifecycle ----------------------------------------------------------


def _mock_transport_factory() -> httpx.BaseTransport:
    return FakeThred().transport()


def test_transport_from_dotted_path_and_instance():
    client = ThredClient(
        base_url=BASE_URL,
        partner_id=PARTNER_ID,
        api_key=API_KEY,
        transport="tests.client.test_client._mock_transport_factory",
    )
    assert client.get_business(BUSINESS_ID).data == {"ok": True}
    with pytest.raises(ThredConfigurationError):
        ThredClient(transport="tests.client.no_such_module.factory")
    with pytest.raises(ThredConfigurationError):
        ThredClient(transport="tests.client.fake.BUSINESS_ID")


def test_settings_are_the_defaults():
    with override_settings(
        THRED={
            "BASE_URL": "https://example.test/x/",
            "PARTNER_ID": PARTNER_ID,
            "API_KEY": API_KEY,
            "TRANSPORT": "tests.client.test_client._mock_transport_factory",
            "TOKEN_CACHE": None,
        }
    ):
        client = ThredClient()
        assert client.base_url == "https://example.test/x"
        assert client.partner_id == PARTNER_ID
        assert client._tokens.cache_alias is None
        client.close()


def test_context_manager_closes(fake: FakeThred):
    with fake.client() as client:
        client.get_business(BUSINESS_ID)
    assert client.closed
    assert "closed" in repr(client)


@pytest.fixture
def clean_shared_client():
    shared_module.reset_client()
    yield
    shared_module.reset_client()


def test_get_client_is_shared_and_rebuilt_on_settings_change(clean_shared_client):
    settings = {
        "BASE_URL": BASE_URL,
        "PARTNER_ID": PARTNER_ID,
        "API_KEY": API_KEY,
        "TRANSPORT": "tests.client.test_client._mock_transport_factory",
    }
    with override_settings(THRED=settings):
        first = get_client()
        assert get_client() is first
        assert first.base_url == BASE_URL
    assert first.closed  # leaving override_settings reloads THRED
    with override_settings(THRED={**settings, "BASE_URL": "https://other.test"}):
        second = get_client()
        assert second is not first
        assert second.base_url == "https://other.test"
    assert second.closed


def test_get_client_after_close_builds_a_new_one(clean_shared_client):
    with override_settings(THRED={"TRANSPORT": "tests.client.test_client._mock_transport_factory"}):
        first = get_client()
        first.close()
        assert get_client() is not first


def test_no_orm_imports_in_the_client_package():
    package = Path(thred_django.__file__).parent / "client"
    offenders = []
    for source in package.rglob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith(("django.db", "thred_django.models", "thred_django.engine")):
                    offenders.append(f"{source.name}: {name}")
    assert offenders == []


def test_log_levels_by_outcome(fake: FakeThred, client: ThredClient, caplog):
    caplog.set_level(logging.DEBUG, logger="thred_django.client")
    path = f"/v1/platform/businesses/{BUSINESS_ID}/"
    outcomes = [httpx.Response(200, json={}), httpx.Response(404, json={}), httpx.Response(503)]
    fake.on("GET", path, [*outcomes, httpx.Response(429, json={})])
    for _ in range(4):
        with contextlib.suppress(ThredError):
            client.get_business(BUSINESS_ID)
    levels = [
        r.levelno for r in caplog.records if r.name == "thred_django.client" and path in r.message
    ]
    assert levels == [logging.DEBUG, logging.INFO, logging.WARNING, logging.WARNING]
