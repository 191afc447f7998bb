from django.apps import AppConfig


class ThredDjangoConfig(AppConfig):
    name = "thred_django"
    label = "thred_django"
    verbose_name = "Thred sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thred_django import checks  # noqa: F401  (registers system checks)
