# Run inside the example project (manage.py shell -c) with "testserver" allowed: open the
# admin changelist and one change form of every sales model as a superuser; print
# {"url": [status, has_thred_column]} as JSON.
import json

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

user, _ = get_user_model().objects.get_or_create(
    username="admin-test", defaults={"is_staff": True, "is_superuser": True}
)
client = Client()
client.force_login(user)
pages = {}
for model in admin.site._registry:
    if model._meta.app_label != "sales":
        continue
    opts = model._meta
    urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
    for url in urls:
        response = client.get(url)
        body = response.content.decode()
        pages[url] = [response.status_code, "Thred" in body]
print(json.dumps(pages))
