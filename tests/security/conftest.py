"""Fixtures of the security suite: the engine suite's ``thred`` and ``shop``, the chaos
run of tests/reliability (its logs are scanned here), and the admin/API test world."""

from tests.admin.world import (  # noqa: F401  (fixtures)
    operator,
    operator_client,
    pushes,
    viewer,
    viewer_client,
    world,
)
from tests.engine.conftest import shop, thred  # noqa: F401  (fixtures)
from tests.reliability.chaos import chaos_run  # noqa: F401  (session fixture)
