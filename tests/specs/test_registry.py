"""The registry of resource specs: discovery, order, claim rank and the checks a spec
gets when it is declared."""

from __future__ import annotations

import pytest

from thred_django import specs
from thred_django.resources import RANK, Resource, claim_rank
from thred_django.specs.base import Op, Spec

_CREATE = {"create": Op("POST", "/v1/x/")}


def test_every_resource_module_is_registered_in_listing_order():
    assert tuple(Resource.values) == specs.NAMES
    assert [spec.order for spec in specs.ALL.values()] == sorted(
        spec.order for spec in specs.ALL.values()
    )


def test_the_resource_choices_carry_the_spec_labels():
    assert Resource.choices == [(spec.name, spec.label) for spec in specs.ALL.values()]


def test_a_resource_is_claimed_after_its_parents():
    for spec in specs.ALL.values():
        for parent in (*spec.parents, *spec.claimed_after):
            assert specs.RANK[parent] < specs.RANK[spec.name], (spec.name, parent)
    assert RANK == specs.RANK
    assert specs.RANK == {
        "business": 0,
        "customer": 1,
        "vendor": 1,
        "invoice": 2,
        "payment": 3,
        "payout": 6,
        "refund": 4,
        "refund_payment": 5,
        "bill": 2,
        "bill_payment": 3,
        "vendor_credit": 3,
    }
    # Deletes go children first.
    assert claim_rank("payout", "delete") < claim_rank("business", "delete")


def test_unknown_resources_get_an_error_naming_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown Thred resource 'credit_note'.*invoice"):
        specs.of("credit_note")


def test_a_spec_refuses_unknown_verbs_a_missing_create_and_itself_as_parent():
    with pytest.raises(ValueError, match="unknown verbs"):
        Spec(
            name="x", label="X", order=99, plural="xs", ops={**_CREATE, "delete": _CREATE["create"]}
        )
    with pytest.raises(ValueError, match="every resource has a create"):
        Spec(name="x", label="X", order=99, plural="xs", ops={})
    with pytest.raises(ValueError, match="own parent"):
        Spec(name="x", label="X", order=99, plural="xs", ops=_CREATE, parents=("x",))
    with pytest.raises(ValueError, match="must be fixed"):
        Spec(name="x", label="X", order=99, plural="xs", ops=_CREATE, refused_when_changed=("a",))


def test_what_follows_from_the_declared_operations():
    invoice, payout, vendor = specs.of("invoice"), specs.of("payout"), specs.of("vendor")
    assert (invoice.update, invoice.deactivate, invoice.reactivate) == ("put", "void", "")
    assert (payout.update, payout.upsert, payout.endpoint_name("create")) == (
        "upsert",
        True,
        "upsert_payout",
    )
    # An unarchive without an archive: Thred never holds one of our vendors archived.
    assert (vendor.deactivate, vendor.reactivate) == ("", "")
    assert specs.of("customer").reactivate == "unarchive"
    assert not specs.of("refund_payment").listed_by_business
    assert specs.of("bill_payment").endpoint_name("list") == "list_bill_payments"
    assert specs.of("payment").ops["cancel"].path.endswith("/{payment_id}/delete/")


def test_specs_import_nothing_above_them():
    import ast
    from pathlib import Path

    folder = Path(specs.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.startswith("thred_django.specs") or not node.module.startswith(
                    ("thred_django", "django", "rest_framework", "httpx")
                ), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(("thred_django", "django")), path.name


def test_the_outbox_takes_its_resource_choices_from_the_specs_outside_migrations():
    from thred_django.models import SyncRecord

    field = SyncRecord._meta.get_field("resource")
    assert list(field.choices) == [(spec.name, spec.label) for spec in specs.ALL.values()]
    _, path, _, kwargs = field.deconstruct()
    assert path == "django.db.models.CharField"
    assert "choices" not in kwargs
