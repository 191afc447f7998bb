"""What a push run knows is in Thred: Thred ids of records, and business records."""

from __future__ import annotations

import threading
import time

from thred_django.models import SyncRecord
from thred_django.resources import Action, Resource

# How long a Known remembers that a record is in Thred, unless told otherwise
# (push_due: THRED["LEASE_SECONDS"], as long as a claim may last).
KNOWN_SECONDS = 30.0
# At most this many Thred ids are remembered (about 7 MB); the oldest go first.
KNOWN_MAX = 20_000


def key_of(record: SyncRecord) -> tuple[int, str, str]:
    """(content type id, object id, resource): one host row may feed several resources."""
    return record.content_type_id, record.object_id, record.resource


class Known:
    """Records known to be in Thred, shared by the Pushers of one run.

    A parent found in Thred, or pushed, is remembered for ``seconds`` so that the
    records referencing it (often in later batches) do not look it up again; so is each
    business record. A remembered fact can only go stale one way (the parent deleted
    since, its void or archive not yet sent), the same race a payload built just before
    its call already has; a Thred id never changes once set. Only Thred ids are kept
    (businesses: the record), at most ``max_entries`` of them: expired ones are dropped
    as new ones come, and the oldest when there are too many, so memory stays bounded
    over a long run. Reads are plain dict reads; adds and pruning take a lock (a prune
    copies the dict, which another thread's add must not change meanwhile).
    """

    def __init__(self, seconds: float = KNOWN_SECONDS, max_entries: int = KNOWN_MAX) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._ids: dict[tuple[int, str, str], tuple[float, str]] = {}
        self._businesses: dict[str, tuple[float, SyncRecord]] = {}
        self._added = 0
        self._lock = threading.Lock()

    def thred_id(self, key: tuple[int, str, str]) -> str | None:
        entry = self._ids.get(key)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def business(self, tenant_id: str) -> SyncRecord | None:
        entry = self._businesses.get(tenant_id)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def add(self, record: SyncRecord) -> SyncRecord:
        if record.thred_id and record.action != Action.DELETE:
            until = time.monotonic() + self.seconds
            with self._lock:
                self._ids[key_of(record)] = (until, record.thred_id)
                if record.resource == Resource.BUSINESS:
                    self._businesses[record.tenant_id] = (until, record)
                self._added += 1
                if self._added % 1000 == 0 or len(self._ids) > self.max_entries:
                    self._prune()
        return record

    def _prune(self) -> None:
        """Drop the expired entries, and the oldest beyond the limit (lock held)."""
        now = time.monotonic()
        entries = list(self._ids.items())  # oldest first (insertion order)
        excess = len(entries) - self.max_entries * 3 // 4
        for i, (key, (until, _)) in enumerate(entries):
            if until <= now or i < excess:
                self._ids.pop(key, None)
