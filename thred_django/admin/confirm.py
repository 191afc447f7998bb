"""Admin actions behind an intermediate confirmation page, like Django's bulk delete.

``confirmed_action(...)`` is called from an admin action. The first POST (from the
change list) renders ``thred_django/admin/confirm_action.html``: what will happen, how
many records, a sample of them, and a form that re-posts the same action with
``post=yes`` (CSRF token included, selection and change-list filters kept). The second
POST runs ``perform(queryset)`` and returns ``None`` so the admin redirects back to the
change list, where the message says how many records were queued.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin import ModelAdmin, helpers
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from thred_django.admin.badges import state_label
from thred_django.engine import actions
from thred_django.models import SyncRecord

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class ActionText:
    """What the confirmation page and the final message say about one action."""

    name: str  # the action's function name, re-posted by the confirmation form
    title: str  # "Retry now"
    explanation: str  # one paragraph: what happens to the records
    button: str  # "Yes, retry them"
    done: str  # "{count} record(s) queued for a retry." — formatted with count


def confirmed_action(
    modeladmin: ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[SyncRecord],
    text: ActionText,
    perform: Callable[[QuerySet[SyncRecord]], int],
) -> TemplateResponse | None:
    """Render the confirmation page, or (when confirmed) run ``perform`` and report."""
    if request.POST.get("post") == "yes":
        in_flight = actions.held(queryset).count()
        count = perform(queryset)
        message = text.done.format(count=count, s="" if count == 1 else "s")
        if in_flight:
            message += f" {in_flight} in flight left alone (a worker is pushing them now)."
        modeladmin.message_user(request, message, messages.SUCCESS if count else messages.WARNING)
        return None

    total = queryset.count()
    states = {
        row["state"]: row["n"]
        for row in queryset.order_by().values("state").annotate(n=Count("id"))
    }
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"{text.title}: are you sure?",
        "subtitle": None,
        "text": text,
        "opts": opts,
        "app_label": opts.app_label,
        "total": total,
        "states": [(state_label(s), n) for s, n in sorted(states.items())],
        "sample": list(queryset.select_related("content_type")[:SAMPLE_SIZE]),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "thred_django/admin/confirm_action.html", context)
