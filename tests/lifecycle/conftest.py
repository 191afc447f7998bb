"""Fixtures of the lifecycle suite: the realhost mappings swapped into the registry,
queue mode through the recording transport (tests/engine/fake_transport.py) in front
of the in-process sandbox, and a world of every resource pushed to Thred."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.engine.fake_transport import TRANSPORT, RecordingTransport
from tests.lifecycle.world import World, build_world, drain
from tests.realhost.thred_mappings import install
from thred_django.mappings import registry


@pytest.fixture
def realhost_registry() -> Iterator[None]:
    """Only the realhost mappings registered (one business mapping per registry)."""
    saved = {mapping.model: type(mapping) for mapping in registry.mappings()}
    for model in saved:
        registry.unregister(model)
    install()
    try:
        yield
    finally:
        for mapping in registry.mappings():
            registry.unregister(mapping.model)
        for model, mapping_class in saved.items():
            registry.register(model, mapping_class)


@pytest.fixture
def thred(settings: Any, realhost_registry: None) -> Iterator[RecordingTransport]:
    """Queue mode (marks only; tests drain), requests through the recorder."""
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


@pytest.fixture
def world(thred: RecordingTransport, db: None) -> World:
    built = build_world()
    drain()
    return built
