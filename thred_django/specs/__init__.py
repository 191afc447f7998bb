"""One declarative spec per Thred resource: the one place that knows what the Thred
Partner API offers for it (see ``base.Spec``).

``ALL`` maps each resource name to its spec, in listing order. Each resource is one
module of this package holding a ``SPEC``; the registry finds them, so adding a resource
adds a module and touches nothing here. The client's endpoint table, the validation
registry, the engine's operations, the lifecycle, the claim rank and the admin's labels
are derived from these specs. This package sits below every other layer: it imports
nothing of Django, the client, the engine, the admin or the sandbox.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from thred_django.specs.auth import OPS as AUTH_OPS
from thred_django.specs.base import VERBS, Op, Spec

__all__ = ["ALL", "AUTH_OPS", "NAMES", "RANK", "VERBS", "Op", "Spec", "of", "operations"]

_NOT_RESOURCES = {"auth", "base"}


def _discover() -> dict[str, Spec]:
    found: list[Spec] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name in _NOT_RESOURCES or module.name.startswith("_"):
            continue
        spec = getattr(importlib.import_module(f"{__name__}.{module.name}"), "SPEC", None)
        if not isinstance(spec, Spec):
            raise TypeError(f"{__name__}.{module.name} has no SPEC (a specs.base.Spec).")
        if spec.name != module.name:
            raise ValueError(f"{__name__}.{module.name} declares {spec.name!r}: name them alike.")
        found.append(spec)
    found.sort(key=lambda spec: spec.order)
    orders = [spec.order for spec in found]
    if len(set(orders)) != len(orders):
        raise ValueError(f"Two resource specs share an order: {orders}.")
    return {spec.name: spec for spec in found}


ALL: dict[str, Spec] = _discover()
NAMES: tuple[str, ...] = tuple(ALL)


def of(resource: str) -> Spec:
    """The spec of ``resource``; a clear error names the known ones."""
    try:
        return ALL[resource]
    except KeyError:
        raise ValueError(
            f"Unknown Thred resource {resource!r}; expected one of {', '.join(ALL)}."
        ) from None


def _rank(name: str, seen: tuple[str, ...] = ()) -> int:
    if name in seen:
        raise ValueError(f"Resource specs form a cycle: {' → '.join((*seen, name))}.")
    spec = of(name)
    before = (*spec.parents, *spec.claimed_after)
    return 1 + max((_rank(other, (*seen, name)) for other in before), default=-1)


# Thred rejects a record whose parents it does not know yet, so records are claimed in
# this order: a resource comes one step after the last of its parents.
RANK: dict[str, int] = {name: _rank(name) for name in ALL}


def operations() -> Iterator[tuple[Spec | None, str, Op]]:
    """Every documented operation: ``(spec, verb, op)``, the token operations with
    ``spec`` None and verb ``"token"``."""
    for op in AUTH_OPS:
        yield None, "token", op
    for spec in ALL.values():
        for verb, op in spec.ops.items():
            yield spec, verb, op
