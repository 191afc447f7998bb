"""Nested shapes shared by receivables and payables bodies (accounts, sales taxes)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from thred_django.client import gaps
from thred_django.client.validation.fields import _NULL, CanonicalUUIDField, _cents


class AccountIdentifier(serializers.Serializer):
    id = CanonicalUUIDField()
    type = serializers.ChoiceField(choices=gaps.ACCOUNT_IDENTIFIER_TYPES)


def _account() -> Any:
    return AccountIdentifier(required=False, allow_null=_NULL)


class SalesTax(serializers.Serializer):
    amount = _cents(required=True, min_value=0)
    tax_account = _account()
    discount_amount = _cents(min_value=0)
