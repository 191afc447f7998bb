from tests.admin.world import (  # noqa: F401  (fixtures)
    operator,
    operator_client,
    pushes,
    viewer,
    viewer_client,
    world,
)
