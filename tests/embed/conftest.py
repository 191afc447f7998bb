from __future__ import annotations

import pytest

from tests.embed import resolvers
from tests.engine.conftest import thred  # noqa: F401  (fixture used below)
from tests.shophost.conftest import one_shop  # noqa: F401  (fixture)
from tests.testapp import models as m
from thred_django.engine.runner import push_due

RESOLVERS = "tests.embed.resolvers"


@pytest.fixture
def embed(settings, thred):  # noqa: F811
    settings.THRED = {**settings.THRED, "EMBED_BUSINESS_RESOLVER": f"{RESOLVERS}.shop_of"}
    resolvers.MEMBERS.clear()
    yield resolvers.MEMBERS
    resolvers.MEMBERS.clear()


@pytest.fixture
def shops(embed):
    """Three shops in Thred and one not yet."""
    created = [m.Shop.objects.create(name=f"Shop {i}", email=f"s{i}@x.test") for i in range(3)]
    push_due()
    created.append(m.Shop.objects.create(name="Late Ltd"))
    return created
