"""engine.oneof: a list of values as one array parameter on PostgreSQL, ``IN`` elsewhere,
selecting what the ORM's ``__in`` selects (integer, UUID and text keys, a foreign key)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from tests.realhost import models as rh
from tests.testapp import models as m
from thred_django.engine.oneof import one_of
from thred_django.models import SyncDependency, SyncRecord

pytestmark = pytest.mark.django_db


def _sent(run) -> list[tuple[str, list]]:
    sent: list[tuple[str, list]] = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        run()
    return sent


def _one_parameter_on_postgresql(sent: list[tuple[str, list]], values: int) -> None:
    ((sql, params),) = sent
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
        assert len([p for p in params if isinstance(p, list)]) == 1
        assert sum(len(p) for p in params if isinstance(p, list)) == values
    else:
        assert " IN (" in sql


def test_it_selects_what_in_selects_for_integer_text_and_foreign_keys(shop):
    clients = [m.Client.objects.create(shop=shop, name=f"C{i}") for i in range(60)]
    wanted = [str(c.pk) for c in clients[::2]] + ["999999999", str(clients[0].pk)]  # a miss, twice
    found: list[m.Client] = []
    sent = _sent(lambda: found.extend(m.Client.objects.filter(one_of(m.Client, "pk", wanted))))
    _one_parameter_on_postgresql(sent, len(set(wanted)))
    assert sorted(c.pk for c in found) == sorted(
        m.Client.objects.filter(pk__in=wanted).values_list("pk", flat=True)
    )
    assert len(found) == 30

    records = SyncRecord.objects.filter(resource="customer")
    object_ids = list(records.values_list("object_id", flat=True)[:55])
    assert len(object_ids) == 55  # every client marked: the comparison below is not of nothing
    by_text = SyncRecord.objects.filter(one_of(SyncRecord, "object_id", object_ids))
    assert set(by_text.values_list("id", flat=True)) == set(
        SyncRecord.objects.filter(object_id__in=object_ids).values_list("id", flat=True)
    )
    ids = list(records.values_list("id", flat=True))
    SyncDependency.objects.bulk_create(
        SyncDependency(child_id=i, parent_type_id=records[0].content_type_id, parent_id="p")
        for i in ids[:52]
    )
    edges = SyncDependency.objects.filter(one_of(SyncDependency, "child", ids))
    assert sorted(edges.values_list("child_id", flat=True)) == sorted(ids[:52])


def test_uuid_keys_and_an_update_take_the_list_whole():
    company = rh.Company.objects.create(legal_name="Acme")
    contacts = [rh.Contact.objects.create(company=company, name=f"N{i}") for i in range(55)]
    wanted = [str(c.pk) for c in contacts[:54]] + [str(uuid.uuid4())]
    sent = _sent(
        lambda: rh.Contact.objects.filter(one_of(rh.Contact, "pk", wanted)).update(archived=True)
    )
    _one_parameter_on_postgresql(sent, 55)
    assert rh.Contact.objects.filter(archived=True).count() == 54
    assert not rh.Contact.objects.get(pk=contacts[54].pk).archived


def test_a_name_that_is_not_a_concrete_field_is_refused():
    with pytest.raises(TypeError, match="not a concrete field"):
        one_of(rh.Company, "contacts", [1])
