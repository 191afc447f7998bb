"""Everything the sandbox knows of a resource is found through its kind module.

Adding a Thred resource adds one sandbox module, ``thred_django/sandbox/kinds/<name>.py``
(plus its migration). These tests fail, saying what is missing, when a resource's spec
has no kind module, when a kind's model is not registered with Django or lives
elsewhere, when a documented operation has no write in the kind, when a request body is
missing, when the reset would delete a parent before its children, or when rows that
allocate money to a document are not counted by that document's ledger.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys

import pytest
from django.apps import apps
from django.db.models import CASCADE
from django.urls import resolve

from thred_django import specs
from thred_django.sandbox import kinds, ledger, schemas
from thred_django.sandbox.reset import deletion_order, partner_path
from thred_django.sandbox.tables import (
    Business,
    FaultConfig,
    IdempotencyRecord,
    PartnerFaultConfig,
    RequestLog,
)

PLUMBING = {IdempotencyRecord, FaultConfig, PartnerFaultConfig, RequestLog}
NAMES = list(specs.NAMES)
ID = "4f6d2c1a-9b8e-4d7c-a6b5-1234567890ab"


def module_names() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(kinds.__path__) if not m.name.startswith("_")]


def test_every_spec_has_exactly_one_kind_module_and_nothing_else_is_one():
    modules = module_names()
    missing = [f"thred_django/sandbox/kinds/{name}.py" for name in NAMES if name not in modules]
    assert not missing, f"resources without their sandbox kind module: {missing}"
    extra = sorted(set(modules) - set(NAMES))
    assert not extra, f"kind modules without a resource spec (thred_django/specs/): {extra}"
    assert list(kinds.KINDS) == NAMES  # one each, in the specs' order


@pytest.mark.parametrize("name", NAMES)
def test_the_kind_module_declares_its_kind(name):
    module = importlib.import_module(f"thred_django.sandbox.kinds.{name}")
    assert module.KIND is kinds.of(name)
    assert kinds.of(name).name == name


def test_an_unknown_resource_says_where_its_kind_belongs():
    with pytest.raises(LookupError, match=r"thred_django/sandbox/kinds/no_such_thing\.py"):
        kinds.of("no_such_thing")


@pytest.mark.parametrize("name", NAMES)
def test_the_kind_models_are_registered_and_live_in_the_kind_module(name):
    kind = kinds.of(name)
    for model in (kind.model, *kind.tables):
        assert apps.get_model("thred_sandbox", model.__name__) is model, (
            f"{model.__name__} is not registered: is it imported by sandbox.models?"
        )
        home = "thred_django.sandbox.tables" if model is Business else kind_module(name)
        assert model.__module__ == home, f"{model.__name__} belongs in {home}"
    assert kind.query().model is kind.model


def kind_module(name: str) -> str:
    return f"thred_django.sandbox.kinds.{name}"


def test_every_sandbox_model_is_a_kinds_or_the_plumbings():
    known = set(kinds.models()) | PLUMBING
    unclaimed = sorted(
        model.__name__
        for model in apps.get_app_config("thred_sandbox").get_models()
        if model not in known
    )
    assert not unclaimed, (
        f"models no kind declares (a kind's own rows go in its Kind.tables): {unclaimed}"
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_documented_operation_has_its_write_in_the_kind(name):
    spec, kind = specs.of(name), kinds.of(name)
    assert kind.create is not None, f"{name}: Kind.create is missing"
    if "update" in spec.ops:
        assert kind.update is not None, f"{name}: Kind.update is missing"
        assert kind.update[0] == spec.ops["update"].method.lower()
    else:
        assert kind.update is None, f"{name}: an update Thred does not document"
    actions = {verb for verb in spec.ops if verb not in ("list", "get", "create", "update")}
    assert set(kind.actions) == actions, f"{name}: actions {set(kind.actions)} vs {actions}"


@pytest.mark.parametrize(
    ("spec", "verb", "op"),
    [(spec, verb, op) for spec, verb, op in specs.operations() if spec is not None],
    ids=lambda value: getattr(value, "name", None) or str(value),
)
def test_each_operation_resolves_to_its_kind(spec, verb, op):
    view = resolve("/thred-sandbox" + re.sub(r"\{\w+\}", ID, op.path)).func.view_class
    assert view.kind is kinds.of(spec.name)
    assert op.method.lower() in view.http_method_names


@pytest.mark.parametrize("name", NAMES)
def test_the_kind_has_the_request_bodies_it_accepts(name):
    spec, kind = specs.of(name), kinds.of(name)
    wanted = {"create"} | ({"update"} if spec.update else set())
    assert set(kind.bodies) == wanted, f"{name}: bodies {set(kind.bodies)}, wanted {wanted}"
    for action, body in kind.bodies.items():
        assert schemas.BODIES[name, action] is body


def test_reset_deletes_every_model_once_children_first():
    """So no delete has anything left to cascade to (a payout only unlinks payments)."""
    order = deletion_order()
    assert len(order) == len(set(order))
    models = set(apps.get_app_config("thred_sandbox").get_models())
    assert set(order) == models
    position = {model: index for index, model in enumerate(order)}
    late = [
        f"{model.__name__}.{field.name} → {field.related_model.__name__}"
        for model in order
        for field in model._meta.get_fields()
        if field.many_to_one and field.concrete and field.remote_field.on_delete is CASCADE
        if position[field.related_model] < position[model]
    ]
    assert not late, f"deleted before the rows that cascade from it: {late}"


def test_reset_finds_the_business_of_every_kinds_rows():
    for model in kinds.models():
        if model is not Business:
            assert partner_path(model).endswith("business")


def ledgers() -> list[ledger.Settled]:
    found = []
    for name in NAMES:
        module = importlib.import_module(kind_module(name))
        found += [v for v in vars(module).values() if isinstance(v, ledger.Settled)]
    return found


def test_rows_allocating_money_to_a_document_are_counted_by_its_ledger():
    assert {settled.name for settled in ledgers()} == {"invoice", "bill"}
    for settled in ledgers():
        counted = {source.model for source in (*settled.sources, *settled.refunds)}
        for model in apps.get_app_config("thred_sandbox").get_models():
            points = any(
                field.many_to_one and field.related_model is settled.model
                for field in model._meta.get_fields()
            )
            if points and any(field.name == "amount_cents" for field in model._meta.get_fields()):
                assert model in counted, (
                    f"{model.__name__} allocates to {settled.name}s: register it with "
                    f"{settled.name}.LEDGER.pays_into(...) (or refunds_from) in its kind module"
                )


def test_a_ledger_counts_each_source_once():
    settled = ledger.Settled("doc", Business, "customer", "received_cents", lambda doc: "")
    source = ledger.Source(IdempotencyRecord, "business_id", {}, owner="business")
    settled.pays_into(source)
    settled.pays_into(ledger.Source(IdempotencyRecord, "business_id", {}, owner="business"))
    settled.refunds_from(source)
    settled.refunds_from(source)
    assert settled.sources == [source] and settled.refunds == [source]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("X = 1\n", r"kinds\.zz_trial has no KIND"),
        (
            "from thred_django.sandbox.kinds import customer\nKIND = customer.KIND\n",
            r"kinds\.zz_trial declares 'customer': name them alike",
        ),
        (
            "import dataclasses\nfrom thred_django.sandbox.kinds import customer\n"
            "KIND = dataclasses.replace(customer.KIND, name='zz_trial')\n",
            r"no resource spec thred_django/specs/zz_trial\.py",
        ),
    ],
)
def test_a_misdeclared_kind_module_is_refused_saying_why(tmp_path, monkeypatch, source, error):
    (tmp_path / "zz_trial.py").write_text(source)
    monkeypatch.setattr(kinds, "__path__", [*kinds.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "thred_django.sandbox.kinds.zz_trial", raising=False)
    try:
        with pytest.raises((TypeError, ValueError), match=error):
            kinds._discover()
    finally:
        sys.modules.pop("thred_django.sandbox.kinds.zz_trial", None)
