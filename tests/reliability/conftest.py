"""Fixtures of the reliability suite (the chaos run is shared with tests/security)."""

from tests.reliability.chaos import chaos_run  # noqa: F401  (session fixture)
