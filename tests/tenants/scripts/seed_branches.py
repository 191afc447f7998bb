# Run inside the tenants project with TENANTS_MAPPINGS=branches (manage.py shell -c): in
# each tenant schema two branches (each one Thred business; branch 1 and 2 in every
# schema) with SEED_COUNT customers, invoices and payments each. The tenants' own
# business records (marked when the tenants were created, under the default mappings)
# are dropped: in this mode the tenant model is not mapped. Prints the manifest
# {business external_id: {"customer": n, "invoice": n, "payment": n, "payment_cents": n}}.
import json
import os
from decimal import Decimal

from django_tenants.utils import schema_context

from tests.tenants.project.customers.models import Client
from tests.tenants.project.shop.models import Branch, Customer, Invoice, Payment
from thred_django.models import SyncRecord

count = int(os.environ.get("SEED_COUNT", "3"))
manifest = {}
schemas = Client.objects.exclude(schema_name="public").order_by("schema_name")
for n, schema in enumerate(schemas.values_list("schema_name", flat=True), start=1):
    with schema_context(schema):
        SyncRecord.objects.filter(content_type__model="client").delete()
        for b in range(2):
            branch = Branch.objects.create(name=f"{schema.title()} branch {b} Ltd")
            cents = 0
            for i in range(count):
                customer = Customer.objects.create(name=f"{schema} {b} {i}", branch=branch)
                invoice = Invoice.objects.create(
                    customer=customer, number=f"INV-{b}-{i}", amount=Decimal(50 * n + i)
                )
                amount = Decimal(f"{n}{b}.{i:02d}")
                Payment.objects.create(invoice=invoice, amount=amount)
                cents += int(amount * 100)
            manifest[f"{schema}:shop.branch-{branch.pk}"] = {
                "customer": count,
                "invoice": count,
                "payment": count,
                "payment_cents": cents,
            }
print(json.dumps(manifest))
