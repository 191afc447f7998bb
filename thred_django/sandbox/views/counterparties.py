"""Customers (create, list, get, archive, unarchive) and vendors (create, list, get,
unarchive). Creates are idempotent per business on external_id (repeat: 200, stored
object unchanged)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import readings
from thred_django.sandbox.errors import conflict
from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.models import Customer, Vendor
from thred_django.sandbox.pagination import paginate, param, param_bool
from thred_django.sandbox.render import customer_json, vendor_json
from thred_django.sandbox.views.base import SandboxAPIView, echo

_NAMES = ("individual_name", "company_name", "email")


def _filter_counterparties(request: Request, queryset: QuerySet[Any], archived: Q) -> Any:
    if external_id := param(request, "external_id"):
        queryset = queryset.filter(external_id=external_id)
    if contains := param(request, "external_id_contains"):
        queryset = queryset.filter(external_id__icontains=contains)
    if name := param(request, "name"):
        queryset = queryset.filter(Q(company_name=name) | Q(individual_name=name))
    if name_contains := param(request, "name_contains"):
        queryset = queryset.filter(
            Q(company_name__icontains=name_contains) | Q(individual_name__icontains=name_contains)
        )
    if not param_bool(request, "include_archived"):
        queryset = queryset.exclude(archived)
    return queryset.order_by("-created_at", "id")


class _CounterpartyListView(SandboxAPIView):
    model: type[Customer] | type[Vendor]
    archived_q: Q
    render: Any
    actions = {"get": "list", "post": "create"}

    def get(self, request: Request, business_id: str) -> Response:
        queryset = self.model.objects.filter(business=self.business)
        queryset = _filter_counterparties(request, queryset, self.archived_q)
        return paginate(request, queryset, type(self).render)

    def post(self, request: Request, business_id: str) -> Response:
        data = self.payload()
        cleaned = self.clean(self.resource, "create", data)
        model, business = self.model, self.business

        def existing() -> Any:
            return model.objects.filter(
                business=business, external_id=cleaned["external_id"]
            ).first()

        def build() -> Any:
            fields = {key: cleaned[key] for key in _NAMES if key in cleaned}
            return model.objects.create(
                business=business,
                external_id=cleaned["external_id"],
                data=echo(data, cleaned),
                **fields,
                **({"status": cleaned["status"]} if "status" in cleaned else {}),
            )

        obj, created = create_once(existing, build)
        self.log.created = created
        return Response(type(self).render(obj), status=201 if created else 200)


class CustomerListView(_CounterpartyListView):
    resource = "customer"
    model = Customer
    archived_q = Q(is_archived=True)
    render = staticmethod(customer_json)


class VendorListView(_CounterpartyListView):
    resource = "vendor"
    model = Vendor
    archived_q = Q(status="ARCHIVED")
    render = staticmethod(vendor_json)


class CustomerDetailView(SandboxAPIView):
    resource = "customer"
    actions = {"get": "get"}

    def get(self, request: Request, business_id: str, customer_id: str) -> Response:
        return Response(customer_json(self.get_owned(Customer.objects, customer_id, "customer")))


class CustomerArchiveView(SandboxAPIView):
    resource = "customer"
    actions = {"post": "archive"}
    archive = True

    def post(self, request: Request, business_id: str, customer_id: str) -> Response:
        customer = self.get_owned(Customer.objects, customer_id, "customer")
        self.log.external_id = customer.external_id or ""
        now = timezone.now()
        changes = {"is_archived": self.archive, "archived_at": now if self.archive else None}
        # Compare-and-set, so two concurrent calls cannot both succeed.
        changed = Customer.objects.filter(id=customer.id, is_archived=not self.archive).update(
            updated_at=now, **changes
        )
        if not changed:
            if self.archive:
                raise conflict(
                    readings.ERROR_ALREADY_ARCHIVED.format(resource="customer"),
                    "The customer is already archived.",
                )
            raise conflict(
                readings.ERROR_NOT_ARCHIVED.format(resource="customer"),
                "Only archived customers can be unarchived.",
            )
        customer.refresh_from_db()
        return Response(customer_json(customer))


class CustomerUnarchiveView(CustomerArchiveView):
    actions = {"post": "unarchive"}
    archive = False


class VendorDetailView(SandboxAPIView):
    resource = "vendor"
    actions = {"get": "get"}

    def get(self, request: Request, business_id: str, vendor_id: str) -> Response:
        return Response(vendor_json(self.get_owned(Vendor.objects, vendor_id, "vendor")))


class VendorUnarchiveView(SandboxAPIView):
    resource = "vendor"
    actions = {"post": "unarchive"}

    def post(self, request: Request, business_id: str, vendor_id: str) -> Response:
        vendor = self.get_owned(Vendor.objects, vendor_id, "vendor")
        self.log.external_id = vendor.external_id or ""
        changed = Vendor.objects.filter(id=vendor.id, status="ARCHIVED").update(
            status="ACTIVE", updated_at=timezone.now()
        )
        if not changed:
            raise conflict(
                readings.ERROR_NOT_ARCHIVED.format(resource="vendor"),
                "Only archived vendors can be unarchived.",
            )
        vendor.refresh_from_db()
        return Response(vendor_json(vendor))
