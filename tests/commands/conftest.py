from tests.engine.conftest import shop, thred  # noqa: F401  (fixtures)
