"""Fenced UPDATEs of outbox rows: an UPDATE under the lease token.

Pushing a record writes its row once or twice (the lease before the call when needed,
the outcome after), always ``UPDATE … WHERE id = … AND lease_token = …`` so that a
worker whose lease was taken over writes nothing. ``QuerySet.update()`` sends no
``auto_now``, so ``updated_at`` is set here (unless the caller gives it).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import F
from django.utils import timezone

from thred_django.models import SyncRecord


def update(
    record_id: int, token: uuid.UUID, changes: dict[str, Any], *, same_revision: bool
) -> int:
    """``SyncRecord.objects.filter(id=…, lease_token=token[, revision=F("claimed_revision")])
    .update(**changes)``; returns the number of rows written (0 or 1).

    ``same_revision``: write only if the record was not marked again since it was
    claimed (a save landed while we worked)."""
    changes = {"updated_at": timezone.now(), **changes}
    rows = SyncRecord.objects.filter(id=record_id, lease_token=token)
    if same_revision:
        rows = rows.filter(revision=F("claimed_revision"))
    return rows.update(**changes)
