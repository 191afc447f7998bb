"""Signals thred_django sends.

* ``sync_succeeded(sender=SyncRecord, record=...)`` after a record reached Thred (or was
  voided/cancelled there).
* ``sync_failed(sender=SyncRecord, record=..., error=...)`` after a record failed
  permanently or was blocked by a failed parent; ``error`` is the exception or None.
"""

from django.dispatch import Signal

sync_succeeded = Signal()
sync_failed = Signal()
