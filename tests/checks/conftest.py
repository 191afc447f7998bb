from __future__ import annotations

import contextlib

import pytest

from tests.engine.conftest import shop, thred  # noqa: F401  (fixtures)
from thred_django.mappings import registry


@contextlib.contextmanager
def swapped(model, **attrs):
    """Change ``model``'s registered mapping for the duration: a subclass with ``attrs``
    (the way a mapping changed after registration, bypassing register()'s own checks)."""
    mapping = registry.for_model(model)
    original = type(mapping)
    mapping.__class__ = type(f"Broken{original.__name__}", (original,), attrs)
    try:
        yield mapping
    finally:
        mapping.__class__ = original


@pytest.fixture
def swap():
    return swapped
