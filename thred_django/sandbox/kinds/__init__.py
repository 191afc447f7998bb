"""Every Thred resource the sandbox serves: one module per resource, the one place a
new resource is added.

``kinds/<name>.py`` holds everything the sandbox knows of the resource ``<name>`` (its
spec's name): its model(s), its request bodies (``schemas.Body``), its renderer, its
writes (its own, or a configured family from ``writes``: documents, parties,
settlements) and its ``KIND`` (a ``catalog.Kind``). What several kinds share stays in
the shared modules: ``tables`` (the bases and the plumbing), ``ledger``, ``references``,
``schemas``, ``render.common``, ``filters`` and ``writes``. Kind modules import
each other where one needs another's model, renderer or ledger (an invoice its
customer, a payment its invoice), never in a cycle (``tests/test_import_graph.py``); a
model whose module cannot import another's names it by app label
(``"thred_sandbox.Payout"``).

``KINDS`` maps each resource name to its kind, in the specs' order. This package finds
the modules (like ``thred_django.specs``), so adding a resource adds a module and
touches nothing here; ``models`` imports it so Django registers every kind's models,
and it registers their bodies with ``schemas``. ``tests/sandbox/test_kinds.py`` checks
that every spec has its kind, complete.
"""

from __future__ import annotations

import importlib
import pkgutil

from django.db.models import Model

from thred_django import specs
from thred_django.sandbox import schemas
from thred_django.sandbox.catalog import Kind

__all__ = ["KINDS", "Kind", "deletion_order", "models", "of"]


def _discover() -> dict[str, Kind]:
    found: dict[str, Kind] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_"):
            continue
        name = f"{__name__}.{module.name}"
        kind = getattr(importlib.import_module(name), "KIND", None)
        if not isinstance(kind, Kind):
            raise TypeError(f"{name} has no KIND (a sandbox.catalog.Kind).")
        if kind.name != module.name:
            raise ValueError(f"{name} declares {kind.name!r}: name them alike.")
        if kind.name not in specs.ALL:
            raise ValueError(f"{name}: no resource spec thred_django/specs/{kind.name}.py.")
        found[kind.name] = kind
    return {name: found[name] for name in sorted(found, key=lambda name: specs.of(name).order)}


KINDS: dict[str, Kind] = _discover()
for _kind in KINDS.values():
    for _action, _body in _kind.bodies.items():
        schemas.register(_kind.name, _action, _body)


def of(name: str) -> Kind:
    """The kind of the resource ``name``; a clear error says where it belongs."""
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(
            f"The sandbox has no kind for the resource {name!r}: add "
            f"thred_django/sandbox/kinds/{name}.py with its KIND."
        ) from None


def models() -> list[type[Model]]:
    """Every kind's models: its own rows (allocations), then its main model."""
    return [model for kind in KINDS.values() for model in (*kind.tables, kind.model)]


def deletion_order() -> list[type[Model]]:
    """Every kind's models, children first: the highest claim rank (a resource comes
    after its parents) first, each kind's own rows just before it."""
    ranked = sorted(KINDS.values(), key=lambda kind: -specs.RANK[kind.name])
    return [model for kind in ranked for model in (*kind.tables, kind.model)]
