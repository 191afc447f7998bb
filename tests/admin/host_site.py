"""A second admin site shaped like real hosts' admins (tests/admin/test_host_templates.py).

Each host ModelAdmin there already renders templates of its own before
``ThredSyncAdminMixin`` joins it:

* Sale: the host's own ``change_list_template`` and ``change_form_template``;
* Shop: ``ReportMixin``, a second mixin setting both templates as class attributes,
  after ``ThredSyncAdminMixin`` in the bases;
* Client: django-import-export's ``ImportExportModelAdmin`` (which captures the template
  it finds in ``__init__`` and extends it), after ``ThredSyncAdminMixin``;
* Receipt: django-import-export's ``ImportExportMixin`` *before* ``ThredSyncAdminMixin``,
  over the host's own change list template.

``SyncRecord`` is registered there too, as a project with its own site does.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path
from import_export.admin import ImportExportMixin, ImportExportModelAdmin

from tests import urls
from tests.testapp import models as m
from thred_django.admin import SyncRecordAdmin, ThredSyncAdminMixin
from thred_django.models import SyncRecord

site = admin.AdminSite(name="hosts")
site.register(SyncRecord, SyncRecordAdmin)

HOST_LIST = "hostsite/host_change_list.html"
HOST_FORM = "hostsite/host_change_form.html"


class ReportMixin:
    change_list_template = "hostsite/report_change_list.html"
    change_form_template = "hostsite/report_change_form.html"


@admin.register(m.Sale, site=site)
class SaleAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    change_list_template = HOST_LIST
    change_form_template = HOST_FORM


@admin.register(m.Shop, site=site)
class ShopAdmin(ThredSyncAdminMixin, ReportMixin, admin.ModelAdmin):
    pass


@admin.register(m.Client, site=site)
class ClientAdmin(ThredSyncAdminMixin, ImportExportModelAdmin):
    pass


@admin.register(m.Receipt, site=site)
class ReceiptAdmin(ImportExportMixin, ThredSyncAdminMixin, admin.ModelAdmin):
    change_list_template = HOST_LIST


urlpatterns = [path("hosts/", site.urls), *urls.urlpatterns]
