"""Django admin integration of thred_django (autodiscovered as ``thred_django.admin``).

Registers ``SyncRecordAdmin`` (the outbox, its actions, retry buttons and dashboard)
with the default admin site, and exports ``ThredSyncAdminMixin`` for the host's own
ModelAdmins. A project with its own AdminSite registers ``SyncRecordAdmin`` there too:
``my_site.register(SyncRecord, SyncRecordAdmin)``.

Modules: ``records`` (SyncRecordAdmin), ``mixins`` (ThredSyncAdminMixin), ``dashboard``
(its numbers), ``panels`` (change view panels), ``confirm`` (confirmation pages),
``filters``, ``badges``, ``helpers``.
"""

from django.contrib import admin

from thred_django.admin.mixins import ThredSyncAdminMixin
from thred_django.admin.records import SyncRecordAdmin
from thred_django.models import SyncRecord

admin.site.register(SyncRecord, SyncRecordAdmin)

__all__ = ["SyncRecordAdmin", "ThredSyncAdminMixin"]
