# Run inside the tenants project (manage.py shell -c): a hypothesis property. Random
# saves spread over the tenant schemas (primary keys collide: every schema numbers its
# rows from 1), pushed by a random entry point (the sweep, a push task per schema, or
# thred_sync); then every request the tap saw went, with a token of that business, to the
# business of the schema that sent it, every object the sandbox holds sits in the business
# of the schema its record lives in, and every record is synced once. Each example runs in
# a transaction rolled back at its end (the in-process sandbox shares the connection).
# Prints {"examples": n, "requests": n} after the property held for every example.
import io
import json
import os
import re
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django_tenants.utils import schema_context, tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tenants.project import tap
from tests.tenants.project.customers.models import Client
from tests.tenants.project.shop.models import Customer, Invoice, Payment
from thred_django import tasks
from thred_django.models import SyncRecord
from thred_django.sandbox import models as sb

SCHEMAS = list(
    Client.objects.exclude(schema_name="public")
    .order_by("schema_name")
    .values_list("schema_name", flat=True)
)
UNDER_BUSINESS = re.compile(r"/v1/platform/businesses/([^/]+)/(.+)$")
SANDBOX = {"customer": sb.Customer, "invoice": sb.Invoice, "payment": sb.Payment}
stats = {"examples": 0, "requests": 0}

save = st.tuples(
    st.integers(0, len(SCHEMAS) - 1),
    st.sampled_from(["customer", "invoice", "payment", "edit"]),
    st.integers(1, 99_999),
    st.booleans(),  # saved under tenant_context (a real tenant, as the middleware sets)
)
TENANTS = {t.schema_name: t for t in Client.objects.filter(schema_name__in=SCHEMAS)}


def apply(saves):
    """The saves, each in its schema (a payment pays an unpaid invoice in full)."""
    for index, kind, cents, real_tenant in saves:
        schema = SCHEMAS[index]
        context = tenant_context(TENANTS[schema]) if real_tenant else schema_context(schema)
        with context:
            customer = Customer.objects.order_by("?").first()
            invoice = Invoice.objects.order_by("?").first()
            unpaid = Invoice.objects.filter(payments=None).order_by("?").first()
            if kind == "customer" or customer is None:
                Customer.objects.create(name=f"Customer {cents}")
            elif kind == "invoice" or invoice is None:
                amount = Decimal(cents) / 100
                Invoice.objects.create(customer=customer, number=f"N{cents}", amount=amount)
            elif kind == "payment" and unpaid is not None:
                Payment.objects.create(invoice=unpaid, amount=unpaid.amount)
            else:
                invoice.number = f"E{cents}"
                invoice.save()  # an edit: an update of the same Thred invoice


def check(first_request):
    businesses = {}  # schema -> business thred id
    for schema in SCHEMAS:
        with schema_context(schema):
            records = list(SyncRecord.objects.all())
            assert records, schema
            for record in records:
                assert record.state == "synced", (schema, record, record.last_error_message)
                assert record.external_id.startswith(f"{schema}:"), (schema, record.external_id)
            [business] = [r for r in records if r.resource == "business"]
            businesses[schema] = business.thred_id
            expected = {
                "customer": Customer.objects.count(),
                "invoice": Invoice.objects.count(),
                "payment": Payment.objects.count(),
            }
            for record in records:
                if record.resource in SANDBOX:
                    held = SANDBOX[record.resource].objects.get(id=record.thred_id)
                    assert str(held.business_id) == business.thred_id, (schema, record)
        with schema_context("public"):
            for resource, model in SANDBOX.items():
                held = model.objects.filter(business_id=businesses[schema])
                assert held.count() == expected[resource], (schema, resource)
                for external_id in held.values_list("external_id", flat=True):
                    assert external_id.startswith(f"{schema}:"), (schema, external_id)
    assert len(set(businesses.values())) == len(SCHEMAS)
    requests = tap.REQUESTS[first_request:]
    assert requests
    for note in requests:
        schema = note["schema"]
        assert schema in businesses, note  # every call was made from a tenant schema
        match = UNDER_BUSINESS.search(note["path"])
        if match:
            assert match.group(1) == businesses[schema], note
            assert note["token_business"] == businesses[schema], note
        if note["external_id"]:
            assert note["external_id"].startswith(f"{schema}:"), note
    stats["requests"] += len(requests)


def payments_total(schema):
    with schema_context(schema):
        return sum(int(p.amount * 100) for p in Payment.objects.all())


@settings(
    max_examples=int(os.environ.get("EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    saves=st.lists(save, min_size=1, max_size=12),
    how=st.sampled_from(["sweep", "push_each", "thred_sync"]),
)
def property_(saves, how):
    first = len(tap.REQUESTS)
    with transaction.atomic():
        apply(saves)
        if how == "sweep":
            tasks.sweep()
        elif how == "push_each":
            for schema in reversed(SCHEMAS):
                tasks.push(schema)
        else:
            call_command("thred_sync", stdout=io.StringIO(), stderr=io.StringIO())
        check(first)
        with schema_context("public"):
            for schema in SCHEMAS:
                with schema_context(schema):
                    business = SyncRecord.objects.get(resource="business").thred_id
                held = sb.Payment.objects.filter(business_id=business)
                got = sum(held.values_list("total_amount_cents", flat=True))
                assert got == payments_total(schema), (schema, got)
        transaction.set_rollback(True)
    stats["examples"] += 1


property_()
print(json.dumps(stats))
