"""The ledger app's own admin, with the Thred column (a badge per resource of a row)."""

from django.contrib import admin

from thred_django.admin import ThredSyncAdminMixin

from . import models as m


@admin.register(m.Invoice)
class InvoiceAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    list_display = ["number", "status", "amount_paid"]
