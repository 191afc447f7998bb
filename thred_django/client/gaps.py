"""Every reading of the Thred docs where they are silent or contradict themselves.

One constant per decision, each with the reason. The client's validation
(``thred_django.client.validation``) imports from here, so changing a decision is a
one-line edit; the sandbox keeps its own, independent reading
(``thred_django.sandbox.readings``), so a reading wrong on one side shows in the tests.
The general rule: where the docs are silent, take the reading that is safest for a
client, i.e. the one under which a payload accepted here is also accepted by the real
API and no money is silently misrecorded (see ``shared/thred-api/gaps.md``).

Plain data only: no Django, ORM or sandbox imports.
"""

from __future__ import annotations

# --- Amounts and totals ---------------------------------------------------------------

# Un-suffixed amounts (line ``unit_price``, ``discount_amount``, ``sales_taxes[].amount``,
# ``additional_discount``, ``additional_sales_taxes_total``, ``tips``, vendor-credit
# ``line_items[].amount`` / ``allocations[].amount``) are integers in minor units, like
# every ``*_cents`` field. Older guides sent ``unit_price_cents``; a float such as 99.0
# is refused so a major-unit value can never be booked as cents unnoticed.

# Response fields without a suffix (``total_amount``, ``refunded_amount``, ``amount``,
# ``processing_fee`` …) are emitted in minor units too, next to the ``*_cents`` twin.
RESPONSE_UNSUFFIXED_AMOUNTS_IN_MINOR_UNITS = True

# Line total = round_half_up(quantity * unit_price) - discount_amount
#              + sum(sales_taxes[].amount - sales_taxes[].discount_amount).
# Invoice total = sum(lines) - additional_discount + additional_sales_taxes_total + tips.
# Bill total: the same without the invoice-level terms. Vendor credit total =
# sum(line amount + tax_amount_cents). The docs give no formula; this is the natural one.
LINE_QUANTITY_MUST_BE_POSITIVE = True  # credit lines go through refunds / credits
UNIT_PRICE_MIN = 0  # minor units; a negative price would be a hidden credit note
DOCUMENT_TOTAL_MIN_CENTS = 0  # an invoice or bill may be free but never negative
# Undocumented upper bound on any amount in minor units: fits a signed 64-bit integer
# with room for sums (10^15 - 1 = 9,999,999,999,999.99 in a two-decimal currency).
MAX_MINOR_UNITS = 10**15 - 1
# Undocumented bounds on a line ``quantity`` (the docs say "number"): at most 10^9, and
# at most 6 decimal places, so quantity * unit_price stays exact in a Decimal and
# within MAX_MINOR_UNITS checks (1e30 would otherwise reach the totals unbounded).
MAX_LINE_QUANTITY = 10**9
MAX_QUANTITY_DECIMAL_PLACES = 6
# Undocumented: request bodies nested deeper than this (metadata inside metadata …) are
# refused, and no string (key or value) may hold NUL or a lone surrogate, which no
# database's text or JSON column can store.
MAX_BODY_DEPTH = 16

# --- Currencies and countries ----------------------------------------------------------

BASE_CURRENCIES = ("GBP", "EUR", "USD", "SEK", "NOK", "DKK", "ISK", "MYR", "SGD")
SUPPORTED_COUNTRIES = (
    *("GB", "DE", "FR", "NL", "ES", "BE", "IT", "IE", "AT", "PT"),
    *("SE", "NO", "DK", "FI", "IS", "MY", "SG"),
)

# Minor-unit digits for display strings; ISK has none.
CURRENCY_DECIMALS = {"ISK": 0}

# Multi-currency is not documented: every document (invoice, payment, payout, refund,
# bill, bill payment, vendor credit) is in the business base currency. A ``currency``
# field, where sent, must equal it; invoices have no currency field in the reference
# and take the base currency.
SINGLE_CURRENCY_PER_BUSINESS = True

# Bill payments: the docs say an omitted ``currency`` defaults to GBP. Taken literally,
# so a non-GBP business must send ``currency`` explicitly (it fails otherwise).
BILL_PAYMENT_DEFAULT_CURRENCY = "GBP"

# --- Businesses -------------------------------------------------------------------------

# The reference requires external_id, legal_name, entity_type, email; the older guide
# also requires country and the currency. Both readings are satisfied by requiring all.
BUSINESS_REQUIRED_FIELDS = (
    "external_id",
    "legal_name",
    "entity_type",
    "email",
    "country",
    "base_currency",
)

# Only the GB list is documented; the others are the usual legal forms of each country
# (lower-case codes in the style of the documented ones: ``gmbh``, ``bv``, ``sl``).
# Countries not listed accept any entity_type string (documented).
ENTITY_TYPES_BY_COUNTRY: dict[str, tuple[str, ...]] = {
    "GB": ("limited", "sole_trader", "llp", "partnership", "plc"),
    "DE": (
        *("gmbh", "ug", "ag", "kg", "gmbh_co_kg", "ohg", "gbr", "ek"),
        *("einzelunternehmen", "partg", "freiberufler"),
    ),
    "NL": ("bv", "nv", "eenmanszaak", "vof", "cv", "maatschap", "stichting", "vereniging"),
    "ES": ("sl", "sa", "autonomo", "sc", "scp", "cb", "slne", "cooperativa"),
    "BE": (
        *("bv", "srl", "nv", "sa", "eenmanszaak", "entreprise_individuelle"),
        *("cv", "sc", "vof", "snc", "commv", "scomm", "vzw", "asbl"),
    ),
    "MY": ("sdn_bhd", "bhd", "sole_proprietorship", "partnership", "llp"),
    "SG": ("pte_ltd", "ltd", "sole_proprietorship", "partnership", "llp", "lp"),
}

# A business PATCH cannot change country or base_currency (not in the update schema).
# Silently ignoring them would let a client believe it changed them, so a *different*
# value is refused; an equal value, and external_id, are ignored. Declared in the
# business spec (``thred_django.specs.business``: ``refused_when_changed``).

# --- Field formats ----------------------------------------------------------------------

# Request fields accept no JSON null: no request field is documented as nullable, so a
# client must omit a field instead of sending null.
REQUEST_FIELDS_ACCEPT_NULL = False

# Ids in bodies must be canonical lower-case UUID strings (some pages give the pattern
# ``^[0-9a-f-]+$``); upper-case or brace forms are refused.
UUIDS_MUST_BE_CANONICAL_LOWERCASE = True

# Date-time fields need a time and a zone (``2024-12-20T14:30:45Z``). Guides send bare
# dates to invoice ``sent_at``/``due_at``; whether that works is not documented, so a
# bare date is refused here and clients send full date-times.
DATETIME_REQUIRES_TIME_AND_ZONE = True

# Undocumented maximum lengths: identifiers, names, references, e-mails and phones 255,
# free text (memo, notes, description) 4000.
DEFAULT_MAX_LENGTH = 255
TEXT_MAX_LENGTH = 4000

# --- Required fields nobody documented ---------------------------------------------------

# external_id is required on every create that the idempotency guide ties to it, and on
# customers, vendors and refunds too (documented only as "send it on all creates"): a
# create without one could not be retried safely. Invoice and bill payments may omit it
# because the Idempotency-Key header covers them. Declared per resource in its spec
# (``thred_django.specs``: ``external_id_required``).

# Customers and vendors need a name: individual_name or company_name (the vendor page
# says "individual name (requi…"; customers are assumed alike).
COUNTERPARTY_NAME_FIELDS = ("individual_name", "company_name")

# Payments and bill payments need at least one allocation; unapplied cash / customer
# credit balances are not documented. Allocations may sum to less than the total (the
# response has ``unapplied_amount_cents``) but never more; an invoice or bill appears at
# most once per payment.
PAYMENT_ALLOCATIONS_REQUIRED = True

# The bill-payment page's own example sends these five; treated as the required minimum.
BILL_PAYMENT_REQUIRED_FIELDS = (
    "vendor_id",
    "amount_cents",
    "payment_method",
    "payment_date",
    "allocations",
)

# A processing fee can never exceed the amount it was taken from.
FEE_MAY_NOT_EXCEED_AMOUNT = True

# --- References --------------------------------------------------------------------------

# customer_external_id on invoices and vendor_external_id on bills only *reference* an
# existing counterparty (auto-creation is documented for vendor credits alone).
VENDOR_CREDIT_CREATES_VENDOR_FROM_EXTERNAL_ID = True  # documented

# New invoices need an active customer; new bills and vendor credits an active vendor.
# Money movements (payments, refunds, bill payments) on existing documents still work.
ARCHIVED_COUNTERPARTY_REFUSES_NEW_DOCUMENTS = True

# A payment or refund payment can be settled by at most one payout.
PAYMENT_IN_AT_MOST_ONE_PAYOUT = True

# --- Enumerations ------------------------------------------------------------------------

INVOICE_TYPES = ("invoice",)  # only the default is documented
# Invoice statuses are upper-case like the documented example ``SENT`` (SENT,
# PARTIALLY_PAID, PAID, VOID); ``unpaid`` is accepted as a list filter meaning SENT or
# PARTIALLY_PAID (pagination guide example). Bills: OPEN, PARTIALLY_PAID, PAID. Vendor
# credits: open, partially_applied, applied. Only the sandbox sets them.
CUSTOMER_STATUSES = ("active", "inactive")  # default ``active`` is documented

PAYMENT_METHODS = (
    *("bank_transfer", "credit_card", "debit_card", "ach", "check"),
    *("cash", "paypal", "stripe", "other"),
)
PAYMENT_STATUSES = ("pending", "processing", "completed", "failed", "cancelled", "refunded")
BILL_PAYMENT_METHODS = ("bank_transfer", "ach", "wire", "check", "credit_card", "cash", "other")
BILL_PAYMENT_STATUSES = ("pending", "processing", "completed", "failed", "cancelled")
# The list filter's documented enum also names "returned" (no bill payment gets there).
BILL_PAYMENT_FILTER_STATUSES = (*BILL_PAYMENT_STATUSES, "returned")

# Created payments are ``completed`` (the docs' example) unless the create body sends a
# ``status``; it is honoured when it is one a new payment can have, because only pending
# or failed payments can be cancelled and a client must be able to create those.
PAYMENT_DEFAULT_STATUS = "completed"
PAYMENT_CREATE_STATUSES = ("pending", "processing", "completed", "failed")
BILL_PAYMENT_DEFAULT_STATUS = "completed"
BILL_PAYMENT_CREATE_STATUSES = ("pending", "processing", "completed", "failed")
# Cancelling happens only through the cancel endpoint (it reverses allocations); a PATCH
# with status ``cancelled`` is refused.
UPDATE_MAY_NOT_SET_CANCELLED = True
CANCELLABLE_STATUSES = ("pending", "failed")  # documented

# Payments in these statuses count towards what an invoice (or bill) has received.
ALLOCATING_PAYMENT_STATUSES = ("pending", "processing", "completed", "refunded")
ALLOCATING_BILL_PAYMENT_STATUSES = ("pending", "processing", "completed")

# Refund methods: only CASH and BANK_TRANSFER appear in the docs; the rest mirror the
# invoice-payment methods in upper case, so a card refund is not recorded as cash.
REFUND_METHODS = (
    *("BANK_TRANSFER", "CREDIT_CARD", "DEBIT_CARD", "ACH", "CHECK"),
    *("CASH", "PAYPAL", "STRIPE", "OTHER"),
)
# Refund statuses: pending, processing, paid (the documented transitions).

# Payout processor is free text (examples stripe, adyen, mollie); status enum undocumented:
# Stripe's payout states with the British spelling used elsewhere in the API.
PAYOUT_STATUSES = ("pending", "in_transit", "paid", "failed", "cancelled")
PAYOUT_DEFAULT_STATUS = "paid"  # partners send completed settlements
PAYOUT_UNRECONCILED = "unreconciled"
# paid_out_amount_cents may be negative (a processor debiting the bank); fees may not.
PAYOUT_AMOUNT_MAY_BE_NEGATIVE = True

ACCOUNT_IDENTIFIER_TYPES = ("AccountId",)  # the only documented form

# --- Refund rules ------------------------------------------------------------------------

# A refund may not exceed the invoice total minus what earlier refunds of that invoice
# took; an omitted ``amount_cents`` refunds that whole remainder. A voided invoice cannot
# be refunded. The docs state only "refund (full or partial) against an invoice" and the
# ordering rule refund -> invoice; requiring a payment first would invent an ordering
# edge (payment -> refund) the docs do not have. ``partial_amount`` (named in the
# endpoint text) is refused with a pointer to ``amount_cents`` so a partial refund is
# never booked as a full one.
REFUND_LIMIT = "invoice_total_minus_refunded"
REFUND_PARTIAL_AMOUNT_ALIAS_REFUSED = "partial_amount"

# --- Idempotency -------------------------------------------------------------------------

# external_id is unique per business and resource (per partner for businesses). A repeat
# returns the stored object unchanged with 200, whatever the new body says; payouts alone
# upsert. A changed body is therefore not an error: the client must use the update call.
# Declared per resource in its spec (``thred_django.specs``: ``repeat_create``).

# Idempotency-Key (invoice and bill payment creates only): scope business + resource,
# max 255 characters, kept until the sandbox is reset. Only successful (2xx) responses
# are stored, so a corrected retry after a 400 may reuse the key. A repeat with the same
# body returns the stored body with 200; the same key with another body is refused with
# 409 ``idempotency_key_reused``.
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_KEY_REPLAY_STATUS = 200

# --- Updates -----------------------------------------------------------------------------

# Invoice PUT and bill PUT keep fields that are omitted; ``line_items``, when sent,
# replace all lines (documented for bills, assumed for invoices). A new total below what
# the document has already received (or, for invoices, refunded) is a 400 on
# ``line_items``.

# Voiding an invoice that has received money (active payment allocations) or has refunds
# is refused: cancel the payments first; a refunded invoice already had revenue reversed.
VOID_REFUSED_WITH_PAYMENTS = True

# --- Tokens and errors -------------------------------------------------------------------

# The token request must carry client_id (reference schema) equal to the Basic user name,
# and grant_type, when sent, must be client_credentials.
TOKEN_REQUIRES_CLIENT_ID = True
BUSINESS_TOKEN_SCOPE = "business_access"

# Error codes the docs do not name. State conflicts answer 409; "already in the target
# state" has its own code so a client retrying after a lost response can treat it as done.
ERROR_CODE_BAD_CREDENTIALS = "invalid_credentials"  # 401, wrong partner uuid / api key
ERROR_CODE_NOT_FOUND = "not_found"  # 404, unknown URL
ERROR_CODE_METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
ERROR_CODE_INVALID_PAGE = "invalid_page"  # 404, page beyond the last (DRF behaviour)
ERROR_CODE_IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
ERROR_CODE_PAYMENT_NOT_CANCELLABLE = "payment_not_cancellable"
ERROR_CODE_PAYMENT_ALREADY_CANCELLED = "payment_already_cancelled"
ERROR_CODE_PAYMENT_CANCELLED = "payment_cancelled"  # update of a cancelled payment
ERROR_CODE_BILL_PAYMENT_NOT_CANCELLABLE = "bill_payment_not_cancellable"
ERROR_CODE_BILL_PAYMENT_ALREADY_CANCELLED = "bill_payment_already_cancelled"
ERROR_CODE_BILL_PAYMENT_CANCELLED = "bill_payment_cancelled"
ERROR_CODE_INVOICE_VOIDED = "invoice_voided"  # update of a voided invoice
ERROR_CODE_INVOICE_ALREADY_VOIDED = "invoice_already_voided"
ERROR_CODE_INVOICE_HAS_PAYMENTS = "invoice_has_payments"
ERROR_CODE_INVOICE_HAS_REFUNDS = "invoice_has_refunds"
ERROR_CODE_CUSTOMER_ALREADY_ARCHIVED = "customer_already_archived"
ERROR_CODE_CUSTOMER_NOT_ARCHIVED = "customer_not_archived"
ERROR_CODE_VENDOR_NOT_ARCHIVED = "vendor_not_archived"
ERROR_CODE_PAYOUT_RECONCILED = "payout_reconciled"
# A refund payment's external_id already used under another refund of the business
# (errors.md lists a "duplicate_ext…" code, presumably this one).
ERROR_CODE_DUPLICATE_EXTERNAL_ID = "duplicate_external_id"

# Codes meaning "the state you asked for is already there" (safe to treat as success).
ALREADY_DONE_ERROR_CODES = (
    ERROR_CODE_PAYMENT_ALREADY_CANCELLED,
    ERROR_CODE_BILL_PAYMENT_ALREADY_CANCELLED,
    ERROR_CODE_INVOICE_ALREADY_VOIDED,
    ERROR_CODE_CUSTOMER_ALREADY_ARCHIVED,
    ERROR_CODE_CUSTOMER_NOT_ARCHIVED,
    ERROR_CODE_VENDOR_NOT_ARCHIVED,
)

# 429 is undocumented; the sandbox sends it with ``Retry-After: <seconds>`` (an integer)
# and error_code ``rate_limited``.

# --- Responses and lists ----------------------------------------------------------------

# Business create responses carry ``_meta`` (inner fields undocumented) as
# ``{"created": true}`` for a new business and ``{"created": false}`` for a repeat.
BUSINESS_META_CREATED_KEY = "created"

# Payment get/list answer the documented detail shape *plus* every field of the
# create/PATCH summary (``total_amount_cents``, ``status``, ``external_id`` …), so a client
# can read either shape; create and PATCH answer ``{"payment": summary}``.

# Payout upserts keep stored values of fields the body omits; ``payment_ids`` and
# ``refund_payment_ids``, when sent, replace the payout's links.
PAYOUT_UPSERT_KEEPS_OMITTED_FIELDS = True

# List filters. Documented ones are implemented as documented; the sandbox reads the
# illegible or missing filter lists so (customers mirror vendors, as the docs suggest):
# customers external_id, external_id_contains, include_archived, name, name_contains;
# invoices min_amount, status; payments invoice_id, min_amount, max_amount,
# payment_method, payment_processor, status, search, sort_by, order; payouts
# min_amount, processor, status, search; refunds invoice_id, customer_id, status; bills
# and vendor credits vendor_id, status. Lists are newest first (payments:
# payment_date, then created_at).

# A body that is not JSON (or not an object) is a 400 ``validation_error``; an unknown
# path a 404 ``not_found``; an unsupported Content-Type DRF's 415.

# --- Pagination --------------------------------------------------------------------------

# Both documented envelopes at once: count, page_info{…}, next, previous, results.
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100  # documented maximum: a larger (or < 1) page_size is a 400

# --- Where the sandbox's answers depart from openapi.json ---------------------------------
#
# The sandbox's own reading (``thred_django/sandbox/readings.py``, last section): the
# property-based schema test allows exactly those departures. The client does not depend
# on them.
