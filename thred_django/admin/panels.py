"""What the outbox change view shows below the record's fields.

``record_panels(record)`` returns template context:

* ``thred_preview``: the dry run (``engine.actions.preview``): operation, pretty JSON
  payload, validation errors as ``[(field, [messages])]``, parents not yet in Thred,
  a message; or ``thred_preview_error`` when building it blew up;
* ``thred_acked_json``: the payload Thred last acknowledged;
* ``thred_error``: the last error (code, status, message, field details as rows);
* ``thred_attempts``: the newest ``ATTEMPT_LIMIT`` attempt-log rows (already redacted by
  the engine) with their summaries as JSON, and ``thred_attempt_total``.

Without the host model's view permission (``access.can_view_host_data``) the payloads
and attempt bodies are left out and ``thred_payload_hidden`` says why; errors, states
and the attempt rows themselves still show.

It never calls Thred.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from thred_django import access
from thred_django.admin.helpers import pretty_json
from thred_django.engine import actions
from thred_django.models import SyncAttempt, SyncRecord

logger = logging.getLogger("thred_django.admin")

ATTEMPT_LIMIT = 50


@dataclass
class AttemptRow:
    attempt: SyncAttempt
    request_json: str
    response_json: str


def error_rows(details: Any) -> list[tuple[str, str]]:
    """Field details as (field, message) rows; anything else as one JSON row."""
    if not details:
        return []
    if isinstance(details, dict):
        rows = []
        for field, messages in details.items():
            if isinstance(messages, list | tuple):
                text = " ".join(str(m) for m in messages)
            elif isinstance(messages, dict | list):
                text = pretty_json(messages)
            else:
                text = str(messages)
            rows.append((str(field), text))
        return rows
    return [("", pretty_json(details))]


def _preview(record: SyncRecord) -> dict[str, Any]:
    try:
        result = actions.preview(record)
    except Exception as exc:  # the page must render even when a mapping is broken
        logger.exception("Preview failed for %s", record)
        return {"thred_preview_error": f"{type(exc).__name__}: {exc}"}
    errors = result.errors or {}
    return {
        "thred_preview": result,
        "thred_preview_json": pretty_json(result.payload) if result.payload is not None else "",
        "thred_preview_errors": error_rows(errors),
    }


def record_panels(record: SyncRecord, user: Any = None) -> dict[str, Any]:
    attempts = list(
        SyncAttempt.objects.filter(record=record).order_by("-created_at", "-id")[:ATTEMPT_LIMIT]
    )
    total = len(attempts)
    if total == ATTEMPT_LIMIT:
        total = SyncAttempt.objects.filter(record=record).count()
    model = record.content_type.model_class()
    show = access.can_view_host_data(user, model)
    preview = _preview(record)
    if not show:
        preview["thred_preview_json"] = ""
    return {
        **preview,
        "thred_payload_hidden": "" if show else access.host_permission_hint(model),
        "thred_acked_json": (
            pretty_json(record.acked_payload) if show and record.acked_payload is not None else ""
        ),
        "thred_error": {
            "code": record.last_error_code,
            "status": record.last_error_status,
            "message": record.last_error_message,
            "details": error_rows(record.last_error_details),
        }
        if (record.last_error_code or record.last_error_message or record.last_error_status)
        else None,
        "thred_attempts": [
            AttemptRow(
                a,
                pretty_json(a.request_summary) if show and a.request_summary is not None else "",
                pretty_json(a.response_summary) if show and a.response_summary is not None else "",
            )
            for a in attempts
        ],
        "thred_attempt_total": total,
    }
