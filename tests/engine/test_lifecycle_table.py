"""The lifecycle is derived from the resource specs: it agrees with the client's schemas,
every operation it declares has a client endpoint and method, and the README shows it
as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from thred_django import lifecycle, specs
from thred_django.client import ENDPOINTS, ThredClient
from thred_django.client.validation import SCHEMAS
from thred_django.engine import operations
from thred_django.resources import Resource


def test_every_resource_has_a_lifecycle():
    assert set(lifecycle.LIFECYCLES) == set(Resource.values)
    with pytest.raises(ValueError, match="Unknown Thred resource"):
        lifecycle.of("nope")


@pytest.mark.parametrize("resource", Resource.values)
def test_updates_exist_exactly_where_the_api_documents_them(resource):
    life = lifecycle.of(resource)
    assert life.updatable == ((resource, "update") in SCHEMAS)


@pytest.mark.parametrize("resource", [r for r in Resource.values if (r, "update") in SCHEMAS])
def test_fields_an_update_cannot_carry_are_declared_fixed(resource):
    create = set(SCHEMAS[(resource, "create")][0]().fields)
    update = set(SCHEMAS[(resource, "update")][0]().fields)
    fixed = set(lifecycle.of(resource).fixed)
    assert create - update - {"external_id"} <= fixed
    assert set(specs.of(resource).refused_when_changed) <= fixed
    if resource == Resource.BUSINESS:
        assert {"country", "base_currency"} <= set(specs.of(resource).refused_when_changed)


@pytest.mark.parametrize("resource", Resource.values)
def test_every_declared_operation_has_a_client_call(resource):
    life, spec = lifecycle.of(resource), specs.of(resource)
    assert (resource, "create") in SCHEMAS
    verbs = ["create", life.deactivate, life.reactivate]
    if life.update in ("put", "patch"):
        verbs.append("update")
    for verb in filter(None, verbs):
        name = spec.endpoint_name(verb)
        assert name in ENDPOINTS, (resource, verb)
        assert callable(getattr(ThredClient, name, None)), name
    if life.lookup_filter:
        assert operations.can_look_up(resource)


def test_a_schema_for_an_update_the_spec_lacks_is_refused():
    from rest_framework import serializers

    from thred_django.client.validation.registry import register

    with pytest.raises(ValueError, match="no update call for customer"):
        register("customer", "update", serializers.Serializer)
    with pytest.raises(ValueError, match="already has a schema"):
        register("invoice", "create", serializers.Serializer)
    with pytest.raises(ValueError, match="Unknown Thred resource"):
        register("credit_note", "create", serializers.Serializer)


def test_operations_refuse_what_the_lifecycle_does_not_declare():
    with pytest.raises(ValueError, match="has no update"):
        operations.update(None, Resource.CUSTOMER, "b", "c", {})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="has no void call"):
        operations.call(None, Resource.BILL, "void", "b", "x")  # type: ignore[arg-type]


def test_update_bodies_leave_the_fixed_fields_out():
    life = lifecycle.of(Resource.BILL_PAYMENT)
    body = life.update_body({"amount_cents": 1, "memo": "m", "payment_method": "check"})
    assert body == {"memo": "m"}


def test_the_readme_shows_the_table_as_declared():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for row in lifecycle.readme_table():
        assert row in readme, row


def test_what_thred_holds_after_an_update_keeps_the_fixed_fields_it_acknowledged():
    life = lifecycle.of(Resource.BILL_PAYMENT)
    thred = {"amount_cents": 3000, "memo": "a"}
    host = {"amount_cents": 2500, "memo": "b", "vendor_id": "v"}
    assert life.held_after_update(thred, host) == {
        "amount_cents": 3000,  # Thred could not change it
        "memo": "b",
        "vendor_id": "v",  # unknown to the record: the create carried the host's value
    }
    assert life.differences(thred, host) == {"amount_cents": {"host": 2500, "thred": 3000}}
    assert life.held_after_update(None, host) == host
