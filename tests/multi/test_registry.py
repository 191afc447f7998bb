"""The registry keys mappings by (model, resource); proxies are refused with a reason."""

from __future__ import annotations

import pytest

from tests.ledgerhost import models as lm
from thred_django import mappings
from thred_django.exceptions import ThredConfigurationError


class InvoiceMapping(mappings.Mapping):
    resource = "invoice"
    business = "organisation"

    def build_payload(self, obj, ctx):
        return {}


class PaymentMapping(mappings.Mapping):
    resource = "payment"
    business = "organisation"

    def build_payload(self, obj, ctx):
        return {}


def test_one_model_feeds_several_resources():
    registry = mappings.Registry()
    invoice = registry.register(lm.Invoice, InvoiceMapping)
    payment = registry.register(lm.Invoice, PaymentMapping)
    assert registry.mappings_for(lm.Invoice) == [invoice, payment]
    assert registry.get(lm.Invoice) is invoice  # the primary: registered first
    assert registry.get(lm.Invoice, "payment") is payment
    assert registry.get(lm.Invoice, "refund") is None
    assert registry.for_model(lm.Invoice, "invoice") is invoice
    assert registry.mappings() == [invoice, payment]
    assert lm.Invoice in registry
    with pytest.raises(
        ThredConfigurationError,
        match=r"not mapped to a Thred refund \(it feeds: invoice, payment\)",
    ):
        registry.for_model(lm.Invoice, "refund")


def test_each_resource_of_a_row_has_its_own_external_id():
    registry = mappings.Registry()
    invoice = registry.register(lm.Invoice, InvoiceMapping)
    payment = registry.register(lm.Invoice, PaymentMapping)
    assert invoice.external_id_for_pk("u1") == "ledgerhost.invoice-u1"
    assert payment.external_id_for_pk("u1") == "ledgerhost.invoice-u1-payment"


def test_the_same_resource_twice_is_refused():
    registry = mappings.Registry()
    registry.register(lm.Invoice, InvoiceMapping)
    with pytest.raises(
        ThredConfigurationError, match="Invoice is already mapped to a Thred invoice"
    ):
        registry.register(lm.Invoice, type("Again", (InvoiceMapping,), {}))
    assert len(registry.mappings_for(lm.Invoice)) == 1


def test_a_proxy_model_is_refused_naming_the_concrete_model():
    registry = mappings.Registry()
    with pytest.raises(ThredConfigurationError) as info:
        registry.register(lm.PaidInvoice, PaymentMapping)
    message = str(info.value)
    assert "ledgerhost.PaidInvoice is a proxy model" in message
    assert "Register PaymentMapping for ledgerhost.Invoice" in message
    assert "one mapping per resource" in message
    assert lm.PaidInvoice not in registry and lm.Invoice not in registry


def test_unregister_one_resource_or_all():
    registry = mappings.Registry()
    registry.register(lm.Invoice, InvoiceMapping)
    payment = registry.register(lm.Invoice, PaymentMapping)
    registry.unregister(lm.Invoice, "invoice")
    assert registry.mappings_for(lm.Invoice) == [payment]
    assert registry.get(lm.Invoice) is payment and payment.secondary is False
    registry.register(lm.Invoice, InvoiceMapping)
    registry.unregister(lm.Invoice)
    assert lm.Invoice not in registry and registry.mappings() == []
