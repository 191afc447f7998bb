# Run inside the tenants project (manage.py shell -c): what the sandbox holds per business
# and, per schema, its business's external id and Thred id and its outbox by state.
import json

from django.db.models import Count
from django_tenants.utils import schema_context

from tests.tenants.project.customers.models import Client
from thred_django.models import SyncRecord
from thred_django.sandbox.summary import partner_summary

out = {"sandbox": partner_summary(), "schemas": {}}
for schema in Client.objects.exclude(schema_name="public").values_list("schema_name", flat=True):
    with schema_context(schema):
        business = SyncRecord.objects.filter(resource="business").first()
        states = dict(SyncRecord.objects.values_list("state").annotate(n=Count("id")).order_by())
        external_ids = sorted(SyncRecord.objects.values_list("external_id", flat=True))
        out["schemas"][schema] = {
            "business_external_id": business.external_id if business else None,
            "business_thred_id": business.thred_id if business else None,
            "states": states,
            "external_ids": external_ids,
        }
print(json.dumps(out))
