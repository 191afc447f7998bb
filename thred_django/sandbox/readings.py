"""The sandbox's own reading of what the Thred docs leave open (``shared/thred-api/``).

The sandbox emulates Thred; it must not take its rules from the client it tests, or a
rule wrong in the client would be wrong here too and no test could see it. So this
module is written from the reference (``gaps.md``, ``conventions.md``, the resource
pages, ``openapi.json``), independently of ``thred_django.client.gaps``; where the two
readings differ, ``tests/sandbox/test_schema_cross_check.py`` shows it. One constant per
decision, each with its reason; plain data only (one list is read off the specs).

The rule for silence: take the reading that is strict where money could be misrecorded
(refuse rather than guess), and DRF's behaviour where the docs show the API is DRF
(field errors, pagination, trailing slashes).
"""

from __future__ import annotations

from thred_django import specs

# --- Money --------------------------------------------------------------------------------

# gaps.md 2: units of un-suffixed amounts are not documented. Read as minor units, like
# every *_cents field (older guides sent unit_price_cents); a float is refused so a
# major-unit value is never booked as cents.
MAX_MINOR_UNITS = 10**15 - 1  # no bound documented: a signed 64-bit column with headroom
MAX_QUANTITY = 10**9  # "number": bounded so quantity * unit_price stays exact
QUANTITY_DECIMAL_PLACES = 6
QUANTITY_MUST_BE_POSITIVE = True  # credits go through refunds and vendor credits
UNIT_PRICE_MIN = 0
DOCUMENT_TOTAL_MIN_CENTS = 0  # a document may be free, never negative
CURRENCY_DECIMALS = {"ISK": 0}  # display strings; every other base currency has 2

# conventions.md: base currencies and supported countries are listed.
BASE_CURRENCIES = ("GBP", "EUR", "USD", "SEK", "NOK", "DKK", "ISK", "MYR", "SGD")
COUNTRIES = (
    *("GB", "DE", "FR", "NL", "ES", "BE", "IT", "IE", "AT", "PT"),
    *("SE", "NO", "DK", "FI", "IS", "MY", "SG"),
)
# gaps.md 3: multi-currency is not documented; payments "must equal the business base
# currency", read as true of every document that carries a currency.
ONE_CURRENCY_PER_BUSINESS = True
# bill-payments.md: "defaults to GBP" when omitted, taken literally.
BILL_PAYMENT_DEFAULT_CURRENCY = "GBP"

# --- Text and formats ---------------------------------------------------------------------

MAX_LENGTH = 255  # identifiers, names, references (no maximum documented)
LONG_TEXT_MAX_LENGTH = 4000  # memo, notes, description
MAX_BODY_DEPTH = 16  # metadata nested deeper is refused (no database stores it usefully)
# No request field is documented as nullable: null is refused, a field is left out.
NULL_ALLOWED = False
# conventions.md: "use lower-case canonical UUIDs".
UUIDS_LOWER_CASE = True
# gaps/conventions: date-times are ISO 8601 with a zone; whether a bare date works for
# sent_at is not documented, so it is refused. Offsets past ±15:59 (valid ISO 8601,
# refused by PostgreSQL) are the same instant in UTC.
DATETIME_NEEDS_ZONE = True

# --- Businesses ---------------------------------------------------------------------------

# The reference requires four fields, the older guide country and currency too: require
# all six so a business accepted here is accepted under both readings.
BUSINESS_REQUIRED = (
    "external_id",
    "legal_name",
    "entity_type",
    "email",
    "country",
    "base_currency",
)
# businesses.md: GB's list is documented; the rest are each country's usual legal forms.
ENTITY_TYPES = {
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
# The PATCH schema has no country or base_currency: a different value is refused (a
# client must not believe it moved a business), an equal one ignored.
BUSINESS_FIXED = ("country", "base_currency")
BUSINESS_META_CREATED_KEY = "created"  # gaps.md 10: `_meta` shape unknown

# --- Required fields (gaps.md 1: mostly not legible) ----------------------------------------

# external_id on every create the idempotency guide ties to it ("send it on all creates");
# the two with an Idempotency-Key header may omit it.
EXTERNAL_ID_OPTIONAL_FOR = ("payment", "bill_payment")
COUNTERPARTY_NAMES = ("individual_name", "company_name")  # "individual name (requi…"
PAYMENT_NEEDS_ALLOCATIONS = True  # unapplied cash is not documented
# The bill-payment page's example sends these five.
BILL_PAYMENT_REQUIRED = (
    "vendor_id",
    "amount_cents",
    "payment_method",
    "payment_date",
    "allocations",
)
FEE_WITHIN_AMOUNT = True  # a fee is taken from the amount

# --- Enumerations (conventions.md's table; undocumented ones marked) -----------------------

CUSTOMER_STATUSES = ("active", "inactive")  # only the default is documented
INVOICE_TYPES = ("invoice",)  # only the default is documented
INVOICE_STATUSES = ("SENT", "PARTIALLY_PAID", "PAID", "VOID")  # example SENT
BILL_STATUSES = ("OPEN", "PARTIALLY_PAID", "PAID")
VENDOR_CREDIT_STATUSES = ("open", "partially_applied", "applied")
PAYMENT_METHODS = (
    *("bank_transfer", "credit_card", "debit_card", "ach", "check"),
    *("cash", "paypal", "stripe", "other"),
)
PAYMENT_STATUSES = ("pending", "processing", "completed", "failed", "cancelled", "refunded")
BILL_PAYMENT_METHODS = ("bank_transfer", "ach", "wire", "check", "credit_card", "cash", "other")
BILL_PAYMENT_STATUSES = ("pending", "processing", "completed", "failed", "cancelled")
BILL_PAYMENT_FILTER_STATUSES = (*BILL_PAYMENT_STATUSES, "returned")  # the filter's enum
# A create may ask for a status a new payment can have (only pending or failed ones can be
# cancelled, so a client must be able to make those); the default is the example's.
PAYMENT_DEFAULT_STATUS = "completed"
NEW_PAYMENT_STATUSES = ("pending", "processing", "completed", "failed")
CANCELLABLE_STATUSES = ("pending", "failed")  # documented
# Cancelling reverses allocations: only the cancel endpoint does it, never a PATCH.
PATCH_MAY_NOT_CANCEL = True
# What counts towards an invoice's (bill's) received amount.
ALLOCATING_PAYMENT_STATUSES = ("pending", "processing", "completed", "refunded")
ALLOCATING_BILL_PAYMENT_STATUSES = ("pending", "processing", "completed")
# Refund methods: upper case (pattern ^[A-Z_]+$); CASH and BANK_TRANSFER are shown, the
# rest mirror the payment methods so a card refund is not booked as cash.
REFUND_METHODS = (
    *("BANK_TRANSFER", "CREDIT_CARD", "DEBIT_CARD", "ACH", "CHECK"),
    *("CASH", "PAYPAL", "STRIPE", "OTHER"),
)
# The endpoint text's partial_amount is refused with a pointer to amount_cents, so a
# partial refund is never booked as a full one.
REFUND_PARTIAL_AMOUNT_ALIAS = "partial_amount"
PAYOUT_STATUSES = ("pending", "in_transit", "paid", "failed", "cancelled")  # undocumented
PAYOUT_DEFAULT_STATUS = "paid"  # "completed settlements"
PAYOUT_UNRECONCILED = "unreconciled"
PAYOUT_AMOUNT_MAY_BE_NEGATIVE = True  # a processor may debit the bank
ACCOUNT_IDENTIFIER_TYPES = ("AccountId",)  # the only documented form

# --- References and balances ---------------------------------------------------------------

VENDOR_CREDIT_CREATES_VENDOR = True  # documented; invoices and bills only reference
ARCHIVED_COUNTERPARTY_REFUSES_NEW_DOCUMENTS = True
PAYMENT_IN_ONE_PAYOUT = True  # a settlement cannot be paid out twice
# A voided invoice cannot be refunded; a refund takes at most the total minus earlier
# refunds (an omitted amount_cents takes all of that).
VOID_REFUSED_WITH_PAYMENTS = True  # cancel the payments first; refunds already reversed
PAYOUT_UPSERT_KEEPS_OMITTED = True  # a partial upsert must not clear links

# --- Idempotency ----------------------------------------------------------------------------

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_REPLAY_STATUS = 200  # the idempotency guide

# --- Tokens, errors, pages ------------------------------------------------------------------

TOKEN_REQUIRES_CLIENT_ID = True  # the reference schema's required list
BUSINESS_TOKEN_SCOPE = "business_access"
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100

# Error codes the docs do not name (errors.md lists the statuses); "already in the target
# state" has its own code so a client retrying after a lost answer can treat it as done.
ERROR_BAD_CREDENTIALS = "invalid_credentials"
ERROR_NOT_FOUND = "not_found"
ERROR_METHOD_NOT_ALLOWED = "method_not_allowed"
ERROR_INVALID_PAGE = "invalid_page"
ERROR_IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
ERROR_DUPLICATE_EXTERNAL_ID = "duplicate_external_id"  # errors.md: "duplicate_ext…"
ERROR_PAYOUT_RECONCILED = "payout_reconciled"
ERROR_INVOICE_VOIDED = "invoice_voided"
ERROR_INVOICE_ALREADY_VOIDED = "invoice_already_voided"
ERROR_INVOICE_HAS_PAYMENTS = "invoice_has_payments"
ERROR_INVOICE_HAS_REFUNDS = "invoice_has_refunds"
ERROR_ALREADY_ARCHIVED = "{resource}_already_archived"
ERROR_NOT_ARCHIVED = "{resource}_not_archived"
ERROR_CANCELLED = "{resource}_cancelled"  # update of a cancelled (bill) payment
ERROR_ALREADY_CANCELLED = "{resource}_already_cancelled"
ERROR_NOT_CANCELLABLE = "{resource}_not_cancellable"

# --- Where answers depart from openapi.json ---------------------------------------------
#
# tests/properties/test_sandbox_schema.py checks every generated request's answer against
# openapi.json and allows exactly these departures, each where the docs leave it open:
#
# * state conflicts (already voided or archived, cancelled, reconciled …) answer 409:
#   errors.md lists "409 Duplicate resource or state conflict" for the whole API, the
#   per-operation response lists omit it;
STATE_CONFLICT_STATUS = 409
# * GET businesses/ answers 400 for a malformed filter or page and 404 ``invalid_page``
#   beyond the last page, as every other list documents (its own list has neither);
EXTRA_STATUSES = {("GET", "/v1/platform/businesses/"): (400, 404)}
# * query parameters the docs do not list are ignored (DRF's behaviour), not refused;
UNKNOWN_QUERY_PARAMETERS_IGNORED = True
# * the bodies of archive, unarchive and void are ignored: openapi.json declares a whole
#   create schema on them ("presumably optional. Send {}"), which no call needs (their
#   specs mark them ``empty_body``).
IGNORED_REQUEST_BODIES = tuple(
    (op.method, op.path) for _, _, op in specs.operations() if op.empty_body
)
