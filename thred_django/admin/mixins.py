"""``ThredSyncAdminMixin``: Thred sync status and buttons in the host's own admin.

    @admin.register(Invoice)
    class InvoiceAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
        ...

adds to the host ModelAdmin:

* a "Thred" column with the state badge (linked to the outbox record); the page's
  SyncRecords are fetched in one query, whatever the page size;
* a "Thred sync" list filter (``filters.SyncStateFilter``);
* the action "Sync to Thred" (``engine.marking.mark_objects`` then
  ``engine.actions.retry`` on their records), offered only with ``retry_syncrecord``;
* on the change form: object-tools buttons Retry / Resync (POST with CSRF to
  ``<pk>/thred/retry/`` and ``<pk>/thred/resync/``, 403 without ``retry_syncrecord``), a
  link to the outbox record and a notice with its last error;
* on the change list: a link to the outbox filtered to this model.

The templates extend the admin's usual change form / change list templates; a host that
has its own sets ``thred_base_change_form_template`` / ``thred_base_change_list_template``
instead of ``change_form_template`` / ``change_list_template``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.loader import select_template
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from thred_django.admin.badges import NOT_MARKED, state_badge
from thred_django.admin.filters import SyncStateFilter
from thred_django.admin.helpers import admin_change_url, can_retry, page_objects
from thred_django.engine import actions, marking
from thred_django.mappings import registry
from thred_django.models import SyncRecord

_UNSET = object()


def records_of(objs: list[models.Model]) -> QuerySet[SyncRecord]:
    """The SyncRecords of host objects of one model (one query when evaluated): one per
    object and Thred resource it feeds."""
    if not objs:
        return SyncRecord.objects.none()
    ct = ContentType.objects.get_for_model(type(objs[0]))
    return SyncRecord.objects.filter(content_type=ct, object_id__in=[str(o.pk) for o in objs])


def _by_object(objs: list[models.Model]) -> dict[str, list[SyncRecord]]:
    """object id → its records, the primary mapping's first (registration order)."""
    order = {m.resource: i for i, m in enumerate(registry.mappings_for(type(objs[0])))}
    found: dict[str, list[SyncRecord]] = {}
    for record in records_of(objs):
        found.setdefault(record.object_id, []).append(record)
    for records in found.values():
        records.sort(key=lambda r: order.get(r.resource, len(order)))
    return found


def queue(objs: list[models.Model], *, force: bool = False) -> int:
    """Mark host objects and make their records due now; returns how many were queued."""
    if not objs:
        return 0
    marked = marking.mark_objects(objs)
    perform = actions.resync if force else actions.retry
    return max(perform(records_of(objs)), marked)


class ThredSyncAdminMixin:
    """Mix into a host ModelAdmin (before ``admin.ModelAdmin``)."""

    change_form_template = "thred_django/admin/mixin/change_form.html"
    change_list_template = "thred_django/admin/mixin/change_list.html"
    thred_base_change_form_template: str | None = None
    thred_base_change_list_template: str | None = None
    thred_column_description = "Thred"

    # --- change list ----------------------------------------------------------------
    def get_list_display(self, request: HttpRequest) -> Any:
        return [*super().get_list_display(request), "thred_status"]  # type: ignore[misc]

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [*super().get_list_filter(request), SyncStateFilter]  # type: ignore[misc]

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        objs = page_objects(changelist)
        found = _by_object(objs) if objs else {}
        for obj in objs:
            obj._thred_records = found.get(str(obj.pk), [])
        return changelist

    def thred_records(self, obj: models.Model) -> list[SyncRecord]:
        """The object's records, one per Thred resource it feeds (primary first)."""
        records = getattr(obj, "_thred_records", _UNSET)
        if records is _UNSET:
            records = _by_object([obj]).get(str(obj.pk), [])
            obj._thred_records = records  # type: ignore[attr-defined]
        return records  # type: ignore[return-value]

    def thred_record(self, obj: models.Model) -> SyncRecord | None:
        """The record of the object's primary mapping (or its first record)."""
        records = self.thred_records(obj)
        return records[0] if records else None

    @staticmethod
    def thred_status_badge(record: SyncRecord | None) -> SafeString:
        if record is None:
            return state_badge(NOT_MARKED, "Not marked for sync")
        return state_badge(record.state, record.last_error_message)

    @admin.display(description="Thred")
    def thred_status(self, obj: models.Model) -> SafeString:
        records = self.thred_records(obj)
        if not records:
            return self.thred_status_badge(None)
        shown = []
        for record in records:
            badge = self.thred_status_badge(record)
            if len(records) > 1:  # a row feeding several resources: say which is which
                badge = format_html("{}&nbsp;{}", record.resource, badge)
            url = admin_change_url(self.admin_site, record)  # type: ignore[attr-defined]
            shown.append(format_html('<a href="{}">{}</a>', url, badge) if url else badge)
        return format_html_join(" ", "{}", ((item,) for item in shown))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)  # type: ignore[misc]
        if self.actions is None or IS_POPUP_VAR in request.GET:  # type: ignore[attr-defined]
            return found
        if can_retry(request):
            func = type(self).sync_to_thred
            found["sync_to_thred"] = (func, "sync_to_thred", func.short_description)  # type: ignore[attr-defined]
        return found

    @admin.action(description="Sync to Thred")
    def sync_to_thred(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        if not can_retry(request):
            raise PermissionDenied
        count = queue(list(queryset))
        self.message_user(  # type: ignore[attr-defined]
            request,
            f"{count} object{'' if count == 1 else 's'} queued for Thred.",
            messages.SUCCESS if count else messages.WARNING,
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            "thred_base_template": self._base_template("change_list"),
            "thred_outbox_url": self._outbox_url(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)  # type: ignore[misc]

    # --- change form ----------------------------------------------------------------
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context: dict[str, Any] = {"thred_base_template": self._base_template("change_form")}
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is not None:
            record = self.thred_record(obj)
            info = self.opts.app_label, self.opts.model_name  # type: ignore[attr-defined]
            site = self.admin_site.name  # type: ignore[attr-defined]
            context.update(
                thred_record=record,
                thred_badge=self.thred_status_badge(record),
                thred_record_url=admin_change_url(self.admin_site, record) if record else None,  # type: ignore[attr-defined]
                thred_can_retry=can_retry(request),
                thred_retry_url=reverse(
                    "admin:{}_{}_thred_retry".format(*info), args=[obj.pk], current_app=site
                ),
                thred_resync_url=reverse(
                    "admin:{}_{}_thred_resync".format(*info), args=[obj.pk], current_app=site
                ),
            )
        context.update(extra_context or {})
        return super().change_view(request, object_id, form_url, context)  # type: ignore[misc]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            "thred_base_template": self._base_template("change_form"),
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, context)  # type: ignore[misc]

    def thred_push_view(self, request: HttpRequest, object_id: str, force: bool) -> HttpResponse:
        """POST <pk>/thred/retry/ or /thred/resync/: queue the object, back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        # Permission first: a refused user must not learn which ids exist (no 404 oracle).
        if not (self.has_view_permission(request) and can_retry(request)):  # type: ignore[attr-defined]
            raise PermissionDenied
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        count = queue([obj], force=force)
        verb = "resync" if force else "retry"
        if count:
            self.message_user(request, f"“{obj}” queued for a Thred {verb}.", messages.SUCCESS)  # type: ignore[attr-defined]
        else:
            self.message_user(  # type: ignore[attr-defined]
                request,
                f"Nothing queued for “{obj}”: it is being pushed right now, or sync is disabled.",
                messages.WARNING,
            )
        opts = self.opts  # type: ignore[attr-defined]
        return HttpResponseRedirect(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[obj.pk],
                current_app=self.admin_site.name,  # type: ignore[attr-defined]
            )
        )

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name  # type: ignore[attr-defined]
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        custom = [
            path(
                "<path:object_id>/thred/retry/",
                wrap(self.thred_push_view),
                {"force": False},
                name="{}_{}_thred_retry".format(*info),
            ),
            path(
                "<path:object_id>/thred/resync/",
                wrap(self.thred_push_view),
                {"force": True},
                name="{}_{}_thred_resync".format(*info),
            ),
        ]
        return custom + super().get_urls()  # type: ignore[misc]

    # --- helpers --------------------------------------------------------------------
    def _base_template(self, kind: str) -> Any:
        configured = getattr(self, f"thred_base_{kind}_template")
        if configured:
            return configured
        opts = self.opts  # type: ignore[attr-defined]
        return select_template(
            [
                f"admin/{opts.app_label}/{opts.model_name}/{kind}.html",
                f"admin/{opts.app_label}/{kind}.html",
                f"admin/{kind}.html",
            ]
        )

    def _outbox_url(self, request: HttpRequest) -> str | None:
        site = self.admin_site  # type: ignore[attr-defined]
        record_admin = site._registry.get(SyncRecord)
        if record_admin is None or not record_admin.has_view_permission(request):
            return None
        try:
            url = reverse("admin:thred_django_syncrecord_changelist", current_app=site.name)
        except NoReverseMatch:
            return None
        ct = ContentType.objects.get_for_model(self.model)  # type: ignore[attr-defined]
        return f"{url}?content_type__id__exact={ct.pk}"
