from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "tests.tenants.project.shop"
    label = "shop"
