"""Business bodies (create, PATCH update) and their rules (entity type, immutables)."""

from __future__ import annotations

from functools import partial

from rest_framework import serializers

from thred_django import specs
from thred_django.client import gaps
from thred_django.client.validation.fields import (
    _NULL,
    StrictCharField,
    _choice,
    _date,
    _dict,
    _email,
    _listed_required,
    _text,
)
from thred_django.client.validation.registry import register
from thred_django.client.validation.rules import _Rules

_business_field = partial(_listed_required, gaps.BUSINESS_REQUIRED_FIELDS)


class BusinessCreate(serializers.Serializer):
    external_id = _business_field("external_id", _text)
    legal_name = _business_field("legal_name", _text)
    entity_type = _business_field("entity_type", _text)
    email = _business_field("email", _email)
    phone_number = _text()
    tin = _text()
    vat_number = _text(20)
    company_number = _text(20)
    country = _business_field("country", _choice, gaps.SUPPORTED_COUNTRIES)
    province = _text(100)
    eu_nace_industry_code = _text(10)
    base_currency = _business_field("base_currency", _choice, gaps.BASE_CURRENCIES)
    accounting_method = _choice(("cash", "accrual"))
    fiscal_year_end = _date()
    metadata = _dict()
    coa_language = _text(10)


class BusinessUpdate(serializers.Serializer):
    legal_name = StrictCharField(max_length=255, required=False, allow_null=_NULL)
    entity_type = StrictCharField(max_length=255, required=False, allow_null=_NULL)
    phone_number = _text()
    tin = _text()
    vat_number = _text(20)
    company_number = _text(20)
    province = _text(100)
    eu_nace_industry_code = _text(10)
    email = _email()
    accounting_method = _choice(("cash", "accrual"))
    fiscal_year_end = _date()
    metadata = _dict()
    # Read-only in Thred; declared so a changed value can be refused (its spec says so).
    country = _choice(gaps.SUPPORTED_COUNTRIES)
    base_currency = _choice(gaps.BASE_CURRENCIES)


def _rules_business_create(r: _Rules) -> None:
    r.entity_type(r.data.get("country"))


def _rules_business_update(r: _Rules) -> None:
    r.entity_type(r.country)
    for field, current in (("country", r.country), ("base_currency", r.base_currency)):
        value = r.data.get(field)
        refused = field in specs.of("business").refused_when_changed
        if refused and value and current and value != current:
            r.add(field, f"Cannot be changed (the business has {current}).")


register("business", "create", BusinessCreate, _rules_business_create)
register("business", "update", BusinessUpdate, _rules_business_update)
