"""The views every resource shares, driven by its ``catalog.Kind``.

* ``Collection`` — GET: the list (the kind's filters, order and pagination); POST: its
  create.
* ``Item`` — GET: one object; PUT or PATCH (whichever the kind has): its update.
* ``Action`` — POST: one named operation (void, cancel, archive, unarchive).

Path parameters: ``business_id`` (business sub-resources), ``refund_id`` (refund
payments' parent) and ``object_id``. A method the kind lacks answers 405.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import filters
from thred_django.sandbox.catalog import Kind, scope
from thred_django.sandbox.pagination import paginate
from thred_django.sandbox.views.base import SandboxAPIView

PARENTS = ("refund_id",)


class KindView(SandboxAPIView):
    kind: Kind = cast(Kind, None)  # given to as_view()
    methods: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.resource = self.kind.name
        self.auth_mode = self.kind.auth
        self.http_method_names = [*self.methods, "options"]

    def parents(self) -> dict[str, str]:
        return {key: self.kwargs[key] for key in PARENTS if key in self.kwargs}


class Collection(KindView):
    def __init__(self, **kwargs: Any) -> None:
        kind: Kind = kwargs["kind"]
        self.methods = ("get", "post") if kind.create else ("get",)
        self.actions = {"get": "list", "post": kind.create_action}
        super().__init__(**kwargs)

    def get(self, request: Request, **kwargs: Any) -> Response:
        queryset = filters.apply(request, scope(self, self.kind, self.parents()), self.kind.filters)
        return paginate(request, queryset.order_by(*self.kind.order(request)), self.kind.render)

    def post(self, request: Request, **kwargs: Any) -> HttpResponseBase:
        assert self.kind.create is not None
        return self.kind.create(self, *self.parents().values())


class Item(KindView):
    def __init__(self, **kwargs: Any) -> None:
        kind: Kind = kwargs["kind"]
        verb = kind.update[0] if kind.update else ""
        self.methods = ("get", verb) if verb else ("get",)
        self.actions = {"get": "get", verb: "update"} if verb else {"get": "get"}
        super().__init__(**kwargs)

    def get(self, request: Request, object_id: str, **kwargs: Any) -> Response:
        if self.kind.get is not None:
            found = self.kind.get(self, object_id)
        else:
            found = self.get_owned(
                scope(self, self.kind, self.parents()), object_id, self.kind.name
            )
        if self.kind.name == "business":
            self.log.business_id = found.id
        return Response(self.kind.render(found))

    def update(self, request: Request, object_id: str, **kwargs: Any) -> HttpResponseBase:
        assert self.kind.update is not None
        return self.kind.update[1](self, object_id)

    put = patch = update


class Action(KindView):
    action: str = ""
    methods = ("post",)

    def __init__(self, **kwargs: Any) -> None:
        self.actions = {"post": kwargs["action"]}
        super().__init__(**kwargs)

    def post(self, request: Request, object_id: str, **kwargs: Any) -> HttpResponseBase:
        return self.kind.actions[self.action](self, object_id)
