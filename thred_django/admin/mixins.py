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
* on the change form: object-tools buttons Retry / Resync (``push.ThredPushMixin``, the
  outbox's own buttons: POST with CSRF to ``<pk>/thred/retry/`` and
  ``<pk>/thred/resync/``, a confirmation page on GET, 403 without ``retry_syncrecord``),
  a link to the outbox record and a notice with its last error;
* on the change list: a link to the outbox filtered to this model.

The host's templates are kept, never replaced: whatever template the change list or
change form would render without the mixin (the host's ``change_list_template`` /
``change_form_template``, one set by another mixin such as django-import-export, or
Django's per-model lookup ``admin/<app>/<model>/change_list.html`` …) is captured from
the response, before it renders, and the mixin's template extends it
(``thred_base_template``), adding to its ``object-tools-items`` and ``form_top`` blocks.
This works in any order of mixins.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import AdminSite
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from thred_django.admin.badges import NOT_MARKED, state_badge
from thred_django.admin.filters import SyncStateFilter
from thred_django.admin.helpers import admin_change_url, can_retry, page_objects
from thred_django.admin.push import PushKind, ThredPushMixin
from thred_django.engine import actions, marking
from thred_django.mappings import registry
from thred_django.models import SyncRecord

CHANGE_LIST_TEMPLATE = "thred_django/admin/mixin/change_list.html"
CHANGE_FORM_TEMPLATE = "thred_django/admin/mixin/change_form.html"
_RECORDS = "_thred_records"  # the object's records, attached for the page's rows


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


def extend_response_template(response: TemplateResponse, template: str) -> None:
    """Render ``template`` instead of the response's own, which it extends: the template
    the response would have rendered becomes ``thred_base_template`` (a
    TemplateResponse's template and context may be changed until it is rendered)."""
    if response.is_rendered:
        return
    base = response.resolve_template(response.template_name)
    response.context_data = {**(response.context_data or {}), "thred_base_template": base}
    response.template_name = template


class ThredSyncAdminMixin(ThredPushMixin):
    """Mix into a host ModelAdmin (before ``admin.ModelAdmin``)."""

    def __init__(self, model: type[models.Model], admin_site: AdminSite) -> None:
        super().__init__(model, admin_site)
        # Offered through the host's own action list (filtered by has_thred_retry_permission).
        if self.actions is not None and "sync_to_thred" not in self.actions:
            self.actions = [*self.actions, "sync_to_thred"]

    # --- change list ----------------------------------------------------------------
    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return [*super().get_list_display(request), "thred_status"]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return [*super().get_list_filter(request), SyncStateFilter]

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        objs = page_objects(changelist)
        found = _by_object(objs) if objs else {}
        for obj in objs:
            setattr(obj, _RECORDS, found.get(str(obj.pk), []))
        return changelist

    def thred_records(self, obj: models.Model) -> list[SyncRecord]:
        """The object's records, one per Thred resource it feeds (primary first)."""
        records: list[SyncRecord] | None = getattr(obj, _RECORDS, None)
        if records is None:
            records = _by_object([obj]).get(str(obj.pk), [])
            setattr(obj, _RECORDS, records)
        return records

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
            url = admin_change_url(self.admin_site, record)
            shown.append(format_html('<a href="{}">{}</a>', url, badge) if url else badge)
        return format_html_join(" ", "{}", ((item,) for item in shown))

    @admin.action(description="Sync to Thred", permissions=["thred_retry"])
    def sync_to_thred(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        if not can_retry(request):
            raise PermissionDenied
        count = queue(list(queryset))
        self.message_user(
            request,
            f"{count} object{'' if count == 1 else 's'} queued for Thred.",
            messages.SUCCESS if count else messages.WARNING,
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {"thred_outbox_url": self._outbox_url(request), **(extra_context or {})}
        response = super().changelist_view(request, context)
        # Only the change list itself: not an action's page (delete confirmation …).
        if isinstance(response, TemplateResponse) and isinstance(
            (response.context_data or {}).get("cl"), ChangeList
        ):
            extend_response_template(response, CHANGE_LIST_TEMPLATE)
        return response

    # --- change form ----------------------------------------------------------------
    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if change and obj is not None:
            record = self.thred_record(obj)
            context.update(
                self.thred_push_context(request, obj),
                thred_record=record,
                thred_badge=self.thred_status_badge(record),
                thred_record_url=admin_change_url(self.admin_site, record),
            )
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if isinstance(response, TemplateResponse):
            extend_response_template(response, CHANGE_FORM_TEMPLATE)
        return response

    def thred_push(self, obj: models.Model, kind: PushKind) -> int:
        """Mark the object (if it never was) and make its records due now."""
        return queue([obj], force=kind.force)

    # --- helpers --------------------------------------------------------------------
    def _outbox_url(self, request: HttpRequest) -> str | None:
        site = self.admin_site
        if not site.is_registered(SyncRecord):
            return None
        if not site.get_model_admin(SyncRecord).has_view_permission(request):
            return None
        try:
            url = reverse("admin:thred_django_syncrecord_changelist", current_app=site.name)
        except NoReverseMatch:
            return None
        ct = ContentType.objects.get_for_model(self.model)
        return f"{url}?content_type__id__exact={ct.pk}"
