"""The embed token endpoint: a user gets their own business's token, never another's."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.embed.conftest import RESOLVERS
from tests.engine.test_push import record_of
from thred_django.sandbox.auth import read_token

pytestmark = pytest.mark.django_db
URL = "/thred/embed/token/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_gets_a_business_token_of_their_own_business(shops, embed):
    user = User.objects.create_user("ann")
    embed[user.pk] = shops[1].pk
    response = login(user).get(URL)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    business_id = record_of(shops[1]).thred_id
    assert body["business_id"] == business_id
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600
    assert read_token(body["access_token"]).business_id == business_id  # a business token


def test_anonymous_no_business_and_not_yet_in_thred(shops, embed):
    assert Client().get(URL).status_code == 403
    loner = User.objects.create_user("loner")
    response = login(loner).get(URL)
    assert response.status_code == 403
    assert response.json() == {"detail": "You have no business to show."}
    late = User.objects.create_user("late")
    embed[late.pk] = shops[3].pk
    response = login(late).get(URL)
    assert response.status_code == 409
    assert "not reached Thred" in response.json()["detail"]


def test_a_resolver_may_return_the_pk(shops, embed, settings):
    settings.THRED = {
        **settings.THRED,
        "EMBED_BUSINESS_RESOLVER": f"{RESOLVERS}.shop_pk_of",
    }
    user = User.objects.create_user("pk")
    embed[user.pk] = shops[2].pk
    body = login(user).get(URL).json()
    assert body["business_id"] == record_of(shops[2]).thred_id


def test_a_resolver_returning_another_model_is_a_configuration_error(shops, settings):
    from tests.testapp import models as m
    from thred_django.exceptions import ThredConfigurationError

    m.Client.objects.create(shop=shops[0], name="x")
    settings.THRED = {
        **settings.THRED,
        "EMBED_BUSINESS_RESOLVER": f"{RESOLVERS}.wrong_model",
    }
    user = User.objects.create_user("w")
    with pytest.raises(
        ThredConfigurationError, match=r"returned a testapp\.Client; return a testapp\.Shop"
    ):
        login(user).get(URL)


def test_thred_refusing_is_a_502_without_the_token(shops, embed, caplog):
    from thred_django.models import SyncRecord

    user = User.objects.create_user("gone")
    embed[user.pk] = shops[0].pk
    # Thred does not know this business (e.g. it was deleted there).
    SyncRecord.objects.filter(pk=record_of(shops[0]).pk).update(
        thred_id="00000000-0000-4000-8000-000000000000"
    )
    response = login(user).get(URL)
    assert response.status_code == 502
    assert "access_token" not in response.json()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    membership=st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=4, max_size=4),
    who=st.integers(0, 3),
    tamper=st.sampled_from(["", "?business=", "?business_id=", "?tenant="]),
    target=st.integers(0, 3),
)
def test_property_a_user_never_gets_another_business_token(
    shops, embed, users, membership, who, tamper, target
):
    """Whatever the memberships and whatever the request asks for, the token returned
    is for the business the resolver names for that user, or there is none."""
    for user, shop_index in zip(users, membership, strict=True):
        embed[user.pk] = None if shop_index is None else shops[shop_index].pk
    query = ""
    if tamper:
        other = record_of(shops[target])
        query = tamper + (other.thred_id or other.tenant_id)
    response = login(users[who]).get(URL + query, HTTP_X_THRED_BUSINESS=str(shops[target].pk))
    own = membership[who]
    if own is None:
        assert response.status_code == 403
        return
    own_record = record_of(shops[own])
    if not own_record.thred_id:
        assert response.status_code == 409
        return
    assert response.status_code == 200
    body = response.json()
    assert body["business_id"] == own_record.thred_id
    assert read_token(body["access_token"]).business_id == own_record.thred_id


@pytest.fixture
def users(db):
    return [User.objects.create_user(f"u{i}") for i in range(4)]


def test_the_template_snippet_mounts_the_widget_with_the_endpoint(settings):
    html = Template('{% load thred_embed %}{% thred_accounting "books" theme="dark" %}').render(
        Context({})
    )
    assert '<div id="books" class="thred-accounting"' in html
    assert '"tokenUrl": "/thred/embed/token/"' in html
    assert '"scriptUrl": "https://esm.sh/@thredfi/accounting"' in html
    assert '"options": {"theme": "dark"}' in html
    assert "mountThredfi(" in html
    assert "getToken" in html


def test_single_business_mode_resolver_says_yes_or_no(one_shop, settings):
    from django.core.management import call_command

    from thred_django.models import SyncRecord

    settings.THRED = {**settings.THRED, "EMBED_BUSINESS_RESOLVER": f"{RESOLVERS}.staff_only"}
    call_command("thred_onboard", stdout=io.StringIO())
    business = SyncRecord.objects.get(resource="business", tenant_id="1").thred_id
    assert business
    boss = User.objects.create_user("boss", is_staff=True)
    clerk = User.objects.create_user("clerk")
    body = login(boss).get(URL).json()
    assert body["business_id"] == business
    assert read_token(body["access_token"]).business_id == business
    assert login(clerk).get(URL).status_code == 403
