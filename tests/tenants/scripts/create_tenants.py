# Run inside the tenants project (manage.py shell -c): the public tenant (serving the
# in-process sandbox at "testserver") and the tenants named in TENANTS (comma-separated
# schema names), each with its schema created and migrated. Prints their schemas as JSON.
import json
import os

from tests.tenants.project.customers.models import Client, Domain

if not Client.objects.filter(schema_name="public").exists():
    public = Client.objects.create(schema_name="public", name="Platform Ltd")
    Domain.objects.create(domain="testserver", tenant=public, is_primary=True)
created = []
for schema in os.environ["TENANTS"].split(","):
    tenant = Client.objects.create(schema_name=schema, name=f"{schema.title()} Trading Ltd")
    Domain.objects.create(domain=f"{schema}.example.com", tenant=tenant, is_primary=True)
    created.append(schema)
print(json.dumps(created))
