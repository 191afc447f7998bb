"""Tokens against the sandbox: grant, exchange, scopes, expiry and refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from tests.client.sandbox_world import World
from thred_django.client import ThredClient
from thred_django.client.auth import PARTNER_SCOPE, business_scope
from thred_django.exceptions import (
    ThredAuthenticationError,
    ThredPermissionError,
    ThredValidationError,
)

transport_module = pytest.importorskip("thred_django.sandbox.transport")
pytestmark = pytest.mark.django_db

T0 = datetime(2025, 1, 15, 9, 0, 0, tzinfo=UTC)


def test_partner_and_business_tokens(sandbox_client: ThredClient, world: World):
    partner = sandbox_client.get_partner_token()
    assert partner.status_code == 200
    assert partner.data["expires_in"] == 3600
    assert partner.data["access_token"]
    business = sandbox_client.get_business_token(world.business_id)
    assert business.data["scope"] == "business_access"
    assert business.data["business_id"] == world.business_id


def test_wrong_api_key_is_an_authentication_error():
    client = ThredClient(api_key="wrong-key", transport=transport_module.in_process_transport())
    with pytest.raises(ThredAuthenticationError) as info:
        client.list_businesses().__next__()
    assert info.value.status == 401
    assert info.value.path == "/v1/platform/oauth2/token/"
    assert "wrong-key" not in str(info.value)


def test_token_request_for_another_partner_id_is_refused():
    client = ThredClient(
        partner_id="7a1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44",
        transport=transport_module.in_process_transport(),
    )
    with pytest.raises(ThredAuthenticationError):
        client.get_partner_token()


def test_business_token_on_another_business_is_a_permission_error(
    sandbox_client: ThredClient,
):
    first, second = World(sandbox_client), World(sandbox_client)
    first_token = sandbox_client.get_business_token(first.business_id).data["access_token"]
    # Make the client present the first business's token for the second business.
    sandbox_client._tokens.put(business_scope(second.business_id), first_token, 3600)
    with pytest.raises(ThredPermissionError) as info:
        list(sandbox_client.list_customers(second.business_id))
    assert info.value.status == 403
    assert info.value.error_code == "permission_denied"


def test_business_token_on_partner_endpoints_is_a_permission_error(
    sandbox_client: ThredClient, world: World
):
    business_token = sandbox_client.get_business_token(world.business_id).data["access_token"]
    sandbox_client._tokens.put(PARTNER_SCOPE, business_token, 3600)
    with pytest.raises(ThredPermissionError):
        sandbox_client.get_business(world.business_id)


def test_bill_payments_refuse_the_partner_token(sandbox_client: ThredClient, world: World):
    partner_token = sandbox_client.get_partner_token().data["access_token"]
    sandbox_client._tokens.put(business_scope(world.business_id), partner_token, 3600)
    list(sandbox_client.list_customers(world.business_id))  # accepted here
    with pytest.raises(ThredPermissionError):
        list(sandbox_client.list_bill_payments(world.business_id))


def test_tokens_renewed_before_expiry(sandbox_client: ThredClient):
    with time_machine.travel(T0, tick=False) as traveller:
        world = World(sandbox_client)
        sandbox_client.get_customer(world.business_id, world.customer["id"])
        partner = sandbox_client._tokens.peek(PARTNER_SCOPE)
        business = sandbox_client._tokens.peek(business_scope(world.business_id))
        assert partner and business
        assert business.refresh_at == pytest.approx(T0.timestamp() + 3600 - 300)

        traveller.move_to(T0 + timedelta(seconds=3299))
        sandbox_client.get_customer(world.business_id, world.customer["id"])
        assert sandbox_client._tokens.peek(business_scope(world.business_id)) == business

        traveller.move_to(T0 + timedelta(seconds=3301))
        sandbox_client.get_customer(world.business_id, world.customer["id"])
        renewed = sandbox_client._tokens.peek(business_scope(world.business_id))
        assert renewed.access_token != business.access_token
        assert renewed.expires_at == pytest.approx(T0.timestamp() + 3301 + 3600)
        assert sandbox_client._tokens.peek(PARTNER_SCOPE).access_token != partner.access_token


def test_expired_token_gets_401_then_one_reauthentication(sandbox_client: ThredClient):
    with time_machine.travel(T0, tick=False) as traveller:
        world = World(sandbox_client)
        sandbox_client.get_customer(world.business_id, world.customer["id"])
        scope = business_scope(world.business_id)
        stale = sandbox_client._tokens.peek(scope).access_token
        # The cache believes the token is good for a day; the sandbox says 1 hour.
        sandbox_client._tokens.put(scope, stale, 86400)
        sandbox_client._tokens.put(
            PARTNER_SCOPE, sandbox_client._tokens.peek(PARTNER_SCOPE).access_token, 86400
        )
        traveller.move_to(T0 + timedelta(hours=2))
        response = sandbox_client.get_customer(world.business_id, world.customer["id"])
        assert response.status_code == 200
        assert sandbox_client._tokens.peek(scope).access_token != stale


def test_forged_token_is_replaced_and_unknown_partner_fails_after_one_retry(
    sandbox_client: ThredClient, world: World
):
    customer_id = world.customer["id"]
    sandbox_client._tokens.put(business_scope(world.business_id), "forged-token", 3600)
    assert sandbox_client.get_customer(world.business_id, customer_id).status_code == 200

    # The sandbox no longer knows the partner: its tokens and its grant are refused.
    unknown_partner = override_settings(THRED_SANDBOX={"PARTNERS": {"someone-else": "key"}})
    with unknown_partner, pytest.raises(ThredAuthenticationError) as info:
        sandbox_client.get_customer(world.business_id, customer_id)
    assert info.value.path == "/v1/platform/oauth2/token/"


def test_validation_of_the_grant_body_is_satisfied(sandbox_client: ThredClient):
    # The sandbox requires client_id equal to the Basic user name (gaps.py); a client
    # that forgot it would get a 400 here.
    try:
        sandbox_client.get_partner_token()
    except ThredValidationError as exc:  # pragma: no cover - reported as a failure
        pytest.fail(f"token request refused: {exc}")
