"""A void, cancel or archive whose answer is lost (Thred carried it out, then answered
500) while the host changes its mind: what Thred holds is read before the record says
anything."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.lifecycle.compare import compare, unexplained
from tests.lifecycle.steps import record_of
from tests.lifecycle.world import World, drain
from tests.realhost import models as h
from thred_django.engine.runner import push_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_retry_soon(settings) -> None:
    settings.THRED = {**settings.THRED, "BACKOFF_BASE": 600.0, "BACKOFF_MAX": 600.0}


def test_an_invoice_reopened_after_a_void_whose_answer_was_lost_is_drifted(
    world: World, thred, no_retry_soon: None
) -> None:
    invoice = h.Invoice.objects.create(
        company=world.company, contact=world.contact, number="U-1", issued_on=date(2026, 3, 2)
    )
    h.InvoiceLine.objects.create(invoice=invoice, description="Item", unit_price=Decimal(120))
    invoice.save()
    drain()
    invoice.status = "void"
    invoice.save()
    thred.answer("POST", "/void/", 500, after_sandbox=True)  # voided, then a 500
    push_due()
    record = record_of(invoice)
    assert (record.state, record.last_error_status) == ("retrying", 500)
    invoice.status = "open"
    invoice.save()
    drain()
    record.refresh_from_db()
    assert (record.state, record.last_error_code) == ("drifted", "reactivate_not_supported")
    assert record.inactive_in_thred
    assert not unexplained(compare())


def test_a_customer_archived_again_after_an_unarchive_whose_answer_was_lost(
    world: World, thred, no_retry_soon: None
) -> None:
    contact = h.Contact.objects.create(company=world.company, name="Lonely Ltd")
    drain()
    contact.archived = True
    contact.save()
    drain()
    assert record_of(contact).inactive_in_thred
    contact.archived = False
    contact.save()
    thred.answer("POST", "/unarchive/", 500, after_sandbox=True)  # unarchived, then a 500
    push_due()
    assert record_of(contact).last_error_status == 500
    contact.archived = True
    contact.save()
    drain()
    record = record_of(contact)
    assert (record.state, record.inactive_in_thred) == ("voided", True)
    assert not unexplained(compare())
