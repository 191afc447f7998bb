"""The base view of every sandbox API endpoint.

``SandboxAPIView`` is a DRF ``APIView`` that ignores the host project's
``REST_FRAMEWORK`` defaults (no session auth, throttles, browsable API, pagination or
exception handler of the host leak in) and adds, in order:

1. fault injection (``faults.plan_request``; one database read) — unless
   ``apply_faults`` is False (control endpoints);
2. authentication per ``auth_mode`` (``auth.authenticate``; no database read);
3. for business sub-resources, loading the path's business with one indexed query:
   404 ``business_not_found`` when unknown or owned by another partner;
4. the request log (``requestlog.record``) once the response is known.

Views fill ``self.log`` (action, external_id, created …) as they go.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from django.db.models import Manager, Model, QuerySet
from django.http import HttpRequest, HttpResponseBase, QueryDict
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from thred_django.sandbox import faults, requestlog, rows
from thred_django.sandbox.auth import Principal, authenticate, peek_partner
from thred_django.sandbox.errors import (
    SandboxError,
    exception_handler,
    json_error,
    not_found,
    validation_failed,
)
from thred_django.sandbox.schemas import text_problem, validate
from thred_django.sandbox.tables import Business


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Always answer JSON, whatever the Accept header says (no 406)."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        renderer = renderers[0]
        return renderer, renderer.media_type


def parse_uuid(value: str | None) -> str | None:
    """The canonical form of a path id, or None when it is not a UUID."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def check_query(request: Request) -> None:
    """400 ``validation_error`` for a query parameter no database could compare with."""
    errors: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        problem = text_problem(name) or next(filter(None, map(text_problem, values)), None)
        if problem:
            errors.setdefault(name if not text_problem(name) else "<query>", []).append(problem)
    if errors:
        raise validation_failed(errors)


_BUSINESS_MODES = ("business", "business_only")  # the path names a business to load


class SandboxAPIView(APIView):
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()
    renderer_classes = (JSONRenderer,)
    parser_classes = (JSONParser, FormParser, MultiPartParser)
    content_negotiation_class = JSONOnlyNegotiation
    versioning_class = None
    metadata_class = None

    auth_mode: str = "business"  # see thred_django.sandbox.auth
    resource: str = ""
    actions: Mapping[str, str] = MappingProxyType({})  # HTTP method -> action name (log)
    apply_faults: ClassVar[bool] = True

    principal: Principal
    business: Business

    def get_exception_handler(self) -> Any:
        return exception_handler

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        started = time.perf_counter()
        method = (request.method or "GET").lower()
        self.log = requestlog.LogEntry(
            resource=self.resource, action=self.actions.get(method, method)
        )
        plan = self._plan(request, kwargs) if self.apply_faults else faults.NO_FAULTS
        self.log.fault = plan.name
        if plan.latency:
            # A remote API's round trip, before any work: no transaction or lock is held
            # (the fault read above is a single autocommit query), so calls overlap.
            time.sleep(plan.latency)
        response: HttpResponseBase
        if plan.refuse == "error_500":
            response = json_error(500, "server_error", "Internal server error (injected fault).")
        elif plan.refuse == "rate_limit":
            response = json_error(
                429,
                "rate_limited",
                "Too many requests (injected fault).",
                Retry_After=str(plan.retry_after_seconds),
            )
        else:
            if plan.slow_seconds:
                time.sleep(plan.slow_seconds)
            response = super().dispatch(request, *args, **kwargs)
            if plan.lose_response:
                response.close()
                response = json_error(
                    500, "server_error", "Internal server error (injected fault, after commit)."
                )
        if plan.name:
            response["X-Sandbox-Fault"] = plan.name
        self._record(request, response, started)
        return response

    def _plan(self, request: HttpRequest, kwargs: dict[str, Any]) -> faults.FaultPlan:
        """The request's faults; for a business sub-resource whose credentials name a
        partner, that partner's business of the path too, read with them (one statement
        on PostgreSQL) and kept for ``load_business`` (which checks it is the
        authenticated partner's). Read before the latency's wait: the request sees the
        business as it was when it arrived."""
        partner = peek_partner(request)
        business_id = kwargs.get("business_id")
        canonical = parse_uuid(business_id) if business_id is not None else None
        if partner is None or canonical is None or self.auth_mode not in _BUSINESS_MODES:
            return faults.plan_request(partner)
        plan, business = faults.plan_and_business(partner, canonical)
        self._read = (partner, canonical, business)
        return plan

    def _record(self, request: HttpRequest, response: HttpResponseBase, started: float) -> None:
        if not self.log.error_code and response.status_code >= 400:
            data = getattr(response, "data", None)
            if isinstance(data, dict):
                self.log.error_code = str(data.get("error_code", ""))
            elif response.status_code == 500:
                self.log.error_code = "server_error"
            elif response.status_code == 429:
                self.log.error_code = "rate_limited"
        principal = getattr(self, "principal", None)
        self.log.partner_id = principal.partner_id if principal else ""
        duration_ms = (time.perf_counter() - started) * 1000
        requestlog.record(
            request.method or "", request.path, response.status_code, self.log, duration_ms
        )

    def perform_authentication(self, request: Request) -> None:
        self.principal = authenticate(request, self.auth_mode, self.kwargs.get("business_id"))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_query(request)
        if self.auth_mode in _BUSINESS_MODES:
            self.business = self.load_business(kwargs["business_id"])
            self.log.business_id = self.business.id

    def load_business(self, business_id: str) -> Business:
        """The principal's partner's business with this id, else 404."""
        canonical = parse_uuid(business_id)
        partner = self.principal.partner_id
        read = getattr(self, "_read", None)
        if read is not None and read[:2] == (partner, canonical):
            business = read[2]  # read with the fault settings (``_plan``)
        else:
            business = owned_business(canonical, partner) if canonical else None
        if business is None:
            raise not_found("business")
        return business

    # --- helpers for subclasses ------------------------------------------------------

    def require_body(self) -> None:
        """400 when the request has no body (operations whose body the docs require)."""
        if not int(self.request.META.get("CONTENT_LENGTH") or 0):
            raise validation_failed({"non_field_errors": ["A request body is required."]})
        if isinstance(self.request.data, QueryDict) and not self.request.data:
            # A form or multipart body with no field in it (malformed): nothing to apply.
            raise validation_failed({"non_field_errors": ["The form body has no fields."]})

    def payload(self) -> dict[str, Any]:
        """The request body as a dict (JSON object, form or multipart fields)."""
        data = self.request.data
        if isinstance(data, QueryDict):
            # Form fields are flat: a nested field ("document[url]", "metadata.k") has no
            # documented form encoding, so it is refused rather than silently dropped.
            nested = [key for key in data if "[" in key or "." in key]
            if nested:
                raise validation_failed(
                    {
                        key: ["Nested fields cannot be sent as form fields: send JSON."]
                        for key in nested
                    }
                )
            return data.dict()
        if not isinstance(data, dict):
            raise validation_failed({"non_field_errors": ["Expected a JSON object."]})
        return data

    def clean(self, resource: str, action: str, data: dict[str, Any]) -> dict[str, Any]:
        """Coerced values of a valid body; 400 ``validation_error`` otherwise."""
        business = getattr(self, "business", None)
        errors, cleaned = validate(
            resource,
            action,
            data,
            base_currency=business.base_currency if business else None,
            country=business.country if business else None,
        )
        if errors:
            raise validation_failed(errors)
        if isinstance(cleaned.get("external_id"), str):
            self.log.external_id = cleaned["external_id"]
        return cleaned

    def get_owned(self, source: QuerySet[Any] | Manager[Any], object_id: str, resource: str) -> Any:
        """The object of this business with this id, else 404 ``<resource>_not_found``."""
        canonical = parse_uuid(object_id)
        obj: Model | None = None
        if canonical and type(source) is Manager:  # a plain manager: all rows
            found = rows.find(source.model, business=self.business, id=canonical)
            obj = found[0] if found else None
        elif canonical:
            obj = source.filter(business=self.business, id=canonical).first()
        if obj is None:
            raise not_found(resource)
        return obj


def owned_business(business_id: str, partner_id: str) -> Business | None:
    """The business with this (canonical) id if ``partner_id`` owns it: what
    ``Business.objects.filter(id=…, partner_id=…).first()`` returns, through a
    statement built once (``rows.find``), as every business sub-resource request
    loads its business: the queryset's compilation costs more than the query."""
    found = rows.find(Business, id=business_id, partner_id=partner_id)
    return found[0] if found else None


def echo(data: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """The documented fields of a body as sent (unknown keys dropped), for ``data``."""
    return {key: data[key] for key in cleaned if key in data}


__all__ = ["SandboxAPIView", "SandboxError", "echo", "parse_uuid"]
