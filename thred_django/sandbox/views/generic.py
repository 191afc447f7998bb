"""The views every resource shares, driven by its ``catalog.Kind``.

* ``Collection`` — GET: the list (the kind's filters, order and pagination); POST: its
  create.
* ``Item`` — GET: one object; PUT or PATCH (whichever the kind has): its update.
* ``Action`` — POST: one named operation (void, cancel, archive, unarchive).

``<View>.serving(kind)`` makes the view of one resource: a subclass whose
``http_method_names`` are the methods the kind has (any other answers 405), whose
request-log names are the kind's. Path parameters: ``business_id`` (business
sub-resources), ``object_id`` and the ids of parents an object lives under
(``refund_id``: refund payments').
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.http import HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django import specs
from thred_django.sandbox import filters, kinds
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.pagination import paginate
from thred_django.sandbox.views.base import SandboxAPIView

NOT_PARENTS = ("business_id", "object_id")


def scope(view: SandboxAPIView, kind: Kind, parents: dict[str, str]) -> Any:
    """The objects a request may see: its business's (its partner's active businesses;
    under a parent's path, that parent's: a refund's payments)."""
    if kind.name == "business":
        return kind.query().filter(partner_id=view.principal.partner_id, is_active=True)
    queryset = kind.query().filter(business=view.business)
    for parent in specs.of(kind.name).parents:
        if f"{parent}_id" in parents:
            manager = kinds.of(parent).model._default_manager
            owner = view.get_owned(manager, parents[f"{parent}_id"], parent)
            queryset = queryset.filter(**{parent: owner})
    return queryset


class KindView(SandboxAPIView):
    kind: Kind = cast(Kind, None)  # set by serving()
    operation = ""  # Action: the kind's action it runs

    @classmethod
    def log_names(cls, kind: Kind, operation: str) -> dict[str, str]:
        """HTTP method -> the request log's action name (the methods served)."""
        raise NotImplementedError

    @classmethod
    def serving(cls, kind: Kind, operation: str = "") -> Callable[..., HttpResponseBase]:
        names = cls.log_names(kind, operation)
        attrs = {
            "kind": kind,
            "operation": operation,
            "resource": kind.name,
            "auth_mode": kind.auth,
            "actions": names,
            "http_method_names": [*names, "options"],
        }
        label = f"{kind.name} {operation}".replace("_", " ").title().replace(" ", "")
        view: type[KindView] = type(f"{label}{cls.__name__}", (cls,), attrs)
        return view.as_view()

    def parents(self) -> dict[str, str]:
        """The path's ids of the parents the object lives under (``refund_id``)."""
        return {key: value for key, value in self.kwargs.items() if key not in NOT_PARENTS}


class Collection(KindView):
    @classmethod
    def log_names(cls, kind: Kind, operation: str) -> dict[str, str]:
        return {"get": "list", "post": kind.create_action} if kind.create else {"get": "list"}

    def get(self, request: Request, **kwargs: Any) -> Response:
        queryset = filters.apply(request, scope(self, self.kind, self.parents()), self.kind.filters)
        return paginate(request, queryset.order_by(*self.kind.order(request)), self.kind.render)

    def post(self, request: Request, **kwargs: Any) -> HttpResponseBase:
        assert self.kind.create is not None
        return self.kind.create(self, *self.parents().values())


class Item(KindView):
    @classmethod
    def log_names(cls, kind: Kind, operation: str) -> dict[str, str]:
        return {"get": "get", kind.update[0]: "update"} if kind.update else {"get": "get"}

    def get(self, request: Request, object_id: str, **kwargs: Any) -> Response:
        if self.kind.get is not None:
            found = self.kind.get(self, object_id)
        else:
            visible = scope(self, self.kind, self.parents())
            found = self.get_owned(visible, object_id, self.kind.name)
        return Response(self.kind.render(found))

    def update(self, request: Request, object_id: str, **kwargs: Any) -> HttpResponseBase:
        assert self.kind.update is not None
        return self.kind.update[1](self, object_id)

    put = patch = update


class Action(KindView):
    @classmethod
    def log_names(cls, kind: Kind, operation: str) -> dict[str, str]:
        return {"post": operation}

    def post(self, request: Request, object_id: str, **kwargs: Any) -> HttpResponseBase:
        return self.kind.actions[self.operation](self, object_id)
