from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "tests.tenants.project.customers"
    label = "customers"
