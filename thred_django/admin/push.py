"""The Retry / Resync buttons of a change page: one view for every thred_django admin.

``ThredPushMixin`` is inherited by ``SyncRecordAdmin`` (the outbox: the object is a
``SyncRecord``) and by ``ThredSyncAdminMixin`` (the host's admin: the object is the host
row). Each says what a push of its object does (``thred_push(obj, kind)``) and where its
URLs live; everything else is here, once:

* URLs ``<pk>/<thred_push_path>retry/`` and ``…resync/``, named
  ``<app>_<model>_<thred_push_name>retry`` / ``…resync``, wrapped in ``admin_view``
  (staff login, CSRF on POST, never cached);
* permission first: the admin's view permission and ``can_retry`` (``thred_django.access``)
  before any lookup, so a refused user learns nothing about which ids exist (403 for a
  missing id too); then 404 for a missing object, then the object's view permission;
* GET: a confirmation page (what will happen, a POST form with the CSRF token); POST:
  the push is queued (nothing is sent to Thred in the request) and the user goes back to
  the change page with one message saying what happened;
* ``thred_push_context(request, obj)``: what the change form's buttons need
  (``thred_django/admin/_push_buttons.html``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from thred_django.admin.helpers import ModelAdminBase, can_retry


@dataclass(frozen=True)
class PushKind:
    """One of the two buttons."""

    name: str  # "retry" | "resync": the URL's last segment
    force: bool  # push even when the payload has not changed since Thred acknowledged it
    title: str  # the confirmation page's title
    explanation: str  # what happens, on the confirmation page
    button: str  # its submit button


RETRY = PushKind(
    name="retry",
    force=False,
    title="Retry the Thred sync",
    explanation=(
        "Its Thred sync record becomes due now with the attempt counter reset, and a push "
        "is queued; nothing is sent to Thred before you confirm. In the outbox, a record "
        "a worker is pushing right now is left alone; on the object's own page the object "
        "is marked again first, as saving it would (an object never marked gets its record)."
    ),
    button="Yes, retry",
)
RESYNC = PushKind(
    name="resync",
    force=True,
    title="Resync to Thred",
    explanation=(
        "Like a retry, but the object is sent to Thred even when its payload has not "
        "changed since Thred last acknowledged it."
    ),
    button="Yes, resync",
)
KINDS = {kind.name: kind for kind in (RETRY, RESYNC)}


class ThredPushMixin(ModelAdminBase):
    """Retry / Resync for one object of a ModelAdmin (see the module docstring)."""

    #: URL segment before ``retry/`` / ``resync/`` (after ``<pk>/``).
    thred_push_path: ClassVar[str] = "thred/"
    #: URL name part before ``retry`` / ``resync`` (after ``<app>_<model>_``).
    thred_push_name: ClassVar[str] = "thred_"

    def thred_push(self, obj: Any, kind: PushKind) -> int:
        """Queue ``obj`` (never call Thred here); return how many records were queued."""
        raise NotImplementedError

    def thred_push_label(self, obj: Any) -> str:
        """How messages and the confirmation page name the object."""
        return str(obj)

    def has_thred_retry_permission(self, request: HttpRequest) -> bool:
        """``thred_django.access.can_retry``: retry *and* view sync records. Also the
        permission of admin actions declared with ``permissions=["thred_retry"]``."""
        return can_retry(request)

    # --- URLs and what the change form needs -----------------------------------------
    def thred_push_url_name(self, kind: PushKind) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{self.thred_push_name}{kind.name}"

    def thred_push_urls(self) -> list[URLPattern]:
        return [
            path(
                f"<path:object_id>/{self.thred_push_path}{kind.name}/",
                self.admin_site.admin_view(self.thred_push_view),
                {"kind": kind.name},
                name=self.thred_push_url_name(kind),
            )
            for kind in KINDS.values()
        ]

    def get_urls(self) -> list[URLPattern]:
        return self.thred_push_urls() + super().get_urls()

    def thred_push_url(self, obj: models.Model, kind: PushKind) -> str:
        return reverse(
            f"admin:{self.thred_push_url_name(kind)}",
            args=[quote(obj.pk)],
            current_app=self.admin_site.name,
        )

    def thred_change_url(self, obj: models.Model) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[quote(obj.pk)],
            current_app=self.admin_site.name,
        )

    def thred_push_context(self, request: HttpRequest, obj: models.Model) -> dict[str, Any]:
        """``thred_can_retry``, ``thred_retry_url``, ``thred_resync_url`` for the buttons."""
        return {
            "thred_can_retry": self.has_thred_retry_permission(request),
            "thred_retry_url": self.thred_push_url(obj, RETRY),
            "thred_resync_url": self.thred_push_url(obj, RESYNC),
        }

    # --- the view ---------------------------------------------------------------------
    def thred_push_view(self, request: HttpRequest, object_id: str, kind: str) -> HttpResponse:
        """GET: confirmation page; POST: queue the object and go back to its page."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        push = KINDS[kind]
        # Permission first: a refused user must not learn which ids exist (no 404 oracle).
        if not (self.has_view_permission(request) and self.has_thred_retry_permission(request)):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with id “{object_id}”.")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if request.method == "GET":
            return self.thred_push_confirmation(request, obj, push)
        label = self.thred_push_label(obj)
        if self.thred_push(obj, push):
            self.message_user(
                request,
                f"“{label}” queued for a {push.name}: a worker pushes it to Thred shortly.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                f"Nothing queued for “{label}”: it is being pushed right now, or sync is disabled.",
                messages.WARNING,
            )
        return HttpResponseRedirect(self.thred_change_url(obj))

    def thred_push_confirmation(
        self, request: HttpRequest, obj: models.Model, push: PushKind
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"{push.title}: are you sure?",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "object_label": self.thred_push_label(obj),
            "push": push,
            "change_url": self.thred_change_url(obj),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "thred_django/admin/confirm_push.html", context)
