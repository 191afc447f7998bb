"""manage.py check names every mapping mistake; a host save never fails because of one."""

from __future__ import annotations

import logging

import pytest
from django.core import management
from django.core.management.base import SystemCheckError

from tests.testapp import models as m
from thred_django.mapping_checks import check_mapping_definitions
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


def ids(messages) -> list[str]:
    return [msg.id for msg in messages]


def test_the_test_hosts_mappings_pass():
    assert check_mapping_definitions() == []


def test_a_misspelt_business_path_is_e022_naming_the_fields(swap):
    with swap(m.Sale, business="merchnt"):
        messages = check_mapping_definitions()
    assert ids(messages) == ["thred_django.E022"]
    assert "BrokenSaleMapping.business = 'merchnt'" in messages[0].msg
    assert "testapp.Sale has no field 'merchnt'" in messages[0].msg
    assert "client, shop" in messages[0].hint


def test_a_path_through_a_non_relation_is_e023(swap):
    with swap(m.Sale, business="number"):
        assert ids(check_mapping_definitions()) == ["thred_django.E023"]
    with swap(m.Sale, business="shop__name"):
        messages = check_mapping_definitions()
    assert ids(messages) == ["thred_django.E023"]
    assert "testapp.Shop.name is not a foreign key" in messages[0].msg


def test_a_path_that_ends_elsewhere_is_e024(swap):
    with swap(m.Receipt, business="sale__client"):
        messages = check_mapping_definitions()
    assert ids(messages) == ["thred_django.E024"]
    assert "ends on testapp.Client" in messages[0].msg
    assert "testapp.Shop" in messages[0].msg


def test_a_deeper_correct_path_passes(swap):
    with swap(m.Receipt, business="sale__shop"):
        assert check_mapping_definitions() == []


def test_resource_empty_business_and_hooks(swap):
    with swap(m.Client, resource="customers"):
        assert ids(check_mapping_definitions()) == ["thred_django.E020"]
    with swap(m.Client, business=""):
        assert ids(check_mapping_definitions()) == ["thred_django.E021"]
    with swap(m.Client, should_sync=None):
        assert ids(check_mapping_definitions()) == ["thred_django.E025"]


def test_manage_py_check_fails_on_a_mapping_mistake(swap):
    with swap(m.Sale, business="merchnt"), pytest.raises(SystemCheckError, match="E022"):
        management.call_command("check")
    management.call_command("check")


def test_a_save_with_a_broken_mapping_succeeds_and_the_outbox_says_why(thred, shop, swap, caplog):
    from thred_django.engine.runner import push_due

    client = m.Client.objects.create(shop=shop, name="Jane")
    with swap(m.Sale, business="merchnt"), caplog.at_level(logging.ERROR, "thred_django"):
        sale = m.Sale.objects.create(shop=shop, client=client, number="INV-1")
        sale.number = "INV-1b"
        sale.save()
        assert m.Sale.objects.get(pk=sale.pk).number == "INV-1b"  # the host's write went
        record = SyncRecord.objects.get(external_id__endswith=f"sale-{sale.pk}")
        assert record.last_error_code == "mapping_error"
        assert "FieldDoesNotExist" in record.last_error_message
        assert "merchnt" in record.last_error_message
        assert any("merchnt" in r.getMessage() for r in caplog.records)
        push_due()  # its push fails with that reason; nothing is sent for it
        record.refresh_from_db()
        assert record.state == "failed"
        assert "merchnt" in record.last_error_message
    # Fixed: the next save marks it pending again, and it syncs.
    sale.save()
    record.refresh_from_db()
    assert record.state == "pending"
    assert record.tenant_id == str(shop.pk)
    push_due()
    record.refresh_from_db()
    assert record.state == "synced"


def test_a_raising_external_id_is_recorded_and_the_save_goes_through(thred, shop, swap):
    client = m.Client.objects.create(shop=shop, name="Jane")

    def get_external_id(self, obj):
        raise ValueError("no invoice code yet")

    with swap(m.Sale, get_external_id=get_external_id):
        sale = m.Sale.objects.create(shop=shop, client=client, number="INV-9")
    record = SyncRecord.objects.get(resource="invoice", object_id=str(sale.pk))
    assert record.state == "failed"
    assert record.last_error_code == "mapping_error"
    assert "ValueError: no invoice code yet" in record.last_error_message
    assert record.external_id.endswith(f"sale-{sale.pk}")  # the default, for the record


def test_a_raising_external_id_fails_one_row_in_a_bulk_mark(thred, shop, swap):
    from thred_django.engine.marking import mark_objects

    clients = m.Client.objects.bulk_create([m.Client(shop=shop, name=f"C{i}") for i in range(3)])
    bad = clients[1].pk

    def get_external_id(self, obj):
        if obj.pk == bad:
            raise ValueError("no code for this client")
        return self.external_id_for_pk(obj.pk)

    with swap(m.Client, get_external_id=get_external_id):
        assert mark_objects(clients) == 2
    states = dict(SyncRecord.objects.filter(resource="customer").values_list("object_id", "state"))
    assert states == {
        str(clients[0].pk): "pending",
        str(bad): "failed",
        str(clients[2].pk): "pending",
    }


def test_a_save_inside_a_transaction_survives_a_mapping_mistake(thred, shop, swap):
    from django.db import transaction

    client = m.Client.objects.create(shop=shop, name="Jane")
    with swap(m.Sale, business="merchnt"), transaction.atomic():
        sale = m.Sale.objects.create(shop=shop, client=client, number="INV-2")
        m.Sale.objects.create(shop=shop, client=client, number="INV-3")
    assert m.Sale.objects.filter(pk__gte=sale.pk).count() == 2
