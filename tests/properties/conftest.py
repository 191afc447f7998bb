"""Fixtures of the property-based API tests."""

from __future__ import annotations

import pytest

from tests.admin.world import pushes  # noqa: F401  (fixture)
from tests.properties.sandbox_auth import SandboxWorld


@pytest.fixture
def sandbox_world(db) -> SandboxWorld:
    return SandboxWorld()
