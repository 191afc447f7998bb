"""A mapping mistake met while marking never fails the host's own write.

``mark()`` runs inside the host's ``save()``; if the mapping cannot even say which
business or external id an object has (a wrong ``business`` path, a
``get_external_id`` that raises), the mistake is logged and recorded on the object's
outbox row (state ``failed``, code ``mapping_error``, the reason), in a savepoint so the
host's transaction goes on whatever happens here. The next save after the mapping is
fixed marks the row pending again; ``manage.py check`` names such mistakes up front.
"""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from thred_django.mappings import Mapping
from thred_django.models import SyncRecord
from thred_django.resources import Action, State, claim_rank

logger = logging.getLogger("thred_django.marking")

CODE = "mapping_error"


def describe(mapping: Mapping, exc: BaseException) -> str:
    return (
        f"{type(mapping).__name__} could not mark this {mapping.model._meta.label}: "
        f"{type(exc).__name__}: {exc}. Fix the mapping (manage.py check names path "
        "mistakes) and save the row again, or run manage.py thred_backfill."
    )


def _safe(call: object, default: str) -> str:
    try:
        value = call()  # type: ignore[operator]
    except Exception:
        return default
    return str(value or default)


def record_mark_failure(
    mapping: Mapping, obj: models.Model, exc: BaseException, using: str, action: str
) -> None:
    """Log ``exc`` and write it on ``obj``'s outbox row; never raises."""
    message = describe(mapping, exc)
    logger.error("%s", message, exc_info=exc)
    now = timezone.now()
    try:
        ct = ContentType.objects.db_manager(using).get_for_model(mapping.model)
        with transaction.atomic(using=using):
            SyncRecord.objects.using(using).update_or_create(
                content_type=ct,
                object_id=str(obj.pk),
                resource=mapping.resource,
                defaults={
                    "state": State.FAILED,
                    "action": action,
                    "next_attempt_at": now,
                    "last_error_status": None,
                    "last_error_code": CODE,
                    "last_error_message": message,
                    "last_error_details": None,
                },
                create_defaults={
                    "rank": claim_rank(mapping.resource, Action.UPSERT),
                    "tenant_id": _safe(lambda: mapping.get_tenant_id(obj), ""),
                    "external_id": _safe(
                        lambda: mapping.get_external_id(obj), mapping.external_id_for_pk(obj.pk)
                    ),
                    "state": State.FAILED,
                    "action": action,
                    "last_error_code": CODE,
                    "last_error_message": message,
                },
            )
    except DatabaseError:
        logger.exception("Could not record the mapping mistake of %s %s", mapping, obj.pk)
