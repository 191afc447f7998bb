"""The outbox in Django admin: SyncRecord change list, read-only change view, actions.

Contract:

* Change list: host object (linked to its admin page when registered in the same
  site), resource, business external id, state badge, attempts, short last error, last
  attempt time; filters by state, resource, business and host model; search by
  external id, Thred id and error text. A constant number of queries per page: host
  objects are prefetched per content type and business names fetched in one query.
* Actions ``retry_now``, ``resync`` and ``skip`` go through a confirmation page
  (``confirm.py``) and call ``engine.actions``; they need ``retry_syncrecord``.
* Change view is read-only: the dry run (``engine.actions.preview``), the acknowledged
  payload, the last error, the attempt log, and Retry / Resync buttons that POST to
  ``<pk>/retry/`` and ``<pk>/resync/`` (``push.ThredPushMixin``, the same view as the
  host admin's buttons: CSRF, confirmation page on GET, 403 without
  ``retry_syncrecord``).
* ``dashboard/`` (``dashboard.py``) is linked from the change list's object tools.

Nothing here calls Thred: the engine queues the push.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.safestring import SafeString

from thred_django.admin import dashboard
from thred_django.admin.badges import short, state_badge
from thred_django.admin.confirm import ActionText, confirmed_action
from thred_django.admin.filters import BusinessFilter, HostModelFilter
from thred_django.admin.helpers import (
    admin_change_url,
    can_view_records,
    page_objects,
)
from thred_django.admin.panels import record_panels
from thred_django.admin.push import PushKind, ThredPushMixin
from thred_django.engine import actions, status
from thred_django.models import SyncRecord

RETRY = ActionText(
    name="retry_now",
    title="Retry now",
    explanation=(
        "The selected records become due now with their attempt counter reset, and a "
        "push is queued. Records a worker is pushing right now are left alone."
    ),
    button="Yes, retry them",
    done="{count} record{s} queued for a retry.",
)
RESYNC = ActionText(
    name="resync",
    title="Resync",
    explanation=(
        "Like a retry, but each record is sent to Thred even when its payload has not "
        "changed since Thred last acknowledged it."
    ),
    button="Yes, resync them",
    done="{count} record{s} queued for a resync.",
)
SKIP = ActionText(
    name="skip",
    title="Skip",
    explanation=(
        "The selected records stop being pushed: they are marked skipped until their "
        "host object changes again (or someone retries them)."
    ),
    button="Yes, skip them",
    done="{count} record{s} skipped.",
)


class SyncRecordAdmin(ThredPushMixin, admin.ModelAdmin):
    list_display = [
        "host_object_link",
        "resource",
        "business",
        "state_badge",
        "attempts",
        "short_error",
        "last_attempt_at",
    ]
    list_display_links = ["resource"]
    list_filter = [
        "state",
        "resource",
        BusinessFilter,
        ("content_type", HostModelFilter),
    ]
    search_fields = ["external_id", "thred_id", "last_error_message", "last_error_code"]
    list_select_related = ["content_type"]
    ordering = ["-updated_at", "-id"]
    list_per_page = 50
    actions = ["retry_now", "resync", "skip"]
    thred_push_path = ""  # the buttons post to <pk>/retry/ and <pk>/resync/
    thred_push_name = ""
    change_list_template = "thred_django/admin/syncrecord/change_list.html"
    change_form_template = "thred_django/admin/syncrecord/change_form.html"
    readonly_fields = ["host_object_link", "business", "state_badge"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "host_object_link",
                    "resource",
                    "business",
                    "state_badge",
                    "action",
                    "external_id",
                    "thred_id",
                    "attempts",
                    "next_attempt_at",
                    "last_attempt_at",
                    "synced_at",
                    "blocked_by",
                    "created_at",
                    "updated_at",
                ]
            },
        )
    ]

    # --- permissions ----------------------------------------------------------------
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a record forgets the link to Thred's copy: superusers only.
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_view_records(request)  # thred_django.access: the API's rule too

    # --- change list ----------------------------------------------------------------
    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        records = page_objects(changelist)
        with suppress(AttributeError):  # a content type whose model is gone
            prefetch_related_objects(records, "host_object")
        names = status.business_names(sorted({r.tenant_id for r in records}))
        for record in records:
            record._thred_business = names.get(record.tenant_id, "")
        return changelist

    @admin.display(description="host object")
    def host_object_link(self, record: SyncRecord) -> SafeString | str:
        model = record.content_type.model_class()
        label = model._meta.verbose_name if model else record.content_type.model
        try:
            obj = record.host_object
        except AttributeError:
            obj = None
        if obj is None:
            return f"{label} {record.object_id} (deleted)"
        url = admin_change_url(self.admin_site, obj)
        return format_html('<a href="{}">{}</a>', url, obj) if url else str(obj)

    @admin.display(description="business")
    def business(self, record: SyncRecord) -> str:
        name = getattr(record, "_thred_business", None)
        if name is None:
            name = status.business_names([record.tenant_id]).get(record.tenant_id, "")
        return name or (f"tenant {record.tenant_id}" if record.tenant_id else "—")

    @admin.display(description="state", ordering="state")
    def state_badge(self, record: SyncRecord) -> SafeString:
        return state_badge(record.state, record.get_state_display())

    @admin.display(description="last error")
    def short_error(self, record: SyncRecord) -> SafeString | str:
        if not (record.last_error_code or record.last_error_message):
            return ""
        text = short(f"{record.last_error_code}: {record.last_error_message}".strip(": "), 70)
        return format_html('<span title="{}">{}</span>', record.last_error_message, text)

    # --- actions --------------------------------------------------------------------
    @admin.action(description="Retry now", permissions=["thred_retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[SyncRecord]) -> Any:
        return confirmed_action(self, request, queryset, RETRY, actions.retry)

    @admin.action(description="Resync (push even if unchanged)", permissions=["thred_retry"])
    def resync(self, request: HttpRequest, queryset: QuerySet[SyncRecord]) -> Any:
        return confirmed_action(self, request, queryset, RESYNC, actions.resync)

    @admin.action(description="Skip (stop pushing)", permissions=["thred_retry"])
    def skip(self, request: HttpRequest, queryset: QuerySet[SyncRecord]) -> Any:
        return confirmed_action(self, request, queryset, SKIP, actions.skip)

    # --- change view ----------------------------------------------------------------
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        record = self.get_object(request, object_id)
        if record is not None and self.has_view_permission(request, record):
            context.update(record_panels(record, user=request.user))
            context.update(self.thred_push_context(request, record))
        return super().change_view(request, object_id, form_url, context)

    def thred_push_label(self, obj: SyncRecord) -> str:
        return f"{obj.resource} {obj.external_id}"  # not its state: the push changes it

    def thred_push(self, obj: SyncRecord, kind: PushKind) -> int:
        perform = actions.resync if kind.force else actions.retry
        return perform(SyncRecord.objects.filter(pk=obj.pk))

    def dashboard_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **dashboard.dashboard_context(),
            "title": "Thred sync dashboard",
            "opts": self.opts,
            "app_label": self.opts.app_label,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "thred_django/admin/dashboard.html", context)

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        dashboard = path(
            "dashboard/", wrap(self.dashboard_view), name="{}_{}_dashboard".format(*info)
        )
        return [dashboard, *super().get_urls()]  # then the buttons' (ThredPushMixin)
