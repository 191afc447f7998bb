"""Credentials, a fixed business and real objects for generated sandbox requests.

``SandboxWorld`` creates (through the client, in process) one business with one object
of every resource. ``prepare(case)`` gives each request the credentials its security
scheme needs, puts the business in every ``business_id`` and — where the generated
path id is a well-formed UUID — the id of the real object of that kind, so valid
requests reach real objects and their responses are checked against the schema too.
(Schemathesis re-derives whether a case is still invalid after the substitution.)
"""

from __future__ import annotations

import base64
import re
from typing import Any

from django.conf import settings

from tests.client.sandbox_world import World
from thred_django.client import ThredClient
from thred_django.sandbox.transport import in_process_transport

PARTNER_ID = settings.THRED["PARTNER_ID"]
API_KEY = settings.THRED["API_KEY"]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
BUSINESS_PATH = "/v1/platform/businesses/{business_id}/"
REFUND_PAYMENT_PATH = "/v1/platform/businesses/{business_id}/invoices/refunds/{refund_id}/"
OBJECT_PARAMS = {
    "customer_id": "customer",
    "vendor_id": "vendor",
    "invoice_id": "invoice",
    "payment_id": "payment",
    "payout_id": "payout",
    "refund_id": "refund",
    "bill_id": "bill",
    "bill_payment_id": "bill_payment",
    "credit_id": "vendor_credit",
}


class SandboxWorld:
    def __init__(self) -> None:
        self.basic = "Basic " + base64.b64encode(f"{PARTNER_ID}:{API_KEY}".encode()).decode()
        with ThredClient(transport=in_process_transport(), token_cache=None) as client:
            world = World(client)
            self.business_id = world.business_id
            self.ids = {
                name: str(getattr(world, attr)["id"]) for name, attr in OBJECT_PARAMS.items()
            }
            self.ids["vendor_credit"] = self.ids.pop("credit_id")
            self.ids["credit_id"] = self.ids["vendor_credit"]
            self.refund_payment_id = str(world.refund_payment["id"])
            self.partner = "Bearer " + client.get_partner_token().data["access_token"]
            token = client.get_business_token(self.business_id).data["access_token"]
            self.business = f"Bearer {token}"

    def prepare(self, case: Any) -> None:
        path = case.operation.path
        if path == "/v1/platform/oauth2/token/":
            authorization = self.basic
        elif path.startswith(BUSINESS_PATH) and path != BUSINESS_PATH:
            authorization = self.business
        else:
            authorization = self.partner
        params = case.path_parameters or {}
        for name, value in list(params.items()):
            if not (isinstance(value, str) and UUID.match(value)):
                continue  # an invalid id: the point of the case
            if name == "business_id":
                params[name] = self.business_id
            elif name == "payment_id" and path.startswith(REFUND_PAYMENT_PATH):
                params[name] = self.refund_payment_id
            elif name in self.ids:
                params[name] = self.ids[name]
        case.headers = {**(case.headers or {}), "Authorization": authorization}
