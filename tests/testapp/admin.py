"""The test host's own admin: its models with ThredSyncAdminMixin, as a platform would."""

from django.contrib import admin

from thred_django.admin import ThredSyncAdminMixin

from . import models as m


@admin.register(m.Shop)
class ShopAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    list_display = ["name", "country", "currency"]


@admin.register(m.Client)
class ClientAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    list_display = ["name", "shop"]
    list_select_related = ["shop"]


@admin.register(m.Sale)
class SaleAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    list_display = ["number", "shop", "client", "status", "amount_cents", "quantity"]
    list_select_related = ["shop", "client"]
    list_filter = ["status"]


@admin.register(m.Receipt)
class ReceiptAdmin(ThredSyncAdminMixin, admin.ModelAdmin):
    list_display = ["id", "sale", "amount_cents", "currency"]
    list_select_related = ["sale"]
