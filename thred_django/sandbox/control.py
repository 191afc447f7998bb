"""The control endpoint under ``_control/`` (faults, reset, summary, request log).

It exists only while ``THRED_SANDBOX["CONTROL_ENABLED"]`` is True — checked on every
request, so ``override_settings`` works — and answers 404 otherwise. It needs the
partner's HTTP Basic credentials, gets no injected faults and is not request-logged.

Everything is scoped to the calling partner: with several ``PARTNERS`` one can neither
read another's request log nor change its faults nor wipe its data.

* ``GET    _control/faults/``   — the fault settings applied to the caller's requests and
  their source (``partner``, ``database`` or ``settings``);
* ``PUT    _control/faults/``   — change some of the caller's settings (``PATCH`` too),
  e.g. ``{"error_500_rate": 0.2, "seed": 7}`` or ``{"latency": 0.1}`` (seconds per
  response);
* ``DELETE _control/faults/``   — drop the caller's changes (the shared settings apply);
* ``POST   _control/reset/``    — wipe the caller's businesses (and everything in them),
  its request log and fault settings;
* ``GET    _control/summary/``  — ``partner_summary`` of the calling partner, or with
  ``?business=<id or external_id>`` that business's ``business_summary``;
* ``GET    _control/requests/`` — the caller's request log, newest first, paginated; filters
  ``business_id``, ``resource``, ``action``, ``status``;
* ``POST   _control/tamper/``   — delete or alter one object of the calling partner, as
  if someone did it in Thred (``tamper``), e.g. ``{"business": <id or external_id>,
  "resource": "invoice", "external_id": "…", "action": "alter", "changes": {…}}``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.conf import sandbox_settings
from thred_django.sandbox import faults, filters, readings
from thred_django.sandbox.errors import SandboxError, json_error, validation_failed
from thred_django.sandbox.pagination import paginate, param, param_int
from thred_django.sandbox.requestlog import log_json
from thred_django.sandbox.reset import reset_sandbox
from thred_django.sandbox.summary import business_summary, partner_summary
from thred_django.sandbox.tables import FaultConfig, PartnerFaultConfig, RequestLog
from thred_django.sandbox.tamper import TamperError, tamper
from thred_django.sandbox.views.base import SandboxAPIView


class ControlView(SandboxAPIView):
    auth_mode = "basic"
    resource = "_control"
    apply_faults = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not sandbox_settings.CONTROL_ENABLED:
            return json_error(404, readings.ERROR_NOT_FOUND, "Not found.")
        # Skip SandboxAPIView.dispatch: no faults and no request log here.
        return super(SandboxAPIView, self).dispatch(request, *args, **kwargs)


def _faults_body(partner_id: str) -> dict[str, Any]:
    if PartnerFaultConfig.objects.filter(pk=partner_id).exists():
        source = "partner"
    elif FaultConfig.objects.filter(pk=1).exists():
        source = "database"
    else:
        source = "settings"
    return {"faults": faults.current_faults(partner_id).as_dict(), "source": source}


class FaultsControlView(ControlView):
    """The calling partner's fault settings: a change never reaches another partner."""

    def get(self, request: Request) -> Response:
        return Response(_faults_body(self.principal.partner_id))

    def put(self, request: Request) -> Response:
        try:
            faults.set_partner_faults(self.principal.partner_id, **self.payload())
        except (TypeError, ValueError) as exc:
            raise validation_failed({"non_field_errors": [str(exc)]}) from None
        return Response(_faults_body(self.principal.partner_id))

    patch = put

    def delete(self, request: Request) -> Response:
        faults.reset_partner_faults(self.principal.partner_id)
        return Response(_faults_body(self.principal.partner_id))


class ResetControlView(ControlView):
    """Wipes the calling partner's businesses, request log and fault settings only."""

    def post(self, request: Request) -> Response:
        return Response({"deleted": reset_sandbox(partner_id=self.principal.partner_id)})


class SummaryControlView(ControlView):
    def get(self, request: Request) -> Response:
        partner_id = self.principal.partner_id
        if business := param(request, "business"):
            try:
                return Response(business_summary(business, partner_id=partner_id))
            except LookupError as exc:
                raise SandboxError(404, "business_not_found", str(exc)) from None
        return Response(partner_summary(partner_id))


LOG_FILTERS = (
    filters.ids("business_id"),
    filters.exact("resource"),
    filters.exact("action"),
    filters.Filter("status", param_int, lambda queryset, value: queryset.filter(status=value)),
)


class RequestLogControlView(ControlView):
    def get(self, request: Request) -> Response:
        queryset = RequestLog.objects.filter(partner_id=self.principal.partner_id).order_by("-id")
        return paginate(request, filters.apply(request, queryset, LOG_FILTERS), log_json)


class TamperControlView(ControlView):
    def post(self, request: Request) -> Response:
        body = self.payload()
        try:
            done = tamper(
                self.principal.partner_id,
                str(body.get("business", "")),
                str(body.get("resource", "")),
                str(body.get("external_id", "")),
                str(body.get("action", "")),
                body.get("changes"),
            )
        except TamperError as exc:
            raise validation_failed({exc.field: [str(exc)]}) from None
        except LookupError as exc:
            raise SandboxError(404, readings.ERROR_NOT_FOUND, str(exc)) from None
        return Response(done)
