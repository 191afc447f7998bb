"""What a push run knows is in Thred: Thred ids of records, and business records."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

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
    (businesses: the record), at most ``max_entries`` of them, in the order they expire
    (an id added again moves to the end): each add drops the expired ones and the oldest
    beyond the limit from the front, so memory stays bounded over a long run at a
    constant cost per add. Reads are plain reads of the ordered dict; adds take a lock.
    """

    def __init__(self, seconds: float = KNOWN_SECONDS, max_entries: int = KNOWN_MAX) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._ids: OrderedDict[tuple[int, str, str], tuple[float, str]] = OrderedDict()
        self._businesses: dict[str, tuple[float, SyncRecord]] = {}
        self._lock = threading.Lock()

    def thred_id(self, key: tuple[int, str, str]) -> str | None:
        entry = self._ids.get(key)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def business(self, tenant_id: str) -> SyncRecord | None:
        entry = self._businesses.get(tenant_id)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def add(self, record: SyncRecord) -> SyncRecord:
        if record.thred_id and record.action != Action.DELETE:
            now = time.monotonic()
            until = now + self.seconds
            key = key_of(record)
            with self._lock:
                ids = self._ids
                ids[key] = (until, record.thred_id)
                ids.move_to_end(key)
                if record.resource == Resource.BUSINESS:
                    self._businesses[record.tenant_id] = (until, record)
                while ids and (len(ids) > self.max_entries or next(iter(ids.values()))[0] <= now):
                    ids.popitem(last=False)
        return record
