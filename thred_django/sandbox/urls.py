"""URLs of the sandbox; mount anywhere, e.g. ``path("thred-sandbox/", include(...))``.

Paths below the mount point are exactly the documented ones (``v1/platform/…/`` with
trailing slashes), each served by a generic view of its resource's ``catalog.Kind``,
plus the control endpoint under ``_control/``. Anything else answers a JSON 404.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from thred_django.sandbox import control, readings
from thred_django.sandbox.catalog import KINDS
from thred_django.sandbox.errors import error_body
from thred_django.sandbox.views import tokens
from thred_django.sandbox.views.generic import Action, Collection, Item

app_name = "thred_sandbox"

B = "v1/platform/businesses/<str:business_id>/"

# The documented collection path of each resource. Sub-collections come before their
# parent's item path (invoices/payments/ before invoices/<id>/).
COLLECTIONS = (
    ("business", "v1/platform/businesses/"),
    ("customer", f"{B}customers/"),
    ("vendor", f"{B}vendors/"),
    ("payment", f"{B}invoices/payments/"),
    ("refund_payment", f"{B}invoices/refunds/<str:refund_id>/payments/"),
    ("refund", f"{B}invoices/refunds/"),
    ("invoice", f"{B}invoices/"),
    ("payout", f"{B}payouts/"),
    ("bill_payment", f"{B}bills/payments/"),
    ("bill", f"{B}bills/"),
    ("vendor_credit", f"{B}vendor-credits/"),
)
# An action's path segment where it differs from its name.
SEGMENTS = {"cancel": "delete"}


@csrf_exempt  # a POST to an unknown path must get the JSON 404, not a CSRF page
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body(readings.ERROR_NOT_FOUND, "Not found."), status=404)


def resource_urls() -> list[URLPattern]:
    """Collection, item and action paths of every resource, in COLLECTIONS' order."""
    urls: list[URLPattern] = []
    for name, collection in COLLECTIONS:
        kind = KINDS[name]
        item = f"{collection}<str:object_id>/"
        for action in kind.actions:
            view = Action.serving(kind, action)
            urls.append(
                path(f"{item}{SEGMENTS.get(action, action)}/", view, name=f"{name}-{action}")
            )
        urls.append(path(item, Item.serving(kind), name=name))
        urls.append(path(collection, Collection.serving(kind), name=f"{name}-list"))
    return urls


urlpatterns: list[URLPattern] = [
    path("v1/platform/oauth2/token/", tokens.PartnerTokenView.as_view(), name="token"),
    path(
        "v1/platform/<str:business_id>/oauth2/token/",
        tokens.BusinessTokenView.as_view(),
        name="business-token",
    ),
    *resource_urls(),
    # Control endpoint (404 unless THRED_SANDBOX["CONTROL_ENABLED"])
    path("_control/faults/", control.FaultsControlView.as_view(), name="control-faults"),
    path("_control/reset/", control.ResetControlView.as_view(), name="control-reset"),
    path("_control/summary/", control.SummaryControlView.as_view(), name="control-summary"),
    path("_control/requests/", control.RequestLogControlView.as_view(), name="control-requests"),
    path("_control/tamper/", control.TamperControlView.as_view(), name="control-tamper"),
    re_path(r"^.*$", not_found),
]
