"""django-q2 entry points. Thin: each calls the engine.

* ``push`` — enqueued on commit after marks (queue mode); drains what is due for at most
  THRED['TASK_TIME_LIMIT'] seconds, well under the cluster's timeout.
* ``sweep`` — scheduled every THRED['SWEEP_MINUTES']: pushes anything due (a lost
  enqueue, retries after backoff, lapsed leases) and prunes the attempt log.

Attempts and backoff live in the outbox, not in django-q2's retry: a task that fails
or is killed loses nothing, because the SyncRecord rows are the truth.
"""

from __future__ import annotations

from thred_django.conf import thred_settings
from thred_django.engine.dispatch import push_started
from thred_django.engine.runner import push_due
from thred_django.models import SyncAttempt


def push() -> int:
    push_started()
    return push_due(time_limit=thred_settings.TASK_TIME_LIMIT).claimed


def sweep() -> int:
    claimed = push_due(time_limit=thred_settings.TASK_TIME_LIMIT).claimed
    SyncAttempt.prune()
    return claimed
