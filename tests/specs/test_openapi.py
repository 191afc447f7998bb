"""The resource specs against the Thred OpenAPI document: every documented path and
method is an operation of some spec (or one of the two token operations), and no spec
declares anything the document lacks.

The document lives beside the repository (``shared/thred-api/openapi.json``); the test
is skipped where it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thred_django import specs

OPENAPI = Path(__file__).resolve().parents[3] / "shared" / "thred-api" / "openapi.json"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

pytestmark = pytest.mark.skipif(not OPENAPI.exists(), reason=f"{OPENAPI} not found")


def _documented() -> dict[tuple[str, str], str]:
    """``{(METHOD, path): operationId}`` of the document."""
    document = json.loads(OPENAPI.read_text())
    return {
        (method.upper(), path): operation.get("operationId", "")
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def _derived() -> list[tuple[str, str, str, str]]:
    """``(resource, verb, METHOD, path)`` of every operation the specs derive."""
    return [
        (spec.name if spec else "auth", verb, op.method, op.path)
        for spec, verb, op in specs.operations()
    ]


def test_every_documented_operation_is_reachable_through_a_spec():
    derived = {(method, path) for _, _, method, path in _derived()}
    missing = [
        f"{m} {p} ({oid})" for (m, p), oid in sorted(_documented().items()) if (m, p) not in derived
    ]
    assert missing == []


def test_no_spec_declares_an_undocumented_operation():
    documented = _documented()
    extra = [f"{r}.{v}: {m} {p}" for r, v, m, p in _derived() if (m, p) not in documented]
    assert extra == []


def test_each_documented_operation_belongs_to_exactly_one_spec_verb():
    seen: dict[tuple[str, str], list[str]] = {}
    for resource, verb, method, path in _derived():
        seen.setdefault((method, path), []).append(f"{resource}.{verb}")
    assert {key: owners for key, owners in seen.items() if len(owners) > 1} == {}
    assert len(seen) == len(_documented()) == 46


# The document's tag of each resource's operations.
TAGS = {
    "business": "Businesses",
    "customer": "Customers",
    "vendor": "Vendors",
    "invoice": "Invoices",
    "payment": "Invoice Payments",
    "payout": "Payouts",
    "refund": "Refunds",
    "refund_payment": "Refund Payments",
    "bill": "Bills",
    "bill_payment": "Bill Payments",
    "vendor_credit": "Vendor Credits",
}


def _tagged(tag: str) -> set[tuple[str, str]]:
    document = json.loads(OPENAPI.read_text())
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS and tag in operation.get("tags", ())
    }


def test_every_resource_has_a_tag_and_the_token_operations_are_the_rest():
    assert set(TAGS) == set(specs.NAMES)
    assert {(op.method, op.path) for op in specs.AUTH_OPS} == _tagged("Authentication")


@pytest.mark.parametrize("resource", specs.NAMES)
def test_operations_of_each_resource_are_those_documented_under_its_tag(resource):
    """Per resource: the (method, path) pairs derived from its spec are exactly those the
    document files under the resource's tag."""
    derived = {(op.method, op.path) for op in specs.of(resource).ops.values()}
    assert derived == _tagged(TAGS[resource])
