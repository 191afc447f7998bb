"""List filters: the outbox by business, and host objects by their sync state.

* ``BusinessFilter`` filters SyncRecords by ``tenant_id``; its labels are the
  businesses' external ids (one query, ``status.business_names()``).
* ``SyncStateFilter`` filters a host model's change list by the state of the objects'
  SyncRecords (``pk IN (object_id of records of this content type in that state)``),
  with "Not marked" for objects that have no record at all. The subquery casts
  ``object_id`` (text) to the host primary key's type, so it also runs on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest

from thred_django.admin.badges import NOT_MARKED
from thred_django.engine import status
from thred_django.models import SyncRecord
from thred_django.resources import State


class HostModelFilter(admin.RelatedOnlyFieldListFilter):
    """The content type filter, titled for what it is: the host model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "host model"


class BusinessFilter(admin.SimpleListFilter):
    title = "business"
    parameter_name = "business"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = status.business_names()
        return sorted(names.items(), key=lambda item: item[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(tenant_id=value) if value is not None else queryset


def _pk_field(model: type[models.Model]) -> models.Field[Any, Any]:
    field = model._meta.pk
    assert field is not None
    while isinstance(field, models.ForeignKey):  # multi-table inheritance: the parent link's
        field = field.target_field  # target (OneToOneField is a ForeignKey)
    return field


def record_ids(model: type[models.Model], **filters: Any) -> QuerySet[Any]:
    """Subquery of host primary keys (typed like the pk) that have matching records."""
    ct = ContentType.objects.get_for_model(model)
    return (
        SyncRecord.objects.filter(content_type=ct, **filters)
        .annotate(host_pk=Cast("object_id", output_field=_pk_field(model)))
        .values("host_pk")
    )


class SyncStateFilter(admin.SimpleListFilter):
    title = "Thred sync"
    parameter_name = "thred_state"

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        self.host_model = model
        super().__init__(request, params, model, model_admin)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*State.choices, (NOT_MARKED, "Not marked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        if value == NOT_MARKED:
            return queryset.exclude(pk__in=record_ids(self.host_model))
        return queryset.filter(pk__in=record_ids(self.host_model, state=value))
