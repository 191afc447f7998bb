"""The outbox database failing at the worst moments: after Thred accepted a record.

The rule under test (thred_django.engine.push): an error writing the outbox propagates,
the record keeps its lease, the lease lapses, and the next run pushes the record again
— idempotently, so Thred still holds it exactly once. Lease lapses are reached with
time-machine, never with sleeps.

Scenarios, for every resource of the AR and AP chains (payments and bill payments carry
an Idempotency-Key as well as external_id):

* the write that records a batch of outcomes (``writer.Outcomes``, fenced) raises
  OperationalError;
* the attempt-log insert of successes (in the transaction of their outcomes) raises:
  the batch's outcomes are rolled back with it, its records are pushed again after the
  lease lapses and Thred holds each once;
* the health bookkeeping of a success raises (the claim's records are then stranded in
  flight until the lease lapses);
* the create was committed by Thred but its response was lost (500 after commit) and
  the write that records that failure raises too;
* an error in one business's thread (CONCURRENCY > 1) while others run;
* a lost create response (with and without the failed bookkeeping), then the host edits
  the object before the retry: Thred must end up with the edit, or the outbox must say
  it could not (state drifted: customers have no update; a bill payment's amount and a
  business's country cannot change).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from tests.engine.conftest import ap_chain, ar_chain
from tests.engine.fake_transport import Rule
from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine import claim, health, sql
from thred_django.engine.runner import push_due
from thred_django.engine.writer import Outcomes
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db

ERROR_500 = {"error": "Internal error", "error_code": "server_error", "details": {}}

# resource → (chain key, URL part of its create, how to list what Thred holds)
RESOURCES: dict[str, tuple[str, str, Callable[[Any, str], Any]]] = {
    "business": ("shop", "/businesses/", lambda c, b: c.list_businesses()),
    "customer": ("client", "/customers/", lambda c, b: c.list_customers(b)),
    "invoice": ("sale", "/invoices/", lambda c, b: c.list_invoices(b)),
    "payment": ("receipt", "/invoices/payments/", lambda c, b: c.list_payments(b)),
    "refund": ("refund", "/invoices/refunds/", lambda c, b: c.list_refunds(b)),
    "refund_payment": ("refund_payout", "/payments/", None),
    "payout": ("settlement", "/payouts/", lambda c, b: c.list_payouts(b)),
    "vendor": ("supplier", "/vendors/", lambda c, b: c.list_vendors(b)),
    "bill": ("bill", "/bills/", lambda c, b: c.list_bills(b)),
    "bill_payment": ("bill_payment", "/bills/payments/", lambda c, b: c.list_bill_payments(b)),
    "vendor_credit": ("credit", "/vendor-credits/", lambda c, b: c.list_vendor_credits(b)),
}
KEYED = ("payment", "bill_payment")


def lease_lapsed() -> time_machine.travel:
    return time_machine.travel(timezone.now() + timedelta(seconds=121), tick=False)


def fail_once(monkeypatch, target: Any, name: str, when: Callable[..., bool]) -> list[Any]:
    """Make ``target.name`` raise OperationalError the first time ``when(*args)`` holds."""
    real = getattr(target, name)
    hits: list[Any] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not hits and when(*args, **kwargs):
            hits.append(args)
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)
    return hits


def both_chains(shop: m.Shop) -> dict[str, Any]:
    return {"shop": shop, **ar_chain(shop), **ap_chain(shop)}


def held_in_thred(shop: m.Shop, resource: str, obj: Any) -> list[dict[str, Any]]:
    """Objects Thred holds with this record's external_id."""
    client = get_client()
    business = record_of(shop).thred_id
    external_id = record_of(obj).external_id
    if resource == "refund_payment":
        refund_id = held_in_thred(shop, "refund", obj.refund)[0]["id"]  # maybe not written
        items = client.list_refund_payments(business, refund_id)
    else:
        items = RESOURCES[resource][2](client, business)
    return [item for item in items if item.get("external_id") == external_id]


def creates(thred, resource: str, obj: Any) -> list[Any]:
    """POSTs that created (or tried to create) this record."""
    external_id = record_of(obj).external_id
    return [
        r
        for r in thred.calls("POST", RESOURCES[resource][1])
        if json.loads(r.content or b"{}").get("external_id") == external_id
    ]


def assert_all_synced_once(thred, shop, chain) -> None:
    states = dict(SyncRecord.objects.values_list("external_id", "state"))
    assert set(states.values()) == {"synced"}, states
    for resource, (key, *_) in RESOURCES.items():
        held = held_in_thred(shop, resource, chain[key])
        assert len(held) == 1, (resource, held)
        assert held[0]["id"] == record_of(chain[key]).thred_id, resource


def create_path(resource: str, path: str) -> bool:
    """Whether ``path`` is the create URL of ``resource`` (not of a child below it)."""
    if resource == "refund_payment":
        return "/invoices/refunds/" in path and path.endswith("/payments/")
    return (
        path.endswith("/businesses/")
        if resource == "business"
        else (path.split("/businesses/", 1)[-1].split("/", 1)[-1] == RESOURCES[resource][1][1:])
    )


def lose_response(thred, resource: str, times: int = 1) -> None:
    """Let the sandbox commit the next create of ``resource``, then answer 500."""
    thred.rules.append(
        Rule(
            lambda req: req.method == "POST" and create_path(resource, req.url.path),
            lambda: httpx.Response(500, json=ERROR_500),
            times=times,
            after_sandbox=True,
        )
    )


def writes(resource: str) -> Callable[..., bool]:
    """A batch of outcomes (``Outcomes._write``) holding one of ``resource``."""
    return lambda log, pending: any(p.record.resource == resource for p in pending)


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_success_not_recorded_is_pushed_again_and_held_once(thred, shop, monkeypatch, resource):
    chain = both_chains(shop)
    if resource != "business":  # written first, so that Thred can be asked what it holds
        push_due(resource="business")
    hits = fail_once(monkeypatch, Outcomes, "_write", writes(resource))
    with pytest.raises(OperationalError):
        push_due()
    assert hits, "the failure was never triggered"
    obj = chain[RESOURCES[resource][0]]
    assert record_of(obj).state == "in_flight"  # not lost: still leased, not synced
    assert len(held_in_thred(shop, resource, obj)) == 1  # Thred has it already

    push_due()  # before the lease lapses nobody takes it over
    assert record_of(obj).state == "in_flight"

    with lease_lapsed():
        push_due()
    assert_all_synced_once(thred, shop, chain)
    sent = creates(thred, resource, obj)
    assert len(sent) == 2  # sent once more after the lapse, answered idempotently
    if resource in KEYED:
        keys = {r.headers["Idempotency-Key"] for r in sent}
        assert keys == {record_of(obj).idempotency_key} and "" not in keys


@pytest.mark.parametrize("resource", ["invoice", "payment", "bill_payment", "payout"])
def test_attempt_log_insert_failing_loses_nothing(thred, shop, monkeypatch, resource):
    chain = both_chains(shop)
    hits = fail_once(  # the INSERT of a batch's attempt rows
        monkeypatch,
        sql,
        "insert",
        lambda using, rows: any(row.record.resource == resource for row in rows),
    )
    with pytest.raises(OperationalError):
        push_due()
    assert hits
    obj = chain[RESOURCES[resource][0]]
    assert record_of(obj).state == "in_flight"  # its outcome went with the attempt rows
    with lease_lapsed():
        push_due()
    assert_all_synced_once(thred, shop, chain)
    assert len(creates(thred, resource, obj)) == 2  # sent once more, answered idempotently


def test_failure_in_the_bookkeeping_of_a_success_strands_the_batch_until_the_lease_lapses(
    thred, shop, monkeypatch
):
    chain = both_chains(shop)
    hits = fail_once(monkeypatch, health, "note_success", lambda tenant_id: True)
    with pytest.raises(OperationalError):
        push_due()
    assert hits
    in_flight = SyncRecord.objects.filter(state="in_flight").count()
    assert in_flight > 0  # the claim, held by a worker that died, its outcomes unwritten
    push_due()
    assert SyncRecord.objects.filter(state="in_flight").count() == in_flight
    with lease_lapsed():
        push_due()
    assert_all_synced_once(thred, shop, chain)


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_lost_response_then_failed_bookkeeping_is_not_duplicated(
    thred, shop, monkeypatch, resource
):
    """Thred commits the create, the response is lost (500), and recording that 500
    fails too: the worker knows nothing, the outbox row still says in flight."""
    chain = both_chains(shop)
    obj = chain[RESOURCES[resource][0]]
    lose_response(thred, resource)
    # The lost response is recorded through api_error → release → fenced: make it fail.
    hits = fail_once(
        monkeypatch,
        claim,
        "fenced",
        lambda record, token, **changes: (
            record.resource == resource and changes.get("state") == "retrying"
        ),
    )
    with pytest.raises(OperationalError):
        push_due()
    assert hits
    assert record_of(obj).state == "in_flight"
    assert record_of(obj).attempts == 0  # the failed attempt was not even counted
    assert len(held_in_thred(shop, resource, obj)) == 1  # but Thred has it

    with lease_lapsed():
        push_due()
    assert_all_synced_once(thred, shop, chain)
    sent = creates(thred, resource, obj)
    assert len(sent) == 2
    if resource in KEYED:
        assert len({r.headers["Idempotency-Key"] for r in sent}) == 1


@pytest.mark.django_db(transaction=True)
def test_error_in_one_business_thread_leaves_the_others_and_loses_nothing(
    thred, settings, monkeypatch
):
    """CONCURRENCY > 1: businesses are pushed in threads with their own connections."""
    settings.THRED = {**settings.THRED, "CONCURRENCY": 3}
    # Real commits here: keep the on-commit fast path from pushing before the test does.
    monkeypatch.setattr("thred_django.engine.dispatch.enqueue_push", lambda: None)
    shops = [m.Shop.objects.create(name=f"Shop {i}", email=f"s{i}@example.com") for i in range(3)]
    chains = [both_chains(shop) for shop in shops]
    push_due(resource="business")
    victim = str(shops[1].pk)
    hits = fail_once(
        monkeypatch,
        Outcomes,
        "_write",
        lambda log, pending: any(
            p.record.tenant_id == victim and p.record.resource == "invoice" for p in pending
        ),
    )
    with pytest.raises(OperationalError):
        push_due()
    assert hits
    for shop in (shops[0], shops[2]):  # the other businesses' threads finished their work
        states = set(
            SyncRecord.objects.filter(tenant_id=str(shop.pk)).values_list("state", flat=True)
        )
        assert states == {"synced"}, states
    stranded = SyncRecord.objects.filter(tenant_id=victim, state="in_flight")
    assert stranded.filter(resource="invoice").exists()
    with lease_lapsed():
        push_due()
    for shop, chain in zip(shops, chains, strict=True):
        assert_all_synced_once(thred, shop, chain)


@pytest.mark.parametrize("where", ["host query in build_payload", "parent pulled forward"])
def test_the_database_failing_inside_a_mapping_is_not_the_mappings_fault(thred, monkeypatch, where):
    """A dropped connection met while a payment's payload is built (the host's own query,
    or the write recording its invoice, pushed inline because the payment needs its Thred
    id) stops the run like any outbox failure: nothing is marked failed as a mapping
    error, the leases lapse, and the next run syncs everything once."""
    from tests.testapp.thred_mappings import ReceiptMapping

    shop = m.Shop.objects.create(name="Shop", email="s@example.com")
    chain = both_chains(shop)
    push_due(resource="business")
    push_due(resource="customer")
    if where == "host query in build_payload":
        hits = fail_once(monkeypatch, ReceiptMapping, "build_payload", lambda *a, **kw: True)
    else:  # only payments claimed: the invoice is pushed from inside the payment's build
        # The invoice's claim (pulled forward from inside the payment's build) fails.
        hits = fail_once(monkeypatch, claim, "claim_one", lambda record_id, token: True)
    with pytest.raises(OperationalError):
        push_due(resource="payment")
    assert hits
    payment = record_of(chain["receipt"])
    assert payment.state == "in_flight" and payment.last_error_code != "mapping_error"
    assert not SyncRecord.objects.filter(state="failed").exists()
    with lease_lapsed():
        push_due()
    assert_all_synced_once(thred, shop, chain)


# --- A lost create response, then the host edits the record before the retry ---------------


@dataclass
class Edit:
    resource: str
    key: str  # in both_chains
    field: str  # host field edited …
    value: Any  # … to this
    shown: Callable[[dict[str, Any]], Any]  # what Thred shows for it
    # Edits Thred cannot take, and the note the outbox must then carry instead of claiming
    # Thred holds the edit (as it does for an edit made after a normal sync).
    cannot: str = ""


EDITS = {
    "business": Edit("business", "shop", "name", "Acme Group Ltd", lambda t: t["legal_name"]),
    "business country": Edit(
        "business", "shop", "country", "IE", lambda t: t["country"], cannot="update_partial"
    ),
    "invoice": Edit(
        "invoice", "sale", "amount_cents", 15000, lambda t: t["line_items"][0]["unit_price"]
    ),
    "bill": Edit("bill", "bill", "amount_cents", 6000, lambda t: t["line_items"][0]["unit_price"]),
    "payment": Edit("payment", "receipt", "amount_cents", 11000, lambda t: t["total_amount_cents"]),
    "bill payment": Edit(
        "bill_payment",
        "bill_payment",
        "amount_cents",
        2500,
        lambda t: t["amount_cents"],
        cannot="update_partial",
    ),
    # An upsert: the retry itself carries the edit.
    "payout": Edit(
        "payout", "settlement", "amount_cents", 11000, lambda t: t["paid_out_amount_cents"]
    ),
    "customer": Edit(
        "customer",
        "client",
        "name",
        "Jane Buyer Ltd",
        lambda t: t["company_name"],
        cannot="update_not_supported",
    ),
}

EDIT_CASES = list(EDITS)


@pytest.mark.parametrize("crash", [False, True], ids=["retrying", "worker-crashed"])
@pytest.mark.parametrize("case", EDIT_CASES)
def test_edit_after_a_lost_create_response_reaches_thred(
    thred, shop, settings, monkeypatch, case, crash
):
    settings.THRED = {**settings.THRED, "BACKOFF_BASE": 100.0, "BACKOFF_MAX": 100.0}
    # The jitter draw pinned to its ceiling: a draw near 0 would retry within this run.
    monkeypatch.setattr("thred_django.engine.retry.random.uniform", lambda low, high: high)
    chain = both_chains(shop)
    edit = EDITS[case]
    resource = edit.resource
    obj = chain[edit.key]
    lose_response(thred, resource)
    if crash:
        fail_once(
            monkeypatch,
            claim,
            "fenced",
            lambda record, token, **changes: (
                record.resource == resource and changes.get("state") == "retrying"
            ),
        )
        with pytest.raises(OperationalError):
            push_due()
    else:
        push_due()
    assert record_of(obj).state == ("in_flight" if crash else "retrying")
    before = held_in_thred(shop, resource, obj)
    assert len(before) == 1  # Thred committed the create; we never heard

    setattr(obj, edit.field, edit.value)
    obj.save()  # the host edits it while its create's outcome is unknown
    with time_machine.travel(timezone.now() + timedelta(seconds=300), tick=False):
        push_due()

    rec = record_of(obj)
    held = held_in_thred(shop, resource, obj)
    assert len(held) == 1
    expected = "drifted" if edit.cannot else "synced"
    assert rec.state == expected, (rec.last_error_code, rec.last_error_message)
    assert rec.thred_id == held[0]["id"]
    if edit.cannot:
        # Not sent (Thred cannot take it), and the outbox does not pretend it was.
        assert rec.last_error_code == edit.cannot, rec.last_error_message
        assert edit.shown(held[0]) == edit.shown(before[0])
        # The record names the field with the host's value and the one Thred holds.
        fields = rec.last_error_details["fields"]
        assert any(v["host"] == edit.value for v in fields.values()), fields
        assert all(v["host"] != v["thred"] for v in fields.values()), fields
    else:
        assert edit.shown(held[0]) == edit.value, "Thred still holds the old data"
    assert SyncRecord.objects.exclude(state__in=["synced", "drifted"]).count() == 0
