"""An in-process httpx transport that answers Thred's list and get endpoints with what
the outbox says Thred acknowledged — a Thred that agrees with the outbox, without doing
Thred's work.

``mirror_transport()`` (for ``THRED["TRANSPORT"]``) answers token requests with a token;
``GET …/businesses/`` and ``GET …/businesses/{id}/`` from the business records; every
other list endpoint with the records of that resource and business, a page at a time
(``page``/``page_size``, ordered by primary key), each rendered as its acknowledged
payload plus ``id`` (a payout's ``payment_ids`` as ``payments[].id``). It reads one page
per request and keeps nothing, so a reconciliation against it measures the
reconciliation alone (its memory, its CPU), not a Thred emulator.
"""

from __future__ import annotations

import json
import math
from typing import Any

import httpx

_TOKEN = json.dumps({"access_token": "mirror-token", "token_type": "Bearer", "expires_in": 3600})
# URL path tail (after /businesses/{id}/) -> resource
_PATHS = {
    "customers": "customer",
    "vendors": "vendor",
    "invoices": "invoice",
    "invoices/payments": "payment",
    "invoices/refunds": "refund",
    "payouts": "payout",
    "bills": "bill",
    "bills/payments": "bill_payment",
    "vendor-credits": "vendor_credit",
}


def _render(record: Any) -> dict[str, Any]:
    body = dict(record.acked_payload or {})
    body["id"] = record.thred_id
    body["external_id"] = record.external_id
    if record.resource == "payout":
        body["payments"] = [{"id": pid} for pid in body.pop("payment_ids", [])]
    if record.resource == "refund":
        body["refund_payments"] = []
    return body


def _json(status: int, body: Any) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


def _page(request: httpx.Request, queryset: Any) -> httpx.Response:
    page = int(request.url.params.get("page", 1))
    size = min(100, int(request.url.params.get("page_size", 20)))
    total = queryset.count()
    pages = max(1, math.ceil(total / size))
    rows = list(queryset.order_by("pk")[(page - 1) * size : page * size])
    return _json(
        200,
        {
            "count": total,
            "page_info": {"current_page": page, "total_pages": pages, "page_size": size},
            "results": [_render(r) for r in rows],
        },
    )


class MirrorTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        from thred_django.models import SyncRecord

        path = request.url.path
        if path.endswith("/oauth2/token/"):
            return httpx.Response(200, content=_TOKEN.encode())
        tail = path.split("/v1/platform/businesses/", 1)[-1].strip("/")
        businesses = SyncRecord.objects.filter(resource="business").exclude(thred_id="")
        if not tail:
            return _page(request, businesses)
        business_id, _, rest = tail.partition("/")
        business = businesses.filter(thred_id=business_id).first()
        if business is None:
            return _json(404, {"error": "Not found.", "error_code": "not_found", "details": {}})
        if not rest:
            return _json(200, _render(business))
        resource = _PATHS.get(rest)
        if resource is None:
            return _json(404, {"error": "Not found.", "error_code": "not_found", "details": {}})
        records = SyncRecord.objects.filter(resource=resource, tenant_id=business.tenant_id)
        return _page(request, records.exclude(thred_id=""))


def mirror_transport() -> httpx.BaseTransport:
    return MirrorTransport()
