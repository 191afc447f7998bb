"""Public API: declare how host models become Thred resources.

A host app puts a ``thred_mappings.py`` module next to its models (autodiscovered like
``admin.py``)::

    from thred_django import mappings
    from .models import Merchant, Invoice

    @mappings.register(Merchant)
    class MerchantMapping(mappings.BusinessMapping):
        def build_payload(self, obj, ctx):
            return {"legal_name": obj.name, "entity_type": "limited", "email": obj.email,
                    "country": "GB", "base_currency": "GBP"}

    @mappings.register(Invoice)
    class InvoiceMapping(mappings.Mapping):
        resource = "invoice"
        business = "merchant"            # relation path from an invoice to its tenant

        def should_sync(self, obj):       # optional filter
            return obj.status != "draft"

        def build_payload(self, obj, ctx):
            return {"customer_id": ctx.thred_id(obj.customer), ...}

``ctx.thred_id(parent)`` returns the Thred id of a related host object, pushing the
parent first when it has not reached Thred yet; this is how a mapping declares what it
depends on. ``external_id`` is added to every payload by the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.db import models

from thred_django import tenancy
from thred_django.conf import default_timezone, thred_settings
from thred_django.exceptions import ThredConfigurationError
from thred_django.resources import Resource

if TYPE_CHECKING:
    from django.db.models import QuerySet

# The tenant id of every record in single-business mode (THRED["BUSINESS"]): the pk of
# the one SingleBusiness row.
SINGLE_TENANT_ID = "1"


def single_business_mode() -> bool:
    return thred_settings.BUSINESS is not None


# ``business = CURRENT_TENANT``: the record belongs to the tenant whose schema is active
# (django-tenants; the tenant model, in the public schema, is mapped with BusinessMapping).
CURRENT_TENANT = tenancy.CURRENT_TENANT


class PayloadContext(Protocol):
    """What a mapping may ask the engine while it builds a payload."""

    def thred_id(self, obj: models.Model, resource: str | None = None) -> str:
        """The Thred id of a related host object, pushing it first if needed. A row that
        feeds several resources answers for ``resource`` (default: its primary mapping,
        the one registered first)."""
        ...

    @property
    def business(self) -> dict[str, Any]:
        """The payload Thred acknowledged for this record's business (base_currency…)."""
        ...


class Mapping:
    """How one host model becomes one Thred resource. Subclass and register it."""

    resource: ClassVar[str] = ""
    # Relation path from the object to its tenant, with "__" between hops: "merchant",
    # "invoice__merchant". Resolved without a query when the tenant is a direct FK.
    # CURRENT_TENANT: the tenant whose schema is active (django-tenants).
    business: ClassVar[str] = ""
    # The model fields build_payload / should_sync read (names or attnames). A save with
    # update_fields touching none of them (Django's update_last_login) does not mark.
    # None: every save marks (the payload hash still avoids a call when nothing changed).
    fields: ClassVar[Sequence[str] | None] = None
    # Rows of other models this mapping's payload reads: {"app_label.ModelName": "relation
    # path from such a row to the mapped object"} ("sale", "sale__order"). Saving or
    # deleting one re-marks the mapped object (``touched_by = {"shop.SaleLine": "sale"}``).
    touched_by: ClassVar[dict[str, str]] = {}
    model: type[models.Model]

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        # Not the first mapping registered for the model (set by the registry).
        self.secondary = False
        self._read: frozenset[str] | None = None

    def reads_any(self, update_fields: Collection[str]) -> bool:
        """Whether a save limited to ``update_fields`` may change what this mapping reads."""
        if self.fields is None:
            return True
        if self._read is None:
            names = set(self.fields)
            for field in self.model._meta.get_fields():
                attname = getattr(field, "attname", None)
                if field.name in names or attname in names:  # unknown names: check E012
                    names.update(n for n in (field.name, attname) if n)
            self._read = frozenset(names)
        return not self._read.isdisjoint(update_fields)

    # --- identity -------------------------------------------------------------------
    def get_external_id(self, obj: models.Model) -> str:
        """The external_id sent to Thred. Stored at the first mark, never changed.

        With django-tenants it starts with the object's schema (``"acme:shop.invoice-7"``)
        so rows of different schemas with the same primary key stay apart."""
        return self.external_id_for_pk(obj.pk, scope=tenancy.external_id_scope(obj))

    def external_id_for_pk(self, pk: Any, scope: str | None = None) -> str:
        """``<prefix>[<schema>:]<app_label>.<model>-<pk>``; a model's second and further
        mappings (``secondary``) add ``-<resource>`` so each Thred object has its own.
        ``scope``: the schema part (default: the current schema's, with django-tenants)."""
        opts = self.model._meta
        if scope is None:
            scope = tenancy.external_id_scope()
        prefix = thred_settings.EXTERNAL_ID_PREFIX
        base = f"{prefix}{scope}{opts.app_label}.{opts.model_name}-{pk}"
        return f"{base}-{self.resource}" if self.secondary else base

    def get_tenant_id(self, obj: models.Model) -> str:
        """Primary key of the tenant object, following ``business`` (FK ids, no query).

        In single-business mode (THRED["BUSINESS"]) every object belongs to the one
        business, whatever ``business`` says."""
        if single_business_mode():
            return SINGLE_TENANT_ID
        if self.business == CURRENT_TENANT:
            return tenancy.current_tenant_id()
        hops = self.business.split("__")
        target: Any = obj
        for hop in hops[:-1]:
            target = getattr(target, hop)
            if target is None:
                return ""
        field = target._meta.get_field(hops[-1])
        value = getattr(target, field.attname)
        return "" if value is None else str(value)

    def get_tenant(self, obj: models.Model) -> models.Model | None:
        if single_business_mode():
            from thred_django.models import SingleBusiness

            return SingleBusiness.objects.filter(pk=SINGLE_TENANT_ID).first()
        if self.business == CURRENT_TENANT:
            return tenancy.current_tenant()
        target: Any = obj
        for hop in self.business.split("__"):
            target = getattr(target, hop)
            if target is None:
                return None
        return target

    # --- what to send ---------------------------------------------------------------
    def should_sync(self, obj: models.Model) -> bool:
        """Return False to keep this object out of Thred (state: skipped). An object
        already in Thred that turns False is treated as inactive (``is_active``)."""
        return True

    def is_active(self, obj: models.Model) -> bool:
        """Return False for an object that still exists but is void / cancelled /
        archived in the host (``status == "void"``, a soft delete): once it is in Thred,
        the engine voids, cancels or archives it there (``thred_django.lifecycle``)."""
        return True

    def build_payload(self, obj: models.Model, ctx: PayloadContext) -> dict[str, Any]:
        """The request body for Thred, without external_id (the engine adds it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_payload()")

    def get_queryset(self) -> QuerySet[Any]:
        """Rows to load when pushing or backfilling (add select_related here)."""
        return self.model._default_manager.all()

    def get_timezone(self, obj: models.Model) -> tzinfo:
        """The business's time zone: a ``date`` sent in a Thred date-time field
        (``due_at``…) is midnight there, and a naive ``datetime`` is read there.
        Default ``THRED["TIMEZONE"]`` or Django's ``TIME_ZONE``; override it when each
        tenant has its own (``return ZoneInfo(obj.merchant.timezone)``)."""
        return default_timezone()

    def backfill_queryset(self) -> QuerySet[Any]:
        """Rows ``thred_backfill`` marks in the current schema (django-tenants: only this
        schema's tenant of the shared tenant table)."""
        return tenancy.scoped(self.get_queryset())


class BusinessMapping(Mapping):
    """Mapping for the tenant model: each tenant is one Thred business."""

    resource: ClassVar[str] = Resource.BUSINESS

    def get_tenant_id(self, obj: models.Model) -> str:
        return str(obj.pk)

    def get_tenant(self, obj: models.Model) -> models.Model | None:
        return obj


class Registry:
    """Host model → its mappings, one per Thred resource.

    A model may feed several resources (an invoice row that also carries its payment:
    register an invoice mapping and a payment mapping for it). Each (model, resource)
    has its own outbox record and external id. Without ``resource``, lookups by model
    answer with the mapping registered first for it (its *primary* mapping).
    """

    def __init__(self) -> None:
        self._by_model: dict[type[models.Model], list[Mapping]] = {}
        # Single-business mode's mapping, provided by thred_django.single when imported
        # (the app's ready() imports it): mappings need not import it back.
        self._single_mapping: Callable[[], Mapping] | None = None

    def provide_single(self, mapping: Callable[[], Mapping]) -> None:
        """Where single-business mode's mapping comes from (``thred_django.single``)."""
        self._single_mapping = mapping

    def register(self, model: type[models.Model], mapping_class: type[Mapping]) -> Mapping:
        if not issubclass(mapping_class, Mapping):
            raise ThredConfigurationError(
                f"{mapping_class!r} registered for {model.__name__} is not a Mapping subclass."
            )
        if mapping_class.resource not in Resource.values:
            raise ThredConfigurationError(
                f"{mapping_class.__name__}.resource is {mapping_class.resource!r}; "
                f"use one of: {', '.join(Resource.values)}."
            )
        if (
            mapping_class.resource != Resource.BUSINESS
            and not mapping_class.business
            and not single_business_mode()
        ):
            raise ThredConfigurationError(
                f"{mapping_class.__name__}.business is empty; set it to the relation path "
                f"from a {model.__name__} to its tenant, e.g. business = 'merchant', or, "
                "when the whole site is one business, set THRED['BUSINESS']."
            )
        if model._meta.proxy:
            concrete = model._meta.concrete_model
            label = concrete._meta.label if concrete else "its concrete model"
            raise ThredConfigurationError(
                f"{model._meta.label} is a proxy model: its rows are {label} rows, saved "
                f"and marked as {label}. Register {mapping_class.__name__} for {label} "
                f"(one model may feed several Thred resources: register one mapping per "
                f"resource, and use should_sync() to pick the rows)."
            )
        existing = self._by_model.get(model, [])
        if any(m.resource == mapping_class.resource for m in existing):
            raise ThredConfigurationError(
                f"{model.__name__} is already mapped to a Thred {mapping_class.resource}; "
                "a model feeds each resource through one mapping."
            )
        mapping = mapping_class(model)
        mapping.secondary = bool(existing)
        self._by_model[model] = [*existing, mapping]
        return mapping

    def unregister(self, model: type[models.Model], resource: str | None = None) -> None:
        """Forget ``model``'s mapping of ``resource``, or all of them."""
        if resource is None:
            self._by_model.pop(model, None)
            return
        kept = [m for m in self._by_model.get(model, []) if m.resource != resource]
        if kept:
            kept[0].secondary = False
            self._by_model[model] = kept
        else:
            self._by_model.pop(model, None)

    def _single(self) -> Mapping | None:
        """The single business's mapping, in single-business mode."""
        if not single_business_mode() or self._single_mapping is None:
            return None
        return self._single_mapping()

    def mappings_for(self, model: type[models.Model]) -> list[Mapping]:
        """Every mapping of ``model``, primary first."""
        found = self._by_model.get(model)
        if found:
            return list(found)
        single = self._single()
        return [single] if single is not None and model is single.model else []

    def get(self, model: type[models.Model], resource: str | None = None) -> Mapping | None:
        """``model``'s mapping of ``resource`` (default: its primary mapping), or None."""
        found = self.mappings_for(model)
        if resource is None:
            return found[0] if found else None
        return next((m for m in found if m.resource == resource), None)

    def of_content_type(self, content_type_id: int, resource: str | None = None) -> Mapping | None:
        """The mapping of ``resource`` for a content type's model (an outbox record's),
        or None when that model is no longer mapped or gone. The content type comes
        from ``ContentType``'s cache: no query."""
        from django.contrib.contenttypes.models import ContentType

        model = ContentType.objects.get_for_id(content_type_id).model_class()
        return self.get(model, resource) if model else None

    def for_model(self, model: type[models.Model], resource: str | None = None) -> Mapping:
        mapping = self.get(model, resource)
        if mapping is None:
            if resource is not None and model in self:
                mapped = ", ".join(m.resource for m in self.mappings_for(model))
                raise ThredConfigurationError(
                    f"{model._meta.label} is not mapped to a Thred {resource} (it feeds: {mapped})."
                )
            raise ThredConfigurationError(
                f"{model._meta.label} has no Thred mapping; register one in a "
                f"thred_mappings.py module of its app."
            )
        return mapping

    def mappings(self) -> list[Mapping]:
        single = self._single()
        every = [m for found in self._by_model.values() for m in found]
        return every + ([single] if single is not None else [])

    def business_mapping(self) -> Mapping | None:
        single = self._single()
        if single is not None:
            return single
        found = [m for m in self.mappings() if m.resource == Resource.BUSINESS]
        return found[0] if found else None

    def __contains__(self, model: object) -> bool:
        if model in self._by_model:
            return True
        single = self._single()
        return single is not None and model is single.model


registry = Registry()


def register(model: type[models.Model]) -> Callable[[type[Mapping]], type[Mapping]]:
    """Class decorator: ``@register(Invoice) class InvoiceMapping(Mapping): ...``."""

    def decorator(mapping_class: type[Mapping]) -> type[Mapping]:
        registry.register(model, mapping_class)
        return mapping_class

    return decorator


def autodiscover() -> None:
    """Import ``thred_mappings`` from every installed app (like admin.autodiscover)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("thred_mappings")
