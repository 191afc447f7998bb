"""List methods walk every page of both documented envelopes."""

from __future__ import annotations

import httpx
import pytest

from tests.client.fake import BUSINESS_ID, FakeThred
from thred_django.client import ThredClient
from thred_django.exceptions import ThredResponseError, ThredServerError

PATH = f"/v1/platform/businesses/{BUSINESS_ID}/invoices/"
ITEMS = [{"id": f"inv-{n}"} for n in range(250)]


def _pages(envelope: str, items=ITEMS, page_size_cap: int = 100):
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        size = min(int(request.url.params.get("page_size", "20")), page_size_cap)
        chunk = items[(page - 1) * size : page * size]
        total_pages = max(1, -(-len(items) // size))
        body: dict = {"count": len(items), "results": chunk}
        if envelope in ("next", "both"):
            body["next"] = (
                f"https://elsewhere.test/?page={page + 1}" if page < total_pages else None
            )
            body["previous"] = None if page == 1 else f"https://elsewhere.test/?page={page - 1}"
        if envelope in ("page_info", "both"):
            body["page_info"] = {
                "total_count": len(items),
                "current_page": page,
                "total_pages": total_pages,
                "page_size": size,
            }
        return httpx.Response(200, json=body)

    return handler


def _pages_requested(fake: FakeThred) -> list[int]:
    return [int(r.url.params["page"]) for r in fake.api_requests]


@pytest.mark.parametrize("envelope", ["next", "page_info", "both", "bare"])
def test_every_item_of_every_page(fake: FakeThred, client: ThredClient, envelope: str):
    fake.on("GET", PATH, _pages(envelope))
    assert list(client.list_invoices(BUSINESS_ID)) == ITEMS
    assert _pages_requested(fake) == [1, 2, 3]
    assert all(r.url.params["page_size"] == "100" for r in fake.api_requests)
    assert all(r.url.host == "thred.test" for r in fake.requests)  # next URLs not followed


@pytest.mark.parametrize("envelope", ["next", "page_info", "both", "bare"])
def test_exact_multiple_of_page_size(fake: FakeThred, client: ThredClient, envelope: str):
    fake.on("GET", PATH, _pages(envelope, items=ITEMS[:200]))
    assert list(client.list_invoices(BUSINESS_ID)) == ITEMS[:200]
    # "bare" cannot know page 2 was the last one: it asks once more and gets nothing.
    assert _pages_requested(fake) == ([1, 2, 3] if envelope == "bare" else [1, 2])


def test_empty_list(fake: FakeThred, client: ThredClient):
    fake.on("GET", PATH, _pages("page_info", items=[]))
    assert list(client.list_invoices(BUSINESS_ID)) == []
    assert _pages_requested(fake) == [1]


def test_empty_results_stop_even_if_next_says_more(fake: FakeThred, client: ThredClient):
    fake.on(
        "GET",
        PATH,
        [
            httpx.Response(200, json={"next": "x", "results": [{"id": 1}]}),
            httpx.Response(200, json={"next": "x", "results": []}),
        ],
    )
    assert list(client.list_invoices(BUSINESS_ID)) == [{"id": 1}]
    assert _pages_requested(fake) == [1, 2]


def test_null_next_wins_over_page_info(fake: FakeThred, client: ThredClient):
    body = {
        "next": None,
        "page_info": {"current_page": 1, "total_pages": 5},
        "results": [{"id": 1}],
    }
    fake.on("GET", PATH, httpx.Response(200, json=body))
    assert list(client.list_invoices(BUSINESS_ID)) == [{"id": 1}]
    assert _pages_requested(fake) == [1]


def test_filters_page_and_page_size_are_sent(fake: FakeThred, client: ThredClient):
    fake.on("GET", PATH, _pages("page_info"))
    items = list(
        client.list_invoices(
            BUSINESS_ID, customer_id="a,b", fully_allocated=False, due_at_start=None, page=3
        )
    )
    assert items == ITEMS[200:]
    (request,) = fake.api_requests
    assert request.url.params["customer_id"] == "a,b"
    assert request.url.params["fully_allocated"] == "false"
    assert "due_at_start" not in request.url.params
    assert request.url.params["page"] == "3"
    fake.requests.clear()
    list(client.list_invoices(BUSINESS_ID, page_size=500))
    assert {r.url.params["page_size"] for r in fake.api_requests} == {"100"}


def test_list_is_lazy_and_errors_surface_while_iterating(fake: FakeThred, client: ThredClient):
    fake.on(
        "GET",
        PATH,
        [
            httpx.Response(200, json={"next": "more", "results": [{"id": 1}]}),
            httpx.Response(503, json={"error": "down"}),
        ],
    )
    iterator = client.list_invoices(BUSINESS_ID)
    assert fake.api_requests == []
    assert next(iterator) == {"id": 1}
    with pytest.raises(ThredServerError):
        next(iterator)


@pytest.mark.parametrize("body", [{"items": []}, {"results": "nope"}, {"count": 0}])
def test_envelope_without_results_is_response_error(fake: FakeThred, client: ThredClient, body):
    fake.on("GET", PATH, httpx.Response(200, json=body))
    with pytest.raises(ThredResponseError):
        list(client.list_invoices(BUSINESS_ID))
