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
