"""App config: ``migrate`` also creates the database cache table the project uses."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """``createcachetable`` after every migrate (a no-op when it exists or is not used)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="sales.cache_table")
