"""Mapping mistakes never break the host's save; checks name them."""

from __future__ import annotations

import logging

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.shophost.models import BillingAddress, Order
from tests.shophost.shop_mappings import SHOP, UserMapping
from thred_django import checks, mappings
from thred_django.engine.runner import push_due
from thred_django.mappings import registry
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


class ReversePathMapping(mappings.Mapping):
    resource = "customer"
    business = "order__user"  # a reverse relation: there is no attribute "order"

    def build_payload(self, obj, ctx):
        return {"company_name": obj.name, "email": obj.email}


@pytest.fixture
def reverse_path(settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "queue"}
    registry.register(BillingAddress, ReversePathMapping)
    yield
    registry.unregister(BillingAddress)


def test_a_reverse_business_path_is_logged_and_recorded_not_raised(reverse_path, caplog):
    with caplog.at_level(logging.ERROR, logger="thred_django.engine"):
        guest = BillingAddress.objects.create(name="Guest", email="g@example.com")  # no raise

    ct = ContentType.objects.get_for_model(BillingAddress)
    record = SyncRecord.objects.get(content_type=ct, object_id=str(guest.pk))
    assert record.tenant_id == "" and record.last_error_code == "mapping_error"
    assert "AttributeError" in record.last_error_message
    logged = [r for r in caplog.records if getattr(r, "thred_object_id", None) == str(guest.pk)]
    assert logged and logged[0].thred_model == "shophost.BillingAddress"

    push_due()
    record.refresh_from_db()
    assert (record.state, record.last_error_code) == ("failed", "no_business")
    assert "could not find the business" in record.last_error_message
    assert "AttributeError" in record.last_error_message


def test_an_empty_business_path_is_refused_unless_the_site_is_one_business(settings):
    with pytest.raises(Exception, match="THRED\\['BUSINESS'\\]"):
        registry.register(Order, UserMapping)
    settings.THRED = {**settings.THRED, "BUSINESS": dict(SHOP)}
    registry.register(Order, UserMapping)
    registry.unregister(Order)


def ids(messages) -> set[str]:
    return {m.id for m in messages}


def test_checks_single_business_mode(settings):
    assert not {"thred_django.E010", "thred_django.E011"} & ids(checks.check_mappings())
    # The main test host maps a tenant model (Shop): both at once is an error.
    settings.THRED = {**settings.THRED, "BUSINESS": dict(SHOP)}
    found = checks.check_mappings()
    assert "thred_django.E010" in ids(found)
    assert "testapp.Shop" in next(m.msg for m in found if m.id == "thred_django.E010")
    assert "thred_django.E006" not in ids(found)
    settings.THRED = {**settings.THRED, "BUSINESS": "no.such.module.business"}
    assert "thred_django.E011" in ids(checks.check_mappings())
    settings.THRED = {**settings.THRED, "BUSINESS": "tests.shophost.shop_mappings.cents"}
    messages = [m for m in checks.check_mappings() if m.id == "thred_django.E011"]
    assert messages and "raised TypeError" in messages[0].msg


def test_checks_unknown_fields(settings):
    class Typo(UserMapping):
        business = "order__user"
        fields = ["email", "last_loggin"]

    registry.register(BillingAddress, Typo)
    try:
        found = [m for m in checks.check_mappings() if m.id == "thred_django.E012"]
    finally:
        registry.unregister(BillingAddress)
    assert len(found) == 1 and "'last_loggin'" in found[0].msg and "'email'" not in found[0].msg
