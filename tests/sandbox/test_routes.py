"""The sandbox's routes are the specs' operations: each served, nothing else.

``thred_django.sandbox.urls`` derives its routes from ``thred_django.specs``; here every
operation of every spec resolves to a view answering its method, for the right resource,
and every API route of the sandbox is some spec's operation (the control endpoint and
the catch-all 404 aside).
"""

from __future__ import annotations

import re

import pytest
from django.urls import resolve

from thred_django import specs
from thred_django.sandbox import urls
from thred_django.sandbox.views.generic import KindView

ID = "4f6d2c1a-9b8e-4d7c-a6b5-1234567890ab"
PREFIX = "/thred-sandbox"
OPERATIONS = [(spec, verb, op) for spec, verb, op in specs.operations()]


def url_of(path: str) -> str:
    return PREFIX + re.sub(r"\{\w+\}", ID, path)


@pytest.mark.parametrize(
    ("spec", "verb", "op"),
    OPERATIONS,
    ids=[f"{op.method} {op.path}" for _, _, op in OPERATIONS],
)
def test_every_spec_operation_is_served_by_its_resource(spec, verb, op):
    view = resolve(url_of(op.path)).func.view_class
    assert op.method.lower() in view.http_method_names
    assert hasattr(view, op.method.lower())
    if spec is not None:
        assert issubclass(view, KindView)
        assert view.kind.name == spec.name
        if verb not in ("list", "get", "create", "update"):
            assert view.operation == verb


def test_every_api_route_is_a_spec_operation():
    documented = {urls.route(op.path) for _, _, op in OPERATIONS} | {
        urls.route(op.path, names_object=True) for _, _, op in OPERATIONS
    }
    served = {
        str(pattern.pattern)
        for pattern in urls.urlpatterns
        if not str(pattern.pattern).startswith(("_control/", "^"))
    }
    assert served <= documented
    assert len(served) == len({op.path for _, _, op in OPERATIONS})


def test_literal_segments_win_over_ids():
    payments = "/v1/platform/businesses/{business_id}/invoices/payments/"
    assert resolve(url_of(payments)).func.view_class.kind.name == "payment"
    refunds = payments.replace("payments", "refunds")
    assert resolve(url_of(refunds)).func.view_class.kind.name == "refund"


def test_route_names_the_object_by_the_last_parameter():
    path = (
        "/v1/platform/businesses/{business_id}/invoices/refunds/{refund_id}/payments/{payment_id}/"
    )
    assert urls.route(path, names_object=True) == (
        "v1/platform/businesses/<str:business_id>/invoices/refunds/<str:refund_id>/payments/"
        "<str:object_id>/"
    )
    assert urls.route("/v1/platform/{business_id}/oauth2/token/") == (
        "v1/platform/<str:business_id>/oauth2/token/"
    )
