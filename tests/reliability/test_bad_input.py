"""Malformed host data: every kind ends as a clear, permanent failure naming the field.

Each case creates its bad object (with good parents) in one shop. Data the testapp models
can hold is written to the host rows (negative cents, a foreign currency, a blank name …);
data they cannot hold — the output of a buggy mapping (NaN, zoneless date strings, missing
dates, fractional cents, a mapping that raises …) — comes from wrapping the testapp
mappings for the duration of a test (``mutations`` below): the mapping's payload for
that one object is altered. Fixing means correcting the row, or the mapping, and saving.

For every case:

* one ``push_due()`` over it, good records of the same shop and another shop: it does
  not raise, the good records sync, the other business is untouched;
* the bad record is ``failed`` (not retrying) with the field in ``last_error_details``
  or ``last_error_message``; rules only the sandbox enforces come back as a 400 with
  field details, which is just as permanent;
* nothing retries it on its own (a later run, even much later, sends nothing);
* fixing the host object and saving it syncs it (and what it blocked).

Rules come from ``thred_django.client.validation`` (and ``gaps``): types, minimums and
maximums (``gaps.MAX_MINOR_UNITS`` for any amount and document total), lengths, enums,
dates, currency and allocation sums; references and balances are the sandbox's.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import models
from django.utils import timezone

from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.client import gaps
from thred_django.engine.runner import push_due
from thred_django.mappings import registry
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db

# (model, pk) → function(payload) -> payload, applied by the wrapped mappings.
MUTATIONS: dict[tuple[type[models.Model], Any], Callable[[dict[str, Any]], Any]] = {}


@pytest.fixture
def mutations(thred) -> Iterator[dict]:
    """Wrap every registered testapp mapping so a test can corrupt one object's payload."""
    originals = {
        mapping.model: type(mapping)
        for mapping in registry.mappings()
        if mapping.model._meta.app_label == "testapp"
    }

    def wrap(cls: type) -> type:
        def build_payload(self, obj, ctx):
            payload = cls.build_payload(self, obj, ctx)
            mutate = MUTATIONS.get((type(obj), obj.pk))
            return mutate(payload) if mutate else payload

        return type(f"Mutable{cls.__name__}", (cls,), {"build_payload": build_payload})

    for model, cls in originals.items():
        registry.unregister(model)
        registry.register(model, wrap(cls))
    MUTATIONS.clear()
    try:
        yield MUTATIONS
    finally:
        MUTATIONS.clear()
        for model, cls in originals.items():
            registry.unregister(model)
            registry.register(model, cls)


def mutate(obj: models.Model, func: Callable[[dict[str, Any]], Any]) -> None:
    MUTATIONS[(type(obj), obj.pk)] = func


def unmutate(obj: models.Model) -> None:
    MUTATIONS.pop((type(obj), obj.pk), None)
    obj.save()


def with_(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda payload: {**payload, **changes}


def without(*keys: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda payload: {k: v for k, v in payload.items() if k not in keys}


def with_line(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(payload: dict[str, Any]) -> dict[str, Any]:
        lines = [dict(line) for line in payload["line_items"]]
        lines[0].update(changes)
        return {**payload, "line_items": lines}

    return apply


def raising(exc: Exception) -> Callable[[dict[str, Any]], Any]:
    def boom(payload: dict[str, Any]) -> Any:
        raise exc

    return boom


def setting(**values: Any) -> Callable[[models.Model], None]:
    """A fix: set these host fields and save."""

    def fix(obj: models.Model) -> None:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()

    return fix


# --- the host world of one case -------------------------------------------------------------


class Scene:
    """Good parents, made on demand, in one shop."""

    def __init__(self, shop: m.Shop) -> None:
        self.shop = shop
        self.n = 0

    def _n(self) -> int:
        self.n += 1
        return self.n

    def client(self, **kw: Any) -> m.Client:
        values = {"shop": self.shop, "name": f"Client {self._n()}", **kw}
        return m.Client.objects.create(**values)

    def sale(self, **kw: Any) -> m.Sale:
        values = {"shop": self.shop, "number": f"INV-{self._n()}", "amount_cents": 12000, **kw}
        values.setdefault("client", self.client())
        return m.Sale.objects.create(**values)

    def receipt(self, **kw: Any) -> m.Receipt:
        values = {"shop": self.shop, "amount_cents": 5000, **kw}
        values.setdefault("sale", self.sale())
        return m.Receipt.objects.create(**values)

    def refund(self, **kw: Any) -> m.Refund:
        values = {"shop": self.shop, "amount_cents": 2000, **kw}
        values.setdefault("sale", self.sale())
        return m.Refund.objects.create(**values)

    def supplier(self, **kw: Any) -> m.Supplier:
        return m.Supplier.objects.create(shop=self.shop, name=f"Supplier {self._n()}", **kw)

    def bill(self, **kw: Any) -> m.PurchaseBill:
        values = {"shop": self.shop, "number": f"B-{self._n()}", "amount_cents": 5000, **kw}
        values.setdefault("supplier", self.supplier())
        return m.PurchaseBill.objects.create(**values)

    def bill_payment(self, **kw: Any) -> m.BillPayment:
        values = {"shop": self.shop, "amount_cents": 3000, **kw}
        values.setdefault("bill", self.bill())
        return m.BillPayment.objects.create(**values)

    def settlement(self, **kw: Any) -> m.Settlement:
        receipt = self.receipt()
        settlement = m.Settlement.objects.create(shop=self.shop, amount_cents=4800, **kw)
        settlement.receipts.add(receipt)
        settlement.save()
        return settlement


@dataclass
class Case:
    build: Callable[[Scene], models.Model]  # makes the bad object (and good parents)
    field: str  # must be named in last_error_details or last_error_message
    fix: Callable[[models.Model], None] = unmutate
    sandbox: bool = False  # only the sandbox knows the rule: a 400 comes back
    bug: Any = None  # an xfail mark while a known bug keeps this case from passing
    own_shop: bool = False  # the business itself is bad: give it a shop of its own


def mutated(make: Callable[[Scene], models.Model], func) -> Callable[[Scene], models.Model]:
    def build(scene: Scene) -> models.Model:
        obj = make(scene)
        mutate(obj, func)
        obj.save()
        return obj

    return build


def nested_dict(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


NAIVE = datetime(2026, 1, 15, 10, 0)  # no tzinfo: the point of the case

CASES: dict[str, Case] = {
    # --- amounts (client validation) ---------------------------------------------------
    "negative cents": Case(
        lambda s: s.receipt(amount_cents=-5), "total_amount_cents", setting(amount_cents=500)
    ),
    "zero payment": Case(
        lambda s: s.receipt(amount_cents=0), "total_amount_cents", setting(amount_cents=500)
    ),
    "negative unit price": Case(
        lambda s: s.sale(amount_cents=-100), "line_items[0].unit_price", setting(amount_cents=1)
    ),
    "zero quantity": Case(
        lambda s: s.sale(quantity=Decimal("0")), "line_items[0].quantity", setting(quantity=1)
    ),
    "fractional cents": Case(
        mutated(lambda s: s.receipt(), with_(total_amount_cents=4999.5)), "total_amount_cents"
    ),
    "decimal string cents": Case(
        mutated(lambda s: s.sale(), with_line(unit_price=Decimal("10.50"))),
        "line_items[0].unit_price",
    ),
    "NaN quantity": Case(
        mutated(lambda s: s.sale(), with_line(quantity=Decimal("NaN"))), "line_items[0].quantity"
    ),
    "infinite amount": Case(
        mutated(lambda s: s.receipt(), with_(total_amount_cents=math.inf)), "total_amount_cents"
    ),
    "negative payout fee": Case(
        lambda s: s.settlement(fee_cents=-1), "fee_cents", setting(fee_cents=0)
    ),
    "zero vendor credit": Case(
        lambda s: m.SupplierCredit.objects.create(
            shop=s.shop, supplier=s.supplier(), amount_cents=0
        ),
        "line_items[0].amount",
        setting(amount_cents=500),
    ),
    "allocations over the payment": Case(
        mutated(
            lambda s: s.receipt(),
            lambda p: {**p, "allocations": [{**p["allocations"][0], "amount_cents": 9999}]},
        ),
        "allocations",
    ),
    "amount over 64 bits": Case(
        mutated(lambda s: s.sale(), with_line(unit_price=2**63)), "line_items[0].unit_price"
    ),
    "quantity 1e30": Case(
        mutated(lambda s: s.sale(), with_line(quantity=Decimal("1e30"))), "line_items[0].quantity"
    ),
    "allocation id that is an object": Case(
        mutated(
            lambda s: s.receipt(),
            lambda p: {
                **p,
                "allocations": [{**p["allocations"][0], "invoice_id": {"id": "x"}}],
            },
        ),
        "allocations[0].invoice_id",
    ),
    "line total over 64 bits": Case(
        mutated(lambda s: s.sale(), with_line(quantity=1000, unit_price=10**17)), "line_items"
    ),
    # --- amounts only the sandbox can judge (a 400 with field details) -------------------
    "payment larger than its invoice": Case(
        lambda s: s.receipt(sale=s.sale(amount_cents=12000), amount_cents=20000),
        "allocations[0].amount_cents",
        setting(amount_cents=12000),
        sandbox=True,
    ),
    "refund larger than the invoice": Case(
        lambda s: s.refund(sale=s.sale(amount_cents=12000), amount_cents=50000),
        "amount_cents",
        setting(amount_cents=2000),
        sandbox=True,
    ),
    "refund payment larger than its refund": Case(
        lambda s: m.RefundPayout.objects.create(
            refund=s.refund(amount_cents=2000), amount_cents=5000
        ),
        "amount_cents",
        setting(amount_cents=2000),
        sandbox=True,
    ),
    "bill payment larger than its bill": Case(
        lambda s: s.bill_payment(bill=s.bill(amount_cents=5000), amount_cents=9000),
        "allocations[0].amount_cents",
        setting(amount_cents=3000),
        sandbox=True,
    ),
    "reference unknown to Thred": Case(
        mutated(lambda s: s.sale(), with_(customer_id=str(uuid.uuid4()))),
        "customer_id",
        sandbox=True,
    ),
    # --- currencies, enums, references ----------------------------------------------------
    "currency unlike the business's": Case(
        lambda s: s.receipt(currency="EUR"), "currency", setting(currency="GBP")
    ),
    "unknown currency": Case(
        lambda s: s.receipt(currency="XYZ"), "currency", setting(currency="GBP")
    ),
    "unknown payment method": Case(
        lambda s: s.receipt(method="bitcoin"), "payment_method", setting(method="credit_card")
    ),
    "unknown payment status": Case(
        lambda s: s.receipt(status="settled-ish"), "status", setting(status="completed")
    ),
    "cheque without its number": Case(
        lambda s: s.bill_payment(method="check"), "check_number", setting(check_number="000123")
    ),
    "missing customer": Case(mutated(lambda s: s.sale(), without("customer_id")), "customer_id"),
    "malformed reference": Case(
        mutated(lambda s: s.sale(), with_(customer_id="CUST-42")), "customer_id"
    ),
    "same invoice allocated twice": Case(
        mutated(
            lambda s: s.receipt(amount_cents=2000),
            lambda p: {
                **p,
                "allocations": [{**p["allocations"][0], "amount_cents": 1000}] * 2,
            },
        ),
        "allocations[1].invoice_id",
    ),
    # --- strings ----------------------------------------------------------------------------
    "customer without a name": Case(
        lambda s: s.client(name=""), "company_name", setting(name="Ann")
    ),
    "invalid e-mail": Case(
        lambda s: s.client(email="not-an-email"), "email", setting(email="ann@example.com")
    ),
    "string too long": Case(
        mutated(lambda s: s.client(), with_(company_name="Ω" * 256)), "company_name"
    ),
    "free text too long (non-ASCII)": Case(
        mutated(lambda s: s.sale(), with_(memo="Ünïcødé ☕ " * 401)), "memo"
    ),
    "NUL character": Case(
        mutated(lambda s: s.client(), with_(company_name="Acme\x00Ltd")), "company_name"
    ),
    "lone surrogate": Case(
        mutated(lambda s: s.client(), with_(company_name="Acme \ud800 Ltd")), "company_name"
    ),
    "empty line items": Case(mutated(lambda s: s.sale(), with_(line_items=[])), "line_items"),
    # --- dates --------------------------------------------------------------------------------
    # A naive datetime or a date object is read in the business's time zone (normalize);
    # a string is sent as the mapping wrote it, so one without a zone is refused.
    "naive datetime string": Case(
        mutated(lambda s: s.sale(), with_(sent_at=NAIVE.isoformat())), "sent_at"
    ),
    "bare date string for a datetime": Case(
        mutated(lambda s: s.sale(), with_(sent_at=NAIVE.date().isoformat())), "sent_at"
    ),
    "missing date": Case(mutated(lambda s: s.receipt(), without("payment_date")), "payment_date"),
    "impossible date": Case(
        mutated(lambda s: s.receipt(), with_(payment_date="2026-02-30")), "payment_date"
    ),
    # --- the host's structure and code -------------------------------------------------------
    "tenant without a business": Case(
        lambda s: s.client(shop=None), "shop", lambda obj: setting(shop=SHOP_OF[obj.pk])(obj)
    ),
    "mapping that raises": Case(
        mutated(lambda s: s.client(), raising(KeyError("loyalty_code"))), "loyalty_code"
    ),
    "NUL in a metadata key": Case(
        mutated(lambda s: s.client(), with_(metadata={"tier\x00": "gold"})), "metadata"
    ),
    "metadata nested 100 deep": Case(
        mutated(lambda s: s.client(), with_(metadata=nested_dict(100))), "metadata"
    ),
    "non-JSON value": Case(
        mutated(lambda s: s.client(), with_(metadata={"tier": object()})), "metadata"
    ),
    # --- the business itself (its records wait behind it) -------------------------------------
    "business in an unsupported country": Case(
        lambda s: s.shop, "country", setting(country="GB"), own_shop=True
    ),
    "business with an unknown currency": Case(
        lambda s: s.shop, "base_currency", setting(currency="GBP"), own_shop=True
    ),
    "business with an invalid e-mail": Case(
        lambda s: s.shop, "email", setting(email="owner@example.com"), own_shop=True
    ),
}
SHOP_OF: dict[Any, m.Shop] = {}  # tenant-less objects → the shop the fix gives them

BAD_SHOPS = {
    "business in an unsupported country": {"country": "XX"},
    "business with an unknown currency": {"currency": "ABC"},
    "business with an invalid e-mail": {"email": "owner-at-example"},
}


# --- running cases ------------------------------------------------------------------------------


@dataclass
class Built:
    name: str
    case: Case
    obj: models.Model
    shop: m.Shop
    dependants: list[models.Model] = field(default_factory=list)


def build_case(name: str, main_shop: m.Shop) -> Built:
    case = CASES[name]
    if case.own_shop:
        shop = m.Shop.objects.create(name=f"Bad {name}", **BAD_SHOPS[name])
        scene = Scene(shop)
        dependants = [scene.receipt()]  # a whole chain waits behind the business
        return Built(name, case, shop, shop, dependants)
    scene = Scene(main_shop)
    obj = case.build(scene)
    if name == "tenant without a business":
        SHOP_OF[obj.pk] = main_shop
    return Built(name, case, obj, main_shop)


def good_records(scene: Scene) -> list[models.Model]:
    """Valid records, including awkward-but-legal values."""
    return [
        scene.client(name="Zoë Ångström — 東京 Café ☕"),  # non-ASCII is fine
        scene.client(name="N" * 200),
        scene.receipt(),
        scene.refund(),
        scene.bill_payment(),
        scene.settlement(),
        m.SupplierCredit.objects.create(
            shop=scene.shop, supplier=scene.supplier(), amount_cents=250
        ),
    ]


def names_field(record: SyncRecord, field_name: str) -> bool:
    details = record.last_error_details or {}
    in_details = (
        any(field_name in str(key) for key in details) if isinstance(details, dict) else False
    )
    return in_details or field_name in record.last_error_message


def assert_permanent_failure(built: Built) -> SyncRecord:
    record = record_of(built.obj)
    assert record.state == "failed", (
        built.name,
        record.state,
        record.last_error_code,
        record.last_error_message,
    )
    assert names_field(record, built.case.field), (
        built.name,
        built.case.field,
        record.last_error_details,
        record.last_error_message,
    )
    if built.case.sandbox:
        assert record.last_error_status == 400, (built.name, record.last_error_status)
    else:  # refused before sending: no HTTP status
        assert record.last_error_status is None, (built.name, record.last_error_status)
    for dependant in built.dependants:
        assert record_of(dependant).state == "blocked", built.name
    return record


def thred_calls(thred) -> int:
    return len(thred.calls())


def run_cases(thred, names: list[str]) -> None:
    main = m.Shop.objects.create(name="Main Street Ltd", email="main@example.com")
    other = m.Shop.objects.create(name="Other Business Ltd", email="other@example.com")
    good = good_records(Scene(main))
    other_records = good_records(Scene(other))
    built = [build_case(name, main) for name in names]

    push_due()  # one run over everything: it must not raise

    for item in built:
        assert_permanent_failure(item)
    for obj in good:
        assert record_of(obj).state == "synced", obj
    tenant = str(other.pk)
    states = set(SyncRecord.objects.filter(tenant_id=tenant).values_list("state", flat=True))
    assert states == {"synced"}, states
    assert len(other_records) == 7

    # Permanent: nothing is retried on its own, even much later.
    calls = thred_calls(thred)
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        push_due()
    assert thred_calls(thred) == calls
    for item in built:
        assert record_of(item.obj).state == "failed", item.name

    # Fixed and saved: it syncs, and so does what waited for it.
    for item in built:
        item.case.fix(item.obj)
    push_due()
    for item in built:
        record = record_of(item.obj)
        assert record.state == "synced", (item.name, record.state, record.last_error_message)
        for dependant in item.dependants:
            assert record_of(dependant).state == "synced", item.name
    left = SyncRecord.objects.exclude(state="synced")
    assert not left.exists(), list(left.values_list("external_id", "state", "last_error_code"))


def has_bug(case: Case) -> bool:
    return case.bug is not None


def case_params() -> list[Any]:
    return [
        pytest.param(name, marks=[case.bug] if has_bug(case) else [], id=name)
        for name, case in CASES.items()
    ]


def test_at_least_twenty_kinds() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", case_params())
def test_each_kind_fails_permanently_naming_the_field(thred, mutations, name):
    run_cases(thred, [name])


def test_all_kinds_in_one_run_leave_the_worker_and_the_good_records_alone(thred, mutations):
    names = [name for name, case in CASES.items() if not has_bug(case)]
    assert len(names) >= 20
    run_cases(thred, names)


def test_tenant_without_a_business_fails_naming_the_tenant(thred, mutations):
    shop = m.Shop.objects.create(name="Main Street Ltd")
    orphan = m.Client.objects.create(shop=None, name="Nobody's client")
    good = m.Client.objects.create(shop=shop, name="Somebody's client")
    push_due()
    record = record_of(orphan)
    assert (record.state, record.last_error_code) == ("failed", "no_business")
    assert "shop" in record.last_error_message and "tenant" in record.last_error_message
    assert record_of(good).state == "synced"


def test_refund_larger_than_what_was_paid_is_accepted_by_the_gap_decision(thred, mutations):
    """Not malformed under gaps.REFUND_LIMIT: a refund is limited by the invoice total
    (minus earlier refunds), not by what was paid — the docs have no payment → refund
    ordering. (The over-the-invoice case above is the one that fails.)"""
    assert gaps.REFUND_LIMIT == "invoice_total_minus_refunded"
    scene = Scene(m.Shop.objects.create(name="Main Street Ltd"))
    sale = scene.sale(amount_cents=12000)
    scene.receipt(sale=sale, amount_cents=1000)
    refund = scene.refund(sale=sale, amount_cents=8000)  # more than the 1000 paid
    push_due()
    assert record_of(refund).state == "synced"
