from django.apps import AppConfig


class ThredSandboxConfig(AppConfig):
    name = "thred_django.sandbox"
    label = "thred_sandbox"
    verbose_name = "Thred sandbox"
    default_auto_field = "django.db.models.BigAutoField"
