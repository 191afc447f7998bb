"""Fixtures of the reliability suite: the engine suite's ``thred`` (queue mode, requests
through tests/engine/fake_transport.RecordingTransport in front of the in-process
sandbox) and ``shop``, and the chaos run (shared with tests/security)."""

from tests.engine.conftest import shop, thred  # noqa: F401  (fixtures)
from tests.reliability.chaos import chaos_run  # noqa: F401  (session fixture)
