"""The ledger host's fixtures: only its mappings registered, the recording transport in
front of the in-process sandbox, queue mode (tests drain with push_due)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.engine.fake_transport import TRANSPORT, RecordingTransport
from tests.ledgerhost.ledger_mappings import install
from thred_django.mappings import registry


@pytest.fixture
def ledger_registry() -> Iterator[None]:
    """Only the ledger mappings (one business mapping per registry), restored after."""
    saved = [(mapping.model, type(mapping)) for mapping in registry.mappings()]
    for model, _ in saved:
        registry.unregister(model)
    install()
    try:
        yield
    finally:
        for mapping in registry.mappings():
            registry.unregister(mapping.model)
        for model, mapping_class in saved:
            registry.register(model, mapping_class)


@pytest.fixture
def thred(settings: Any, ledger_registry: None) -> Iterator[RecordingTransport]:
    settings.THRED = {
        **settings.THRED,
        "SYNC_MODE": "queue",
        "TRANSPORT": "tests.engine.fake_transport.factory",
        "BACKOFF_BASE": 0.01,
        "BACKOFF_MAX": 0.05,
        "DEPENDENCY_WAIT": 0.01,
        "CONCURRENCY": 1,
    }
    TRANSPORT.reset()
    yield TRANSPORT
    TRANSPORT.reset()
