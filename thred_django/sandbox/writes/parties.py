"""Customers and vendors: create (idempotent on external_id), archive and unarchive.

Customers can be archived and unarchived; vendors only unarchived (the docs have no
vendor archive). Both are compare-and-set updates, so two concurrent calls cannot both
succeed: the loser gets the 409 saying the object is already in that state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import models as m
from thred_django.sandbox import readings
from thred_django.sandbox import render as r
from thred_django.sandbox.errors import conflict
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common

_COLUMNS = ("individual_name", "company_name", "email", "status")
NOW = object()  # in Archiving.after: the time of the call


def create(resource: str, model: type[m.Customer] | type[m.Vendor], v: SandboxAPIView) -> Response:
    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> Any:
        return model.objects.create(
            business=v.business,
            external_id=cleaned["external_id"],
            data=echo(data, cleaned),
            **{key: cleaned[key] for key in _COLUMNS if key in cleaned},
        )

    return common.create(v, resource, model.objects.all, build, r.RENDER[resource])


@dataclass(frozen=True)
class Archiving:
    """One direction of one resource's archive state, as columns before and after."""

    resource: str
    model: type[m.Customer] | type[m.Vendor]
    before: dict[str, Any]  # the state the call needs
    after: dict[str, Any]  # the state it leaves
    code: str
    message: str

    def __call__(self, v: SandboxAPIView, object_id: str) -> Response:
        obj = v.get_owned(self.model.objects, object_id, self.resource)
        v.log.external_id = obj.external_id or ""
        now = timezone.now()
        changes = {key: now if value is NOW else value for key, value in self.after.items()}
        changed = self.model.objects.filter(id=obj.id, **self.before).update(
            updated_at=now, **changes
        )
        if not changed:
            raise conflict(self.code, self.message)
        obj.refresh_from_db()
        return Response(r.RENDER[self.resource](obj))


ARCHIVE_CUSTOMER = Archiving(
    "customer",
    m.Customer,
    {"is_archived": False},
    {"is_archived": True, "archived_at": NOW},
    readings.ERROR_ALREADY_ARCHIVED.format(resource="customer"),
    "The customer is already archived.",
)
UNARCHIVE_CUSTOMER = Archiving(
    "customer",
    m.Customer,
    {"is_archived": True},
    {"is_archived": False, "archived_at": None},
    readings.ERROR_NOT_ARCHIVED.format(resource="customer"),
    "Only archived customers can be unarchived.",
)
UNARCHIVE_VENDOR = Archiving(
    "vendor",
    m.Vendor,
    {"status": "ARCHIVED"},
    {"status": "ACTIVE"},
    readings.ERROR_NOT_ARCHIVED.format(resource="vendor"),
    "Only archived vendors can be unarchived.",
)
