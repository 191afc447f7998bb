# Run inside the tenants project (manage.py shell -c): in each tenant schema, SEED_COUNT
# customers with one invoice and one payment each, created the same way in every schema
# (so primary keys collide) with amounts that differ per tenant. Prints the manifest:
# {schema: {"customer": n, "invoice": n, "payment": n, "payment_cents": total}}.
import json
import os
from decimal import Decimal

from django_tenants.utils import schema_context

from tests.tenants.project.customers.models import Client
from tests.tenants.project.shop.models import Customer, Invoice, Payment

count = int(os.environ.get("SEED_COUNT", "5"))
manifest = {}
schemas = Client.objects.exclude(schema_name="public").order_by("schema_name")
for n, schema in enumerate(schemas.values_list("schema_name", flat=True), start=1):
    total = 0
    with schema_context(schema):
        start = Customer.objects.count()
        for i in range(start, start + count):
            customer = Customer.objects.create(name=f"{schema} customer {i}")
            invoice = Invoice.objects.create(
                customer=customer, number=f"INV-{i}", amount=Decimal(100 * n + i)
            )
            amount = Decimal(f"{n}.{i % 100:02d}") + i
            Payment.objects.create(invoice=invoice, amount=amount)
        manifest[schema] = {
            "customer": Customer.objects.count(),
            "invoice": Invoice.objects.count(),
            "payment": Payment.objects.count(),
            "payment_cents": sum(int(p.amount * 100) for p in Payment.objects.all()),
        }
print(json.dumps(manifest))
