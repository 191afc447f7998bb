"""Customers and vendors: create (idempotent on external_id), archive and unarchive,
and the list filters both have.

Customers can be archived and unarchived; vendors only unarchived (the docs have no
vendor archive): each kind module configures an ``Archiving`` per direction. Both are
compare-and-set updates, so two concurrent calls cannot both succeed: the loser gets
the 409 saying the object is already in that state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import filters as f
from thred_django.sandbox.errors import conflict
from thred_django.sandbox.rows import insert
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common

_COLUMNS = ("individual_name", "company_name", "email", "status")
NOW = object()  # in Archiving.after: the time of the call
Render = Callable[[Any], dict[str, Any]]


def create(resource: str, model: type[Model], render: Render, v: SandboxAPIView) -> Response:
    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> Any:
        party = model(
            business=v.business,
            external_id=cleaned["external_id"],
            data=echo(data, cleaned),
            **{key: cleaned[key] for key in _COLUMNS if key in cleaned},
        )
        return insert([party])[0]

    manager = model._default_manager
    return common.create(v, resource, manager.all, build, render, built=render, one_write=True)


@dataclass(frozen=True)
class Archiving:
    """One direction of one resource's archive state, as columns before and after."""

    resource: str
    model: type[Model]
    render: Render
    before: dict[str, Any]  # the state the call needs
    after: dict[str, Any]  # the state it leaves
    code: str
    message: str

    def __call__(self, v: SandboxAPIView, object_id: str) -> Response:
        manager = self.model._default_manager
        obj = v.get_owned(manager, object_id, self.resource)
        v.log.external_id = obj.external_id or ""
        now = timezone.now()
        changes = {key: now if value is NOW else value for key, value in self.after.items()}
        changed = manager.filter(id=obj.id, **self.before).update(updated_at=now, **changes)
        if not changed:
            raise conflict(self.code, self.message)
        obj.refresh_from_db()
        return Response(self.render(obj))


def _archived(archived: dict[str, Any]) -> f.Filter:
    """Archived counterparties only with ``include_archived=true``."""

    def narrow(queryset: Any, include: bool) -> Any:
        return queryset if include else queryset.exclude(**archived)

    return f.flag("include_archived", narrow, default=False)


def filters(archived: dict[str, Any]) -> tuple[f.Filter, ...]:
    """The list filters of customers and vendors (``archived``: an archived one's
    column values)."""
    return (
        f.exact("external_id"),
        f.contains("external_id_contains", "external_id"),
        f.any_of("name", ("company_name", "individual_name"), suffix=""),
        f.any_of("name_contains", ("company_name", "individual_name")),
        _archived(archived),
    )
