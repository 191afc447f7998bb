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
            single,  # noqa: F401  (provides single-business mode's mapping)
            tenancy,
            throughput_checks,  # noqa: F401  (checks of the concurrency settings)
        )
        from thred_django.engine import marking  # connects model signals
        from thred_django.engine.schedule import (
            install_reconcile_schedule,
            install_sweep_schedule,
        )
        from thred_django.mappings import autodiscover

        autodiscover()
        # django-tenants: a new tenant's business is marked once its schema exists.
        tenancy.connect_schema_created(marking.mark)
        post_migrate.connect(
            install_sweep_schedule, sender=self, dispatch_uid="thred_django.sweep_schedule"
        )
        post_migrate.connect(
            install_reconcile_schedule,
            sender=self,
            dispatch_uid="thred_django.reconcile_schedule",
        )
