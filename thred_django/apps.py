from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ThredDjangoConfig(AppConfig):
    name = "thred_django"
    label = "thred_django"
    verbose_name = "Thred sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thred_django import (
            checks,  # noqa: F401  (registers system checks)
            mapping_checks,  # noqa: F401  (checks of the mappings)
        )
        from thred_django.engine import marking  # noqa: F401  (connects model signals)
        from thred_django.engine.schedule import install_sweep_schedule
        from thred_django.mappings import autodiscover

        autodiscover()
        post_migrate.connect(
            install_sweep_schedule, sender=self, dispatch_uid="thred_django.sweep_schedule"
        )
