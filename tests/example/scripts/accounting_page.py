# Run inside the example project (manage.py shell -c) with "testserver" allowed, after
# the demo data is synced: a merchant's user opens /accounting/ and asks the embed
# endpoint for a token; a user of no merchant gets none. Prints JSON.
import json

from django.contrib.auth import get_user_model
from django.test import Client
from sales.models import Merchant

from thred_django.models import SyncRecord
from thred_django.sandbox.auth import read_token

User = get_user_model()
merchant = Merchant.objects.order_by("pk").first()
owner, _ = User.objects.get_or_create(username="owner-test", defaults={"email": merchant.email})
stranger, _ = User.objects.get_or_create(
    username="stranger-test", defaults={"email": "x@nowhere.test"}
)
result = {}
for name, user in (("owner", owner), ("stranger", stranger)):
    client = Client()
    client.force_login(user)
    page = client.get("/accounting/")
    token = client.get("/thred/embed/token/")
    body = token.json()
    result[name] = {
        "page": page.status_code,
        "widget": "mountThredfi(" in page.content.decode(),
        "token_status": token.status_code,
        "token_business": read_token(body["access_token"]).business_id
        if "access_token" in body
        else None,
    }
result["merchant_business"] = SyncRecord.objects.get(
    resource="business", tenant_id=str(merchant.pk)
).thred_id
print(json.dumps(result))
