"""Pagination envelope, page sizes, next/previous links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sandbox.conftest import error_of
from thred_django.sandbox.models import Customer


@pytest.fixture
def customers(biz):
    business_id = biz.id
    Customer.objects.bulk_create(
        Customer(business_id=business_id, external_id=f"c-{i:03}", company_name=f"C {i}")
        for i in range(45)
    )
    return biz


@pytest.mark.django_db
def test_default_page_and_both_envelopes(customers):
    body = customers.ok(customers.get("customers/"), 200)
    assert set(body) == {"count", "page_info", "next", "previous", "results"}
    assert body["count"] == 45
    assert body["page_info"] == {
        "total_count": 45,
        "current_page": 1,
        "total_pages": 3,
        "page_size": 20,
    }
    assert len(body["results"]) == 20
    assert body["previous"] is None
    assert parse_qs(urlsplit(body["next"]).query)["page"] == ["2"]
    assert body["next"].startswith("http://testserver/thred-sandbox/v1/platform/businesses/")


@pytest.mark.django_db
def test_walking_the_pages_yields_every_object_once(customers):
    seen, url = [], customers.url("customers/") + "?page_size=7"
    pages = 0
    while url:
        body = customers.http.get(url, headers=customers.headers).json()
        seen += [c["external_id"] for c in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 7
    assert sorted(seen) == [f"c-{i:03}" for i in range(45)]


@pytest.mark.django_db
def test_last_page_previous_link_and_limits(customers):
    last = customers.ok(customers.get("customers/", params={"page": 3}), 200)
    assert len(last["results"]) == 5 and last["next"] is None
    assert parse_qs(urlsplit(last["previous"]).query)["page"] == ["2"]
    second = customers.ok(customers.get("customers/", params={"page": 2}), 200)
    assert "page" not in parse_qs(urlsplit(second["previous"]).query)
    big = customers.ok(customers.get("customers/", params={"page_size": 100}), 200)
    assert big["page_info"]["page_size"] == 100 and len(big["results"]) == 45
    # Outside the documented 1..100: refused, naming the parameter (not clamped).
    for size in (101, 500, 0, -1, "x", ""):
        refused = customers.get("customers/", params={"page_size": size})
        assert error_of(refused)[:2] == (400, "validation_error"), size
        assert "page_size" in refused.json()["details"]
    assert error_of(customers.get("customers/", params={"page": 4}))[:2] == (404, "invalid_page")
    assert error_of(customers.get("customers/", params={"page": "x"}))[:2] == (
        400,
        "validation_error",
    )
    assert error_of(customers.get("customers/", params={"page": 0}))[0] == 400


@pytest.mark.django_db
def test_empty_list_is_one_empty_page(biz):
    body = biz.ok(biz.get("invoices/"), 200)
    assert body["count"] == 0 and body["results"] == []
    assert body["page_info"]["total_pages"] == 1 and body["next"] is None
