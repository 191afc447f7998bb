"""The comparison helper itself: a synced world shows no difference, and each kind of
divergence between the host and the sandbox is found and attributed to its object."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.lifecycle.compare import EXISTS, LIVE, compare, host_view, thred_view, unexplained
from tests.lifecycle.world import World
from tests.realhost import models as h
from thred_django.sandbox import models as s

pytestmark = pytest.mark.django_db


def fields(differences) -> set[tuple[str, str]]:
    return {(d.resource, d.field) for d in differences}


def test_a_synced_world_holds_every_resource_with_no_difference(world: World) -> None:
    host, thred = host_view(), thred_view()
    assert {resource for resource, _ in host} == {
        "business", "customer", "vendor", "invoice", "payment", "payout", "refund",
        "refund_payment", "bill", "bill_payment", "vendor_credit",
    }  # fmt: skip
    assert set(host) == set(thred)
    assert compare() == []


def test_changes_made_behind_the_engines_back_are_found(world: World) -> None:
    # The sandbox drifts: an invoice line, a payment's customer, a bill payment's amount.
    invoice = s.Invoice.objects.get(external_id__endswith=str(world.invoice.pk))
    invoice.data = {**invoice.data, "line_items": invoice.data["line_items"][:1]}
    invoice.total_cents = 10000
    invoice.save()
    other = s.Customer.objects.get(external_id__endswith=str(world.other_contact.pk))
    s.Payment.objects.filter(external_id__endswith=str(world.payment.pk)).update(customer=other)
    s.BillPayment.objects.filter(external_id__endswith=str(world.bill_payment.pk)).update(
        amount_cents=1
    )
    # The host changes without marking (QuerySet.update sends no signal).
    h.Contact.objects.filter(pk=world.contact.pk).update(name="Renamed quietly")
    h.VendorCredit.objects.filter(pk=world.vendor_credit.pk).update(amount=Decimal("16.00"))

    found = unexplained(compare())
    assert fields(found) == {
        ("invoice", "line_items"),
        ("invoice", "total_cents"),
        ("payment", "customer_id"),
        ("bill_payment", "amount_cents"),
        ("customer", "company_name"),
        ("vendor_credit", "total_cents"),
    }
    assert all(d.state == "synced" for d in found)  # the outbox claims synced: unexplained


def test_deleted_voided_and_missing_objects_are_found(world: World) -> None:
    h.Invoice.objects.filter(pk=world.invoice.pk).update(status="void")  # no mark
    s.Customer.objects.filter(external_id__endswith=str(world.other_contact.pk)).delete()
    h.Payout.objects.filter(pk=world.payout.pk).delete()  # gone here, live in Thred

    found = {(d.resource, d.field, d.host, d.thred) for d in unexplained(compare())}
    assert ("invoice", LIVE, False, True) in found
    assert ("customer", EXISTS, True, False) in found
    assert ("payout", LIVE, False, True) in found
