"""Tokens, credentials and scopes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from tests.sandbox.conftest import API_KEY, PARTNER_ID, basic, bearer, error_of

TOKEN_URL = "/v1/platform/oauth2/token/"
OTHER_PARTNER = "0b8e7a5c-1111-4222-8333-944455556666"


@pytest.mark.django_db
class TestPartnerToken:
    def test_form_body_issues_a_bearer_token(self, http):
        response = http.post(
            TOKEN_URL,
            data={"grant_type": "client_credentials", "client_id": PARTNER_ID},
            headers=basic(),
        )
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert isinstance(body["access_token"], str) and len(body["access_token"]) > 20
        listed = http.get("/v1/platform/businesses/", headers=bearer(body["access_token"]))
        assert listed.status_code == 200

    def test_json_body_is_accepted(self, http):
        response = http.post(TOKEN_URL, json={"client_id": PARTNER_ID}, headers=basic())
        assert response.status_code == 200

    @override_settings(THRED_SANDBOX={"TOKEN_TTL": 120})
    def test_ttl_setting_sets_expires_in(self, http):
        response = http.post(TOKEN_URL, data={"client_id": PARTNER_ID}, headers=basic())
        assert response.json()["expires_in"] == 120

    def test_no_credentials(self, http):
        response = http.post(TOKEN_URL, data={"client_id": PARTNER_ID})
        assert error_of(response)[:2] == (401, "authentication_required")
        assert response.headers["WWW-Authenticate"].startswith("Basic")

    @pytest.mark.parametrize(
        "headers",
        [
            basic(PARTNER_ID, "wrong-key"),
            basic(OTHER_PARTNER, API_KEY),
            {"Authorization": "Basic not-base64!!"},
        ],
    )
    def test_bad_credentials(self, http, headers):
        response = http.post(TOKEN_URL, data={"client_id": PARTNER_ID}, headers=headers)
        assert error_of(response)[:2] == (401, "invalid_credentials")

    def test_client_id_required_and_must_match(self, http):
        missing = http.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic())
        status, code, details = error_of(missing)
        assert (status, code) == (400, "validation_error")
        assert "client_id" in details
        other = http.post(TOKEN_URL, data={"client_id": OTHER_PARTNER}, headers=basic())
        assert "client_id" in error_of(other)[2]

    def test_wrong_grant_type(self, http):
        response = http.post(
            TOKEN_URL, data={"grant_type": "password", "client_id": PARTNER_ID}, headers=basic()
        )
        assert error_of(response)[2].keys() == {"grant_type"}

    def test_partners_setting_replaces_the_thred_credentials(self, http):
        with override_settings(THRED_SANDBOX={"PARTNERS": {OTHER_PARTNER: "other-key"}}):
            ok = http.post(
                TOKEN_URL,
                data={"client_id": OTHER_PARTNER},
                headers=basic(OTHER_PARTNER, "other-key"),
            )
            assert ok.status_code == 200
            refused = http.post(TOKEN_URL, data={"client_id": PARTNER_ID}, headers=basic())
            assert refused.status_code == 401


@pytest.mark.django_db
class TestBearerTokens:
    def test_missing_and_malformed_tokens(self, http, partner_token):
        url = "/v1/platform/businesses/"
        assert error_of(http.get(url))[:2] == (401, "authentication_required")
        assert error_of(http.get(url, headers=basic()))[:2] == (401, "authentication_required")
        assert error_of(http.get(url, headers=bearer("garbage")))[:2] == (401, "invalid_token")
        tampered = partner_token[:-3] + ("aaa" if not partner_token.endswith("aaa") else "bbb")
        assert error_of(http.get(url, headers=bearer(tampered)))[:2] == (401, "invalid_token")

    def test_token_expires_after_ttl(self, sandbox, http):
        start = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False) as traveller:
            token = sandbox.partner_token()
            url = "/v1/platform/businesses/"
            traveller.shift(dt.timedelta(seconds=3599))
            assert http.get(url, headers=bearer(token)).status_code == 200
            traveller.shift(dt.timedelta(seconds=2))
            response = http.get(url, headers=bearer(token))
            assert error_of(response)[:2] == (401, "invalid_token")
            assert "expired" in response.json()["error"]

    def test_token_of_a_partner_no_longer_configured_is_refused(self, http, partner_token):
        with override_settings(THRED_SANDBOX={"PARTNERS": {OTHER_PARTNER: "k"}}):
            response = http.get("/v1/platform/businesses/", headers=bearer(partner_token))
            assert error_of(response)[:2] == (401, "invalid_token")

    def test_business_token_exchange(self, http, biz, partner_token):
        response = http.post(f"/v1/platform/{biz.id}/oauth2/token/", headers=bearer(partner_token))
        body = response.json()
        assert body["scope"] == "business_access"
        assert body["business_id"] == biz.id
        assert body["expires_in"] == 3600
        assert body["token_type"] == "Bearer"

    def test_exchange_for_unknown_business(self, http, partner_token):
        for business_id in ("9c0ffee0-0000-4000-8000-000000000000", "not-a-uuid"):
            response = http.post(
                f"/v1/platform/{business_id}/oauth2/token/", headers=bearer(partner_token)
            )
            assert error_of(response)[:2] == (404, "business_not_found")

    def test_business_token_cannot_exchange_or_manage_businesses(self, http, biz):
        for response in (
            http.get("/v1/platform/businesses/", headers=biz.headers),
            http.get(f"/v1/platform/businesses/{biz.id}/", headers=biz.headers),
            http.post(f"/v1/platform/{biz.id}/oauth2/token/", headers=biz.headers),
        ):
            assert error_of(response)[:2] == (403, "permission_denied")


@pytest.mark.django_db
class TestScopes:
    def test_business_token_on_another_business_is_forbidden(self, biz, other_biz):
        response = biz.http.get(other_biz.url("customers/"), headers=biz.headers)
        assert error_of(response)[:2] == (403, "permission_denied")
        assert biz.get("customers/").status_code == 200

    def test_partner_token_reaches_business_resources(self, biz):
        response = biz.get("customers/", headers=biz.partner_headers)
        assert response.status_code == 200
        created = biz.post(
            "customers/", {"external_id": "c", "company_name": "C"}, headers=biz.partner_headers
        )
        assert created.status_code == 201

    def test_bill_payments_refuse_the_partner_token(self, biz):
        for method, path in (
            ("GET", "bills/payments/"),
            ("POST", "bills/payments/"),
            ("GET", "bills/payments/9c0ffee0-0000-4000-8000-000000000000/"),
            ("PATCH", "bills/payments/9c0ffee0-0000-4000-8000-000000000000/"),
            ("POST", "bills/payments/9c0ffee0-0000-4000-8000-000000000000/delete/"),
        ):
            response = biz.http.request(method, biz.url(path), json={}, headers=biz.partner_headers)
            assert error_of(response)[:2] == (403, "permission_denied"), (method, path)
        assert biz.get("bills/payments/").status_code == 200

    def test_business_of_another_partner_is_not_found(self, sandbox, biz):
        with override_settings(
            THRED_SANDBOX={"PARTNERS": {PARTNER_ID: API_KEY, OTHER_PARTNER: "other-key"}}
        ):
            stranger = sandbox.partner_token(OTHER_PARTNER, "other-key")
            for url in (biz.url("customers/"), f"/v1/platform/businesses/{biz.id}/"):
                response = sandbox.http.get(url, headers=bearer(stranger))
                assert error_of(response)[:2] == (404, "business_not_found")
            exchange = sandbox.http.post(
                f"/v1/platform/{biz.id}/oauth2/token/", headers=bearer(stranger)
            )
            assert exchange.status_code == 404
            own = sandbox.create_business(stranger)  # same external_id, other partner
            assert own.status_code == 201 and own.json()["id"] != biz.id

    def test_unknown_and_malformed_business_ids(self, biz):
        for business_id in ("9c0ffee0-0000-4000-8000-000000000000", "xyz"):
            response = biz.http.get(
                f"/v1/platform/businesses/{business_id}/customers/", headers=biz.partner_headers
            )
            assert error_of(response)[:2] == (404, "business_not_found")


@pytest.mark.django_db
def test_unknown_path_and_method(http, partner_token):
    missing = http.get("/v1/platform/nothing-here/", headers=bearer(partner_token))
    assert error_of(missing)[:2] == (404, "not_found")
    wrong = http.delete("/v1/platform/businesses/", headers=bearer(partner_token))
    assert error_of(wrong)[:2] == (405, "method_not_allowed")


@pytest.mark.django_db
def test_unknown_post_path_and_malformed_body(http, partner_token, biz):
    # A POST to an unknown path (e.g. without the trailing slash) gets the JSON 404.
    response = http.post("/v1/platform/businesses", json={}, headers=bearer(partner_token))
    assert error_of(response)[:2] == (404, "not_found")
    malformed = http.post(
        biz.url("customers/"),
        content=b"{not json",
        headers={**biz.headers, "Content-Type": "application/json"},
    )
    assert error_of(malformed)[:2] == (400, "validation_error")
    a_list = http.post(biz.url("customers/"), json=[1, 2], headers=biz.headers)
    assert error_of(a_list)[:2] == (400, "validation_error")
