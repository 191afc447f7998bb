"""Schema-per-tenant hosts (django-tenants): which schemas to work in, and running there.

The one place that knows about django-tenants. It is imported lazily, here only, so
thred_django works without it installed; every function is a no-op (one run, no
schema) when ``django_tenants`` is not in INSTALLED_APPS.

The supported layout: ``thred_django`` in TENANT_APPS (each tenant schema has its own
outbox, attempt log and business health), ``django_q`` and the tenant model's app in
SHARED_APPS (one queue and one schedule, in the public schema). Then:

* marks are written in the schema of the saved object (a tenant object: its own schema);
* a push task carries the schema it was enqueued from; the sweep and the commands run
  once per tenant schema (``for_each_schema``), and one tenant's failure is logged and
  reported without stopping the others;
* push threads run in the schema of the run that started them (``bound``);
* a mapping whose ``business`` is ``CURRENT_TENANT`` belongs to the tenant whose schema
  is active, and generated external ids start with the schema name, so they are unique
  across schemas (two tenants' ``customer-1`` are two Thred objects).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

from thred_django.exceptions import ThredConfigurationError

logger = logging.getLogger("thred_django.tenancy")

T = TypeVar("T")

# ``Mapping.business`` value: the record belongs to the tenant whose schema is active.
CURRENT_TENANT = "@current_tenant"
APP = "thred_django"
SUPPORTED_LAYOUT = (
    "Put 'thred_django' in TENANT_APPS (each tenant schema gets its own outbox) and "
    "'django_q', 'django.contrib.contenttypes' and your tenant model's app in SHARED_APPS "
    "(one queue and schedule in the public schema); see the README, 'Schema-per-tenant "
    "platforms (django-tenants)', or the docs' Recipes."
)


@functools.cache
def active() -> bool:
    """True when django-tenants is installed in this project (asked for every mark, so
    kept until INSTALLED_APPS changes: ``_installed_apps_changed``)."""
    return apps.is_installed("django_tenants")


@receiver(setting_changed)
def _installed_apps_changed(setting: str, **kwargs: Any) -> None:
    if setting == "INSTALLED_APPS":
        active.cache_clear()


def _utils() -> Any:
    from django_tenants import utils

    return utils


def current_schema() -> str | None:
    """The schema the default connection works in; None without django-tenants."""
    if not active():
        return None
    from django.db import connections

    connection = connections[_utils().get_tenant_database_alias()]
    return getattr(connection, "schema_name", None) or _utils().get_public_schema_name()


def public_schema() -> str:
    return str(_utils().get_public_schema_name())


def app_in(setting: str, app: str) -> bool:
    """Is ``app`` (its dotted name) listed in SHARED_APPS / TENANT_APPS, by name or by
    the path of one of its AppConfig classes?"""
    for entry in getattr(settings, setting, None) or ():
        name = str(entry)
        if name == app:
            return True
        head, _, last = name.rpartition(".")
        if (
            last[:1].isupper()
            and head.startswith(app + ".")
            and head.count(".") == app.count(".") + 1
        ):
            return True
    return False


def schemas(only: str | None = None) -> list[str]:
    """The schemas that hold an outbox: every tenant schema, or just ``only``. Without
    django-tenants: ``[""]`` (one run, no schema)."""
    if not active():
        if only:
            raise ThredConfigurationError(
                f"--schema {only!r} needs django-tenants; this project has no schemas."
            )
        return [""]
    public = public_schema()
    tenant_model = _utils().get_tenant_model()
    with activated(public):
        names = list(
            tenant_model._default_manager.exclude(schema_name=public)
            .order_by("schema_name")
            .values_list("schema_name", flat=True)
        )
    if only is None:
        return names
    if only not in names:
        known = ", ".join(names) or "none"
        raise ThredConfigurationError(
            f"No tenant has the schema {only!r} (schemas with an outbox: {known})."
        )
    return [only]


@contextlib.contextmanager
def activated(schema: str | None) -> Iterator[None]:
    """Work in ``schema`` inside the block (no-op for None/"" or without django-tenants)."""
    if not schema or not active():
        yield
        return
    with _utils().schema_context(schema):
        yield


def bound(func: Callable[..., T]) -> Callable[..., T]:
    """``func`` wrapped to run in the caller's current schema, wherever it is called:
    a new thread's connection starts in the public schema."""
    schema = current_schema()
    if not schema:
        return func

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> T:
        with activated(schema):
            return func(*args, **kwargs)

    return run


@dataclass
class SchemaRun(Generic[T]):
    schema: str
    result: T | None = None
    error: BaseException | None = None


def for_each_schema(func: Callable[[], T], *, schema: str | None = None) -> list[SchemaRun[T]]:
    """Run ``func()`` in each schema with an outbox (or only ``schema``).

    An exception in one schema is logged and kept in its ``SchemaRun``; the others still
    run. Without django-tenants: one run, in place, whose exception propagates.
    """
    if not active():
        schemas(schema)  # a schema named without django-tenants is an error
        return [SchemaRun("", func())]
    runs: list[SchemaRun[T]] = []
    for name in schemas(schema):
        run: SchemaRun[T] = SchemaRun(name)
        try:
            with activated(name):
                run.result = func()
        except Exception as exc:
            logger.exception("Thred work in schema %s failed; the other schemas go on", name)
            run.error = exc
        runs.append(run)
    return runs


# --- which tenant a record belongs to ----------------------------------------------------
def is_tenant_object(obj: models.Model) -> bool:
    return active() and isinstance(obj, _utils().get_tenant_model())


def schema_of(obj: models.Model) -> str | None:
    """The schema an object's outbox record lives in: a tenant's own, else the current."""
    if is_tenant_object(obj):
        return str(obj.schema_name)  # type: ignore[attr-defined]
    return current_schema()


def tenant_outbox(obj: models.Model) -> str | None:
    """The schema whose outbox takes a tenant object's business record: its own, once it
    exists (not while a new tenant is saved), never the public tenant's."""
    schema = schema_of(obj)
    if not schema or schema == public_schema() or not _utils().schema_exists(schema):
        return None
    return schema


@functools.lru_cache(maxsize=1024)
def _tenant_pk(schema: str) -> str:
    tenant_model = _utils().get_tenant_model()
    pk = tenant_model._default_manager.filter(schema_name=schema).values_list("pk", flat=True)
    found = pk.first()
    return "" if found is None else str(found)


def current_tenant_id() -> str:
    """Primary key of the tenant whose schema is active ("" in public or without one)."""
    schema = current_schema()
    if not schema or schema == public_schema():
        return ""
    from django.db import connections

    tenant = getattr(connections[_utils().get_tenant_database_alias()], "tenant", None)
    if isinstance(tenant, _utils().get_tenant_model()) and tenant.pk is not None:
        return str(tenant.pk)  # set by the middleware or tenant_context(): no query
    tenant_id = _tenant_pk(schema)
    if not tenant_id:
        _tenant_pk.cache_clear()  # not created yet when first asked: ask again next time
    return tenant_id


def current_tenant() -> models.Model | None:
    tenant_id = current_tenant_id()
    if not tenant_id:
        return None
    tenant_model = _utils().get_tenant_model()
    return tenant_model._default_manager.filter(pk=tenant_id).first()


def external_id_scope(obj: models.Model | None = None) -> str:
    """What generated external ids start with: ``"<schema>:"`` with django-tenants."""
    schema = schema_of(obj) if obj is not None else current_schema()
    return f"{schema}:" if schema else ""


def scoped(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Rows of ``queryset`` whose records belong in the current schema: for the tenant
    model (a shared table), only the tenant of this schema."""
    if not active() or not issubclass(queryset.model, _utils().get_tenant_model()):
        return queryset
    return queryset.filter(schema_name=current_schema())


def connect_schema_created(callback: Callable[[models.Model], None]) -> None:
    """Call ``callback(tenant)`` when django-tenants has created and migrated a tenant's
    schema (its business can then be marked there)."""
    if not active():
        return
    from django_tenants.signals import post_schema_sync

    def receiver(sender: Any, tenant: models.Model, **kwargs: Any) -> None:
        callback(tenant)

    post_schema_sync.connect(receiver, weak=False, dispatch_uid="thred_django.schema_created")


# --- system checks (thred_django.checks runs them with the registered mappings) ----------
def placement_errors(mappings: list[Any]) -> list[Any]:
    """The django-tenants layouts that lose or mix tenants' records, for these mappings."""
    from django.core.checks import Error

    errors: list[Any] = []
    current = [m for m in mappings if m.business == CURRENT_TENANT]
    if not active():
        if current:
            errors.append(
                Error(
                    f"{type(current[0]).__name__}.business is CURRENT_TENANT but django-tenants "
                    "is not installed: no schema says which tenant a record belongs to.",
                    hint="Install django-tenants (pip install 'thred-django[tenants]') and add "
                    "'django_tenants' to INSTALLED_APPS, or set business to a relation path.",
                    id="thred_django.E040",
                )
            )
        return errors
    if app_in("SHARED_APPS", APP) and not app_in("TENANT_APPS", APP):
        errors.append(
            Error(
                "thred_django is in SHARED_APPS only: one outbox in the public schema keyed by "
                "(content type, primary key) mixes the rows of different tenant schemas, and "
                "tenant records are marked where the outbox does not exist.",
                hint=SUPPORTED_LAYOUT,
                id="thred_django.E041",
            )
        )
    if app_in("TENANT_APPS", "django_q"):
        errors.append(
            Error(
                "django_q is in TENANT_APPS: each schema gets its own queue and schedule, and "
                "a qcluster (which runs in the public schema) never sees the pushes enqueued "
                "in tenant schemas.",
                hint=SUPPORTED_LAYOUT,
                id="thred_django.E042",
            )
        )
    tenant_model = _utils().get_tenant_model()
    for mapping in mappings:
        model = mapping.model
        if issubclass(model, tenant_model):
            continue  # marked in the tenant's own schema
        if not app_in("TENANT_APPS", model._meta.app_config.name):
            errors.append(
                Error(
                    f"{model._meta.label} is mapped to Thred but its app is not in "
                    "TENANT_APPS: its rows live outside the tenant schemas, where no outbox "
                    "says which tenant they belong to.",
                    hint="Map only models of TENANT_APPS apps (and the tenant model itself). "
                    + SUPPORTED_LAYOUT,
                    obj=model,
                    id="thred_django.E043",
                )
            )
    return errors
