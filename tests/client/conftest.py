"""Fixtures of the client tests: a fresh token cache and the scriptable FakeThred."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches

from tests.client.fake import FakeThred
from thred_django.client import ThredClient


@pytest.fixture(autouse=True)
def _clear_token_cache() -> Iterator[None]:
    # Tokens live in the shared Django cache; one test's tokens must not serve another.
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def fake() -> FakeThred:
    return FakeThred()


@pytest.fixture
def client(fake: FakeThred) -> Iterator[ThredClient]:
    with fake.client() as thred_client:
        yield thred_client


@pytest.fixture
def sandbox_client() -> Iterator[ThredClient]:
    """A client wired to the in-process sandbox (credentials from tests/settings.py)."""
    transport_module = pytest.importorskip("thred_django.sandbox.transport")
    with ThredClient(transport=transport_module.in_process_transport()) as thred_client:
        yield thred_client


@pytest.fixture
def world(sandbox_client: ThredClient):
    from tests.client.sandbox_world import World

    return World(sandbox_client)
