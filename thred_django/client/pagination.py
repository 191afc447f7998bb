"""Walk every page of a Thred list endpoint.

Thred documents two envelopes (``conventions.md``); both are accepted, also mixed:

* ``{"count", "next", "previous", "results"}``: stop when ``next`` is null;
* ``{"count", "page_info": {"current_page", "total_pages", …}, "results"}``: stop when
  ``current_page >= total_pages``.

Either way, an empty ``results`` stops. With neither ``next`` nor ``page_info``, a page
shorter than the requested ``page_size`` is the last one. Pages are requested by number
(``page=1, 2, …``), never by following ``next`` URLs, which may name another host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from thred_django.client.response import ThredResponse
from thred_django.exceptions import ThredResponseError

PAGE_SIZE = 100  # Thred's maximum
MAX_PAGES = 100_000  # a server that ignores ``page`` must not loop forever


def is_last_page(body: dict[str, Any], page: int, page_size: int) -> bool:
    results = body["results"]
    if not results:
        return True
    has_next = "next" in body
    if has_next and not body["next"]:
        return True
    page_info = body.get("page_info")
    if isinstance(page_info, dict):
        current = page_info.get("current_page", page)
        total = page_info.get("total_pages")
        if isinstance(total, int) and isinstance(current, int) and current >= total:
            return True
        if isinstance(total, int):
            return False
    if has_next:
        return False
    return len(results) < page_size


def iterate_pages(
    fetch: Callable[[int], ThredResponse[Any]], *, first_page: int = 1, page_size: int = PAGE_SIZE
) -> Iterator[Any]:
    """Yield every item of every page; ``fetch(page)`` returns one page's response."""
    page = first_page
    for _ in range(MAX_PAGES):
        response = fetch(page)
        body = response.data
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise ThredResponseError(
                "List response has no 'results' array",
                method=response.method,
                path=response.path,
                status=response.status_code,
            )
        yield from body["results"]
        if is_last_page(body, page, page_size):
            return
        page += 1
    raise ThredResponseError(
        f"List did not end after {MAX_PAGES} pages",
        method=response.method,
        path=response.path,
    )
