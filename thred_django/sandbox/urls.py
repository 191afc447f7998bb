"""URLs of the sandbox; mount anywhere, e.g. ``path("thred-sandbox/", include(...))``.

Every route is derived from the resource specs (``thred_django.specs``): each documented
operation's path, below the mount point, is served by the generic view of its verb for
its resource's ``catalog.Kind`` (``list``/``create``: ``Collection``; ``get``/``update``:
``Item``; any other verb: ``Action``), the token operations by the token views. The
last path parameter of an item or action path is the object's id (``object_id``); the
others (``business_id``, ``refund_id``) scope it. Where two routes could match one URL,
the one with a literal segment first wins (``invoices/payments/`` before
``invoices/{invoice_id}/``). Plus the control endpoint under ``_control/``; anything else
answers a JSON 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from thred_django import specs
from thred_django.sandbox import control, readings
from thred_django.sandbox.errors import error_body
from thred_django.sandbox.kinds import of
from thred_django.sandbox.views import tokens
from thred_django.sandbox.views.generic import Action, Collection, Item

app_name = "thred_sandbox"

TOKEN_VIEWS: dict[str, Callable[..., Any]] = {
    specs.auth.PARTNER_TOKEN.path: tokens.PartnerTokenView.as_view(),
    specs.auth.BUSINESS_TOKEN.path: tokens.BusinessTokenView.as_view(),
}
_LAST_PARAM = re.compile(r"\{(\w+)\}(?=[^{]*$)")
_PARAM = re.compile(r"\{(\w+)\}")


@csrf_exempt  # a POST to an unknown path must get the JSON 404, not a CSRF page
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body(readings.ERROR_NOT_FOUND, "Not found."), status=404)


def route(template: str, *, names_object: bool = False) -> str:
    """The Django route of a spec path: ``{name}`` -> ``<str:name>``; with
    ``names_object``, the last one is the object's id, ``<str:object_id>``."""
    if names_object:
        template = _LAST_PARAM.sub("<str:object_id>", template)
    return _PARAM.sub(r"<str:\1>", template).lstrip("/")


def _literal_first(text: str) -> tuple[int, ...]:
    return tuple(int(part.startswith("<")) for part in text.split("/"))


def spec_urls() -> list[URLPattern]:
    """One route per documented path, with the view serving its methods."""
    views: dict[str, tuple[Callable[..., Any], str]] = {}
    for spec, verb, op in specs.operations():
        if spec is None:
            views[route(op.path)] = (TOKEN_VIEWS[op.path], op.name)
        elif verb in ("list", "create"):
            views[route(op.path)] = (Collection.serving(of(spec.name)), f"{spec.name}-list")
        elif verb in ("get", "update"):
            views[route(op.path, names_object=True)] = (Item.serving(of(spec.name)), spec.name)
        else:
            view = Action.serving(of(spec.name), verb)
            views[route(op.path, names_object=True)] = (view, f"{spec.name}-{verb}")
    return [
        path(text, *views[text][:1], name=views[text][1])
        for text in sorted(views, key=_literal_first)
    ]


urlpatterns: list[URLPattern] = [
    *spec_urls(),
    # Control endpoint (404 unless THRED_SANDBOX["CONTROL_ENABLED"])
    path("_control/faults/", control.FaultsControlView.as_view(), name="control-faults"),
    path("_control/reset/", control.ResetControlView.as_view(), name="control-reset"),
    path("_control/summary/", control.SummaryControlView.as_view(), name="control-summary"),
    path("_control/requests/", control.RequestLogControlView.as_view(), name="control-requests"),
    path("_control/tamper/", control.TamperControlView.as_view(), name="control-tamper"),
    re_path(r"^.*$", not_found),
]
