"""Businesses: create (idempotent per partner on external_id), list, get, PATCH.

Partner token only. A create repeat returns the stored business unchanged with 200;
create responses carry ``_meta: {"created": bool}``.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.models import Business
from thred_django.sandbox.pagination import paginate, param, param_bool
from thred_django.sandbox.render import business_json
from thred_django.sandbox.views.base import SandboxAPIView, echo

_COLUMNS = ("legal_name", "entity_type", "email", "accounting_method")


class BusinessListView(SandboxAPIView):
    auth_mode = "partner"
    resource = "business"
    actions = {"get": "list", "post": "create"}

    def get(self, request: Request) -> Response:
        queryset = Business.objects.filter(
            partner_id=self.principal.partner_id, is_active=True
        ).order_by("-created_at", "id")
        if country := param(request, "country"):
            queryset = queryset.filter(country__iexact=country)
        if entity_type := param(request, "entity_type"):
            queryset = queryset.filter(entity_type__iexact=entity_type)
        archived = param_bool(request, "is_archived")
        if archived is not None:
            queryset = queryset.filter(is_archived=archived)
        return paginate(request, queryset, business_json)

    def post(self, request: Request) -> Response:
        data = self.payload()
        cleaned = self.clean("business", "create", data)
        partner_id = self.principal.partner_id

        def existing() -> Business | None:
            return Business.objects.filter(
                partner_id=partner_id, external_id=cleaned["external_id"]
            ).first()

        def build() -> Business:
            return Business.objects.create(
                partner_id=partner_id,
                external_id=cleaned["external_id"],
                country=cleaned["country"],
                base_currency=cleaned["base_currency"],
                data=echo(data, cleaned),
                **{key: cleaned[key] for key in _COLUMNS if key in cleaned},
            )

        business, created = create_once(existing, build)
        self.log.business_id = business.id
        self.log.created = created
        return Response(business_json(business, created=created), status=201 if created else 200)


class BusinessDetailView(SandboxAPIView):
    auth_mode = "partner"
    resource = "business"
    actions = {"get": "get", "patch": "update"}

    def get(self, request: Request, business_id: str) -> Response:
        business = self.load_business(business_id)
        self.log.business_id = business.id
        return Response(business_json(business))

    def patch(self, request: Request, business_id: str) -> Response:
        business = self.load_business(business_id)
        self.log.business_id = business.id
        data = self.payload()
        self.business = business  # gives clean() the country and base currency to check
        cleaned = self.clean("business", "update", data)
        for key in ("country", "base_currency"):
            cleaned.pop(key, None)
        sent = echo(data, cleaned)
        business.data = {**business.data, **sent}
        for key in _COLUMNS:
            if key in cleaned:
                setattr(business, key, cleaned[key])
        business.updated_at = timezone.now()
        business.save()
        return Response(business_json(business))
