"""The one-shop host's fixtures: THRED["BUSINESS"] set and its mappings registered.

The main suite's host is multi-tenant, so the one-shop mappings are registered here, for
these tests only, after the setting that allows them (no ``business`` path) is in force.
"""

from __future__ import annotations

import pytest

from tests.shophost.shop_mappings import MAPPINGS
from thred_django.mappings import registry


@pytest.fixture
def one_shop(settings):
    """Eager mode against the in-process sandbox, THRED["BUSINESS"] a dotted path."""
    settings.THRED = {**settings.THRED, "BUSINESS": "tests.shophost.shop_mappings.shop_business"}
    for model, mapping_class in MAPPINGS.items():
        registry.register(model, mapping_class)
    yield settings
    for model in MAPPINGS:
        registry.unregister(model)
