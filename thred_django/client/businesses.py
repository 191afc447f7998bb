"""Business endpoints (partner token)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from thred_django.client.core import ClientCore
from thred_django.client.response import ThredResponse
from thred_django.client.types import (
    Business,
    CreateBusinessRequest,
    Payload,
    UpdateBusinessRequest,
)


class BusinessesMixin(ClientCore):
    def create_business(self, data: Payload[CreateBusinessRequest]) -> ThredResponse[Business]:
        """Create a business; idempotent on ``external_id`` (201 new, 200 existing)."""
        return self._call("create_business", body=data)

    def list_businesses(self, **filters: Any) -> Iterator[Business]:
        """Every active business of the partner (filters: country, entity_type, …)."""
        return self._list("list_businesses", filters)

    def get_business(self, business_id: str) -> ThredResponse[Business]:
        return self._call("get_business", business_id=business_id)

    def update_business(
        self, business_id: str, data: Payload[UpdateBusinessRequest]
    ) -> ThredResponse[Business]:
        """PATCH: partial update (country, base_currency, external_id cannot change)."""
        return self._call("update_business", body=data, business_id=business_id)
