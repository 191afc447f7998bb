# Run inside the realhost site (python -m django shell -c). Prints, as JSON, every
# difference between the host and the sandbox (tests/lifecycle/compare.py), the outbox's
# states and codes, and what the sandbox's faults hit.
import json
from collections import Counter

from tests.lifecycle.compare import compare
from thred_django.models import SyncRecord
from thred_django.sandbox import models as sb

differences = compare()
print(
    json.dumps(
        {
            "differences": [
                [
                    d.resource,
                    d.external_id,
                    d.field,
                    repr(d.host),
                    repr(d.thred),
                    d.state,
                    d.code,
                    d.admitted,
                ]
                for d in differences
            ],
            "states": Counter(SyncRecord.objects.values_list("state", flat=True)),
            "codes": Counter(
                f"{state}:{code}"
                for state, code in SyncRecord.objects.exclude(state="synced").values_list(
                    "state", "last_error_code"
                )
            ),
            # Failed with Thred's own refusal (400/409) kept on the record: a state that
            # admits the difference (compare.admits), not work left to do.
            "refused": SyncRecord.objects.filter(
                state="failed", last_error_status__in=(400, 409)
            ).count(),
            "failed": list(
                SyncRecord.objects.filter(state__in=["failed", "blocked"]).values_list(
                    "resource", "external_id", "last_error_code", "last_error_message"
                )[:20]
            ),
            "faults": Counter(
                sb.RequestLog.objects.exclude(fault="").values_list("fault", flat=True)
            ),
            "statuses": Counter(
                str(s) for s in sb.RequestLog.objects.values_list("status", flat=True)
            ),
        }
    )
)
