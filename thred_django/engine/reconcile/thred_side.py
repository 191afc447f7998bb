"""Reading what Thred holds, a page at a time, and telling our objects from others'.

``pages(client, resource, business_id)`` yields lists of Thred objects (one list page
each, at most 100 objects), so a caller holds one page at a time whatever the size of
the business. Where Thred documents an external-id filter (vendors:
``external_id_contains``) it narrows the list to our prefix; archived customers and
vendors are asked for too (``include_archived``), since archiving is what a host delete
does to them. Refund payments come inside their refund (``refund_payments[]``, as
documented), or from the refund's payment list when a refund does not embed them.

"Ours" (``is_ours``): an external id that starts with ``THRED["EXTERNAL_ID_PREFIX"]``
when one is set, or, with no prefix, one in the default form ``<app_label>.<model>-<pk>``
of a model mapped to that resource. Objects created in Thred by other tools, without
that form, are not ours and are never reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from thred_django import specs
from thred_django.client import ThredClient
from thred_django.conf import thred_settings
from thred_django.engine import operations
from thred_django.mappings import Mapping, registry

Page = list[dict[str, Any]]
PAGE = 100


def _chunked(items: Iterator[Any], size: int = PAGE) -> Iterator[Page]:
    page: Page = []
    for item in items:
        if isinstance(item, dict):
            page.append(item)
        if len(page) >= size:
            yield page
            page = []
    if page:
        yield page


def lister(client: ThredClient, resource: str) -> Callable[[str], Iterator[Any]]:
    """``read(business_id)``: every object of ``resource`` in that business, lazily."""
    spec = specs.of(resource)
    filters: dict[str, str] = {}
    if spec.has_archived:
        filters["include_archived"] = "true"
    prefix = thred_settings.EXTERNAL_ID_PREFIX
    if prefix and spec.prefix_filter:
        filters[spec.prefix_filter] = prefix
    return lambda business_id: operations.listed(client, resource, business_id, filters)


def pages(client: ThredClient, resource: str, business_id: str) -> Iterator[Page]:
    """Thred's objects of ``resource`` in a business, one page (≤ 100) at a time."""
    return _chunked(lister(client, resource)(business_id))


def business_pages(client: ThredClient) -> Iterator[Page]:
    """Every business of the partner, one page at a time."""
    return _chunked(client.list_businesses())


# --- ours or not ---------------------------------------------------------------------------


def default_form(mapping: Mapping) -> tuple[str, str]:
    """(before, after) the pk in ``mapping``'s default external ids of the current schema
    (``<prefix>[<schema>:]app.model-`` and, for a secondary mapping, ``-<resource>``), read
    off ``external_id_for_pk`` so the form is stated once."""
    marker = "\x00"
    before, _, after = mapping.external_id_for_pk(marker).partition(marker)
    return before, after


def _pk_in(mapping: Mapping, external_id: str) -> str | None:
    before, after = default_form(mapping)
    if not external_id.startswith(before) or not external_id.endswith(after):
        return None
    pk = external_id[len(before) : len(external_id) - len(after)]
    return pk or None


def mappings_of(resource: str) -> list[Mapping]:
    return [m for m in registry.mappings() if m.resource == resource]


def is_ours(resource: str, external_id: Any) -> bool:
    if not isinstance(external_id, str) or not external_id:
        return False
    prefix = thred_settings.EXTERNAL_ID_PREFIX
    if prefix:
        return external_id.startswith(prefix)
    return any(_pk_in(m, external_id) is not None for m in mappings_of(resource))


def host_key(resource: str, external_id: str) -> tuple[Mapping, str] | None:
    """(mapping, pk) of the host row a default-form external id names, if any."""
    for mapping in mappings_of(resource):
        pk = _pk_in(mapping, external_id)
        if pk is not None:
            return mapping, pk
    return None
