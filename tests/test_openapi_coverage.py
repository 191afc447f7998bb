"""Every path + method of the Thred OpenAPI document is called by the client and served
by the sandbox.

The document lives beside the repository (``shared/thred-api/openapi.json``); the test
is skipped where it is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import Resolver404, resolve

from thred_django.client import ENDPOINTS, ThredClient

OPENAPI = Path(__file__).resolve().parents[2] / "shared" / "thred-api" / "openapi.json"
SANDBOX_PREFIX = "/thred-sandbox"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
SAMPLE_UUID = "4f6d2c1a-9b8e-4d7c-a6b5-1234567890ab"

pytestmark = pytest.mark.skipif(not OPENAPI.exists(), reason=f"{OPENAPI} not found")


def _operations() -> list[tuple[str, str]]:
    if not OPENAPI.exists():
        return []
    document = json.loads(OPENAPI.read_text())
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    )


OPERATIONS = _operations()


def _table() -> set[tuple[str, str]]:
    return {(endpoint.method, endpoint.path) for endpoint in ENDPOINTS.values()}


def test_document_lists_the_46_endpoints():
    assert len(OPERATIONS) == 46


def test_every_documented_operation_is_in_the_client_table():
    missing = [f"{method} {path}" for method, path in OPERATIONS if (method, path) not in _table()]
    assert missing == []


def test_client_table_has_nothing_undocumented_and_a_method_per_entry():
    documented = set(OPERATIONS)
    extra = [f"{m} {p}" for m, p in sorted(_table()) if (m, p) not in documented]
    assert extra == []
    without_method = [name for name in ENDPOINTS if not callable(getattr(ThredClient, name, None))]
    assert without_method == []


def _sample_path(path: str) -> str:
    return SANDBOX_PREFIX + re.sub(r"\{[^}]+\}", SAMPLE_UUID, path)


def _allowed_methods(match: Any) -> set[str] | None:
    """Methods the resolved view answers, or None when the view does not say."""
    func = match.func
    actions = getattr(func, "actions", None)  # DRF viewsets bound by a router
    if isinstance(actions, dict):
        return {method.upper() for method in actions}
    view_class = getattr(func, "view_class", None) or getattr(func, "cls", None)
    if view_class is None:
        return None
    names = getattr(view_class, "http_method_names", HTTP_METHODS)
    return {name.upper() for name in names if hasattr(view_class, name)}


def _not_served(method: str, path: str, http_client: Any) -> str:
    """Why the sandbox does not serve ``method path`` ("" when it does)."""
    url = _sample_path(path)
    try:
        match = resolve(url)
    except Resolver404:
        return f"no URL for {url}"
    allowed = _allowed_methods(match)
    if allowed is not None:
        return "" if method in allowed else f"view allows only {sorted(allowed)}"
    # A function view (e.g. the sandbox's catch-all 404): ask it. Without credentials a
    # served endpoint answers 401 (or 400/403), never 404 or 405.
    response = http_client.generic(method, url, data="{}", content_type="application/json")
    return f"answers {response.status_code}" if response.status_code in (404, 405) else ""


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_sandbox_serves_operation(method: str, path: str, client):
    assert _not_served(method, path, client) == ""


@pytest.mark.django_db
def test_sandbox_check_tells_served_from_unserved(client):
    customer = "/v1/platform/businesses/{business_id}/customers/{customer_id}/"
    assert _not_served("GET", customer, client) == ""
    assert _not_served("DELETE", customer, client).startswith("view allows only")
    assert _not_served("PATCH", customer, client).startswith("view allows only")
    assert _not_served("GET", customer + "nothing-here/", client) == "answers 404"
