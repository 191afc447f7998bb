"""Signals thred_django sends.

* ``sync_succeeded(sender=SyncRecord, record=...)`` after a record reached Thred (or was
  voided/cancelled there).
* ``sync_failed(sender=SyncRecord, record=..., error=...)`` after a record failed
  permanently or was blocked by a failed parent; ``error`` is the exception or None.
* ``drift_found(sender=ReconcileResult, result=..., findings=[...])`` after a
  reconciliation found a business's books in Thred differ from the host; ``findings``
  are the first ``THRED["RECONCILE_KEEP_FINDINGS"]`` of them (``result.counts`` has all).
"""

from django.dispatch import Signal

sync_succeeded = Signal()
sync_failed = Signal()
drift_found = Signal()
