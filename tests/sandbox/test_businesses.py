"""Businesses: create (idempotent), list with filters, get, PATCH."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import bearer, error_of


@pytest.mark.django_db
class TestCreate:
    def test_create_then_idempotent_repeat(self, sandbox, partner_token):
        first = sandbox.create_business(partner_token, phone_number="+441234", metadata={"a": 1})
        assert first.status_code == 201
        body = first.json()
        assert body["_meta"] == {"created": True}
        assert body["external_id"] == "tenant-1"
        assert body["name"] == body["legal_name"] == "Acme Coffee Ltd"
        assert (body["country"], body["base_currency"]) == ("GB", "GBP")
        assert body["accounting_method"] == "accrual"
        assert body["phone_number"] == "+441234" and body["metadata"] == {"a": 1}
        assert body["id"] == body["id"].lower()

        again = sandbox.create_business(partner_token, legal_name="Renamed Ltd")
        assert again.status_code == 200
        assert again.json()["_meta"] == {"created": False}
        assert again.json()["id"] == body["id"]
        assert again.json()["legal_name"] == "Acme Coffee Ltd"  # returned, not updated

    def test_required_fields(self, sandbox, partner_token):
        response = sandbox.http.post(
            "/v1/platform/businesses/", json={}, headers=bearer(partner_token)
        )
        status, code, details = error_of(response)
        assert (status, code) == (400, "validation_error")
        assert set(details) == {
            "external_id",
            "legal_name",
            "entity_type",
            "email",
            "country",
            "base_currency",
        }

    @pytest.mark.parametrize(
        ("fields", "bad_field"),
        [
            ({"entity_type": "gmbh"}, "entity_type"),  # not a GB code
            ({"country": "DE", "entity_type": "limited"}, "entity_type"),
            ({"email": "not-an-email"}, "email"),
            ({"base_currency": "JPY"}, "base_currency"),
            ({"country": "US"}, "country"),
            ({"vat_number": "X" * 21}, "vat_number"),
            ({"accounting_method": "modified"}, "accounting_method"),
            ({"fiscal_year_end": "31/03/2025"}, "fiscal_year_end"),
        ],
    )
    def test_field_errors(self, sandbox, partner_token, fields, bad_field):
        status, code, details = error_of(sandbox.create_business(partner_token, **fields))
        assert (status, code) == (400, "validation_error")
        assert bad_field in details

    def test_entity_type_message_lists_the_valid_codes(self, sandbox, partner_token):
        details = error_of(sandbox.create_business(partner_token, entity_type="gmbh"))[2]
        assert "sole_trader" in details["entity_type"][0]

    def test_entity_type_free_for_unvalidated_countries(self, sandbox, partner_token):
        response = sandbox.create_business(
            partner_token, country="FR", base_currency="EUR", entity_type="sarl"
        )
        assert response.status_code == 201

    def test_form_encoded_body(self, sandbox, partner_token):
        response = sandbox.http.post(
            "/v1/platform/businesses/",
            data={
                "external_id": "form-1",
                "legal_name": "Form Ltd",
                "entity_type": "gmbh",
                "email": "a@b.example",
                "country": "DE",
                "base_currency": "EUR",
            },
            headers=bearer(partner_token),
        )
        assert response.status_code == 201, response.text


@pytest.mark.django_db
class TestReadAndUpdate:
    def test_list_filters(self, sandbox, partner_token):
        sandbox.create_business(partner_token, external_id="gb-1")
        sandbox.create_business(
            partner_token, external_id="de-1", country="DE", entity_type="gmbh", base_currency="EUR"
        )
        url = "/v1/platform/businesses/"
        headers = bearer(partner_token)
        everything = sandbox.http.get(url, headers=headers).json()
        assert everything["count"] == 2
        german = sandbox.http.get(url, params={"country": "de"}, headers=headers).json()
        assert [b["external_id"] for b in german["results"]] == ["de-1"]
        gmbh = sandbox.http.get(url, params={"entity_type": "GMBH"}, headers=headers).json()
        assert gmbh["count"] == 1
        archived = sandbox.http.get(url, params={"is_archived": "true"}, headers=headers).json()
        assert archived["count"] == 0

    def test_get(self, biz, http):
        response = http.get(f"/v1/platform/businesses/{biz.id}/", headers=biz.partner_headers)
        assert response.status_code == 200
        assert response.json()["id"] == biz.id
        assert "_meta" not in response.json()

    def test_patch_updates_and_revalidates(self, biz, http):
        url = f"/v1/platform/businesses/{biz.id}/"
        ok = http.patch(
            url,
            json={"legal_name": "Acme Roasters Ltd", "entity_type": "plc"},
            headers=biz.partner_headers,
        )
        assert ok.status_code == 200
        assert ok.json()["legal_name"] == "Acme Roasters Ltd"
        assert ok.json()["entity_type"] == "plc"
        assert http.get(url, headers=biz.partner_headers).json()["entity_type"] == "plc"

        bad = http.patch(url, json={"entity_type": "gmbh"}, headers=biz.partner_headers)
        assert "entity_type" in error_of(bad)[2]
        moved = http.patch(url, json={"country": "DE"}, headers=biz.partner_headers)
        assert "country" in error_of(moved)[2]
        same = http.patch(
            url, json={"country": "GB", "email": "x@y.example"}, headers=biz.partner_headers
        )
        assert same.status_code == 200 and same.json()["email"] == "x@y.example"
