# Run inside the example project (manage.py shell -c). Prints, as JSON, what the outbox
# and the embedded sandbox hold, row by row, for the reliability tests to compare:
#   outbox:   [resource, business external_id, external_id, state, thred_id] per record
#   sandbox:  [resource, business external_id, external_id, id] per sandbox object
#   summary:  partner_summary() (counts and money totals per business and resource)
#   creates:  [resource, external_id, number of requests that created it]
#   posts:    [resource, external_id, number of create (or payout upsert) requests]
#   faults:   {fault name: number of requests it hit}
#   statuses: {HTTP status: number of requests}
#   stored:   the attempt log and the outbox's error and payload columns, as JSON text
import json
from collections import Counter

from django.db.models import Count

from thred_django.models import SyncAttempt, SyncRecord
from thred_django.sandbox import models as sb
from thred_django.sandbox.summary import SUMMARY_RESOURCES, partner_summary

business_ext = dict(
    SyncRecord.objects.filter(resource="business").values_list("tenant_id", "external_id")
)
outbox = [
    [r, business_ext.get(t, "?" + t), e, s, i]
    for r, t, e, s, i in SyncRecord.objects.values_list(
        "resource", "tenant_id", "external_id", "state", "thred_id"
    )
]
sandbox = [["business", b.external_id, b.external_id, str(b.id)] for b in sb.Business.objects.all()]
for resource, (model, _) in SUMMARY_RESOURCES.items():
    for ext, bext, pk in model.objects.values_list("external_id", "business__external_id", "id"):
        sandbox.append([resource, bext, ext, str(pk)])
creates = [
    [row["resource"], row["external_id"], row["n"]]
    for row in sb.RequestLog.objects.filter(created=True)
    .values("resource", "external_id")
    .annotate(n=Count("id"))
    .order_by()
]
posts = [
    [row["resource"], row["external_id"], row["n"]]
    for row in sb.RequestLog.objects.filter(method="POST", action__in=("create", "upsert"))
    .values("resource", "external_id")
    .annotate(n=Count("id"))
    .order_by()
]
faults = Counter(sb.RequestLog.objects.exclude(fault="").values_list("fault", flat=True))
statuses = Counter(str(s) for s in sb.RequestLog.objects.values_list("status", flat=True))
stored = json.dumps(
    {
        "attempts": list(SyncAttempt.objects.values()),
        "records": list(
            SyncRecord.objects.values(
                "external_id",
                "acked_payload",
                "idempotency_key",
                "last_error_code",
                "last_error_message",
                "last_error_details",
            )
        ),
    },
    default=str,
)
print(
    json.dumps(
        {
            "outbox": outbox,
            "sandbox": sandbox,
            "summary": partner_summary(),
            "creates": creates,
            "posts": posts,
            "faults": dict(faults),
            "statuses": dict(statuses),
            "stored": stored,
        }
    )
)
