# Run inside the example project (manage.py shell -c): print what the embedded sandbox
# holds for every business, {external_id: business_summary(external_id)}, as JSON.
import json

from thred_django.sandbox.models import Business
from thred_django.sandbox.summary import business_summary

print(
    json.dumps(
        {
            external_id: business_summary(external_id)
            for external_id in Business.objects.order_by("external_id").values_list(
                "external_id", flat=True
            )
        }
    )
)
