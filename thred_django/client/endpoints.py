"""The one table of Thred Partner API endpoints the client calls.

Each entry names the client method, the HTTP method, the path template (relative to
``THRED['BASE_URL']``, always with the trailing slash) and which credential it takes:

* ``BASIC``: HTTP Basic partner_uuid:api_key (only the partner-token endpoint);
* ``PARTNER``: the partner (unscoped) bearer token: businesses and the token exchange;
* ``BUSINESS``: the business-scoped bearer token of the ``business_id`` in the path.

Reading chosen where the docs disagree (see ``shared/thred-api/auth.md``): most reference
pages accept the partner token on business sub-resources, the guides and the
bill-payment pages require the business token. The business token satisfies both, so
every ``/businesses/{business_id}/…`` sub-resource uses it. Change ``auth`` here to
change that.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from string import Formatter
from typing import Any
from urllib.parse import quote


class Auth(StrEnum):
    BASIC = "basic"
    PARTNER = "partner"
    BUSINESS = "business"


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    auth: Auth
    paginated: bool = False

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in Formatter().parse(self.path) if name)

    def format(self, **params: Any) -> str:
        """The concrete path; each id is checked and percent-encoded (no ``../`` tricks)."""
        expected = set(self.path_params)
        if set(params) != expected:
            raise TypeError(f"{self.name} needs path parameters {sorted(expected)}")
        values: dict[str, str] = {}
        for key, value in params.items():
            text = str(value).strip() if value is not None else ""
            if not text:
                raise ValueError(f"{self.name}: {key} must be a non-empty id, got {value!r}")
            values[key] = quote(text, safe="")
        return self.path.format(**values)


_B = "/v1/platform/businesses/{business_id}"

_TABLE: tuple[Endpoint, ...] = (
    # --- Authentication -------------------------------------------------------------
    Endpoint("get_partner_token", "POST", "/v1/platform/oauth2/token/", Auth.BASIC),
    Endpoint(
        "get_business_token", "POST", "/v1/platform/{business_id}/oauth2/token/", Auth.PARTNER
    ),
    # --- Businesses -----------------------------------------------------------------
    Endpoint("create_business", "POST", "/v1/platform/businesses/", Auth.PARTNER),
    Endpoint("list_businesses", "GET", "/v1/platform/businesses/", Auth.PARTNER, paginated=True),
    Endpoint("get_business", "GET", f"{_B}/", Auth.PARTNER),
    Endpoint("update_business", "PATCH", f"{_B}/", Auth.PARTNER),
    # --- Customers ------------------------------------------------------------------
    Endpoint("create_customer", "POST", f"{_B}/customers/", Auth.BUSINESS),
    Endpoint("list_customers", "GET", f"{_B}/customers/", Auth.BUSINESS, paginated=True),
    Endpoint("get_customer", "GET", f"{_B}/customers/{{customer_id}}/", Auth.BUSINESS),
    Endpoint("archive_customer", "POST", f"{_B}/customers/{{customer_id}}/archive/", Auth.BUSINESS),
    Endpoint(
        "unarchive_customer", "POST", f"{_B}/customers/{{customer_id}}/unarchive/", Auth.BUSINESS
    ),
    # --- Vendors --------------------------------------------------------------------
    Endpoint("create_vendor", "POST", f"{_B}/vendors/", Auth.BUSINESS),
    Endpoint("list_vendors", "GET", f"{_B}/vendors/", Auth.BUSINESS, paginated=True),
    Endpoint("get_vendor", "GET", f"{_B}/vendors/{{vendor_id}}/", Auth.BUSINESS),
    Endpoint("unarchive_vendor", "POST", f"{_B}/vendors/{{vendor_id}}/unarchive/", Auth.BUSINESS),
    # --- Invoices -------------------------------------------------------------------
    Endpoint("create_invoice", "POST", f"{_B}/invoices/", Auth.BUSINESS),
    Endpoint("list_invoices", "GET", f"{_B}/invoices/", Auth.BUSINESS, paginated=True),
    Endpoint("get_invoice", "GET", f"{_B}/invoices/{{invoice_id}}/", Auth.BUSINESS),
    Endpoint("update_invoice", "PUT", f"{_B}/invoices/{{invoice_id}}/", Auth.BUSINESS),
    Endpoint("void_invoice", "POST", f"{_B}/invoices/{{invoice_id}}/void/", Auth.BUSINESS),
    # --- Invoice payments -----------------------------------------------------------
    Endpoint("create_payment", "POST", f"{_B}/invoices/payments/", Auth.BUSINESS),
    Endpoint("list_payments", "GET", f"{_B}/invoices/payments/", Auth.BUSINESS, paginated=True),
    Endpoint("get_payment", "GET", f"{_B}/invoices/payments/{{payment_id}}/", Auth.BUSINESS),
    Endpoint("update_payment", "PATCH", f"{_B}/invoices/payments/{{payment_id}}/", Auth.BUSINESS),
    Endpoint(
        "cancel_payment", "POST", f"{_B}/invoices/payments/{{payment_id}}/delete/", Auth.BUSINESS
    ),
    # --- Payouts --------------------------------------------------------------------
    Endpoint("upsert_payout", "POST", f"{_B}/payouts/", Auth.BUSINESS),
    Endpoint("list_payouts", "GET", f"{_B}/payouts/", Auth.BUSINESS, paginated=True),
    Endpoint("get_payout", "GET", f"{_B}/payouts/{{payout_id}}/", Auth.BUSINESS),
    # --- Refunds and refund payments ------------------------------------------------
    Endpoint("create_refund", "POST", f"{_B}/invoices/refunds/", Auth.BUSINESS),
    Endpoint("list_refunds", "GET", f"{_B}/invoices/refunds/", Auth.BUSINESS, paginated=True),
    Endpoint("get_refund", "GET", f"{_B}/invoices/refunds/{{refund_id}}/", Auth.BUSINESS),
    Endpoint(
        "create_refund_payment",
        "POST",
        f"{_B}/invoices/refunds/{{refund_id}}/payments/",
        Auth.BUSINESS,
    ),
    Endpoint(
        "list_refund_payments",
        "GET",
        f"{_B}/invoices/refunds/{{refund_id}}/payments/",
        Auth.BUSINESS,
        paginated=True,
    ),
    Endpoint(
        "get_refund_payment",
        "GET",
        f"{_B}/invoices/refunds/{{refund_id}}/payments/{{payment_id}}/",
        Auth.BUSINESS,
    ),
    # --- Bills ----------------------------------------------------------------------
    Endpoint("create_bill", "POST", f"{_B}/bills/", Auth.BUSINESS),
    Endpoint("list_bills", "GET", f"{_B}/bills/", Auth.BUSINESS, paginated=True),
    Endpoint("get_bill", "GET", f"{_B}/bills/{{bill_id}}/", Auth.BUSINESS),
    Endpoint("update_bill", "PUT", f"{_B}/bills/{{bill_id}}/", Auth.BUSINESS),
    # --- Bill payments --------------------------------------------------------------
    Endpoint("create_bill_payment", "POST", f"{_B}/bills/payments/", Auth.BUSINESS),
    Endpoint("list_bill_payments", "GET", f"{_B}/bills/payments/", Auth.BUSINESS, paginated=True),
    Endpoint("get_bill_payment", "GET", f"{_B}/bills/payments/{{bill_payment_id}}/", Auth.BUSINESS),
    Endpoint(
        "update_bill_payment", "PATCH", f"{_B}/bills/payments/{{bill_payment_id}}/", Auth.BUSINESS
    ),
    Endpoint(
        "cancel_bill_payment",
        "POST",
        f"{_B}/bills/payments/{{bill_payment_id}}/delete/",
        Auth.BUSINESS,
    ),
    # --- Vendor credit notes --------------------------------------------------------
    Endpoint("create_vendor_credit", "POST", f"{_B}/vendor-credits/", Auth.BUSINESS),
    Endpoint("list_vendor_credits", "GET", f"{_B}/vendor-credits/", Auth.BUSINESS, paginated=True),
    Endpoint("get_vendor_credit", "GET", f"{_B}/vendor-credits/{{credit_id}}/", Auth.BUSINESS),
)

ENDPOINTS: dict[str, Endpoint] = {endpoint.name: endpoint for endpoint in _TABLE}
assert len(ENDPOINTS) == len(_TABLE), "duplicate endpoint name"
