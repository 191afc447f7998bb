"""System checks of the registered mappings (``manage.py check``).

Stable ids ``thred_django.E020`` … ``E029``: each mistake a mapping can make that would
otherwise surface only when a row is saved or pushed, with what to write instead.

* E020 ``resource`` is not a Thred resource name.
* E021 ``business`` is empty on a non-business mapping (unless ``THRED["BUSINESS"]``
  makes the site one business).
* E022 a hop of ``business`` is not a field of the model it is read on.
* E023 a hop of ``business`` is a field, but not a forward foreign key / one-to-one.
* E024 ``business`` ends on a model that is not the one mapped to a Thred business.
* E025 a hook the engine calls is not callable (``build_payload``, ``should_sync``,
  ``get_external_id``, ``get_queryset``, ``get_timezone``).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from thred_django.mappings import CURRENT_TENANT, Mapping, single_business_mode
from thred_django.resources import Resource

HOOKS = ("build_payload", "should_sync", "get_external_id", "get_queryset", "get_timezone")


def relation_path_problem(
    model: type[models.Model], path: str, business_model: type[models.Model] | None
) -> tuple[str, str, str] | None:
    """(check id, message, hint) of the first thing wrong with ``path``, or None."""
    current = model
    for hop in path.split("__"):
        opts = current._meta
        forward = sorted(
            f.name
            for f in opts.get_fields()
            if getattr(f, "concrete", False) and (f.many_to_one or f.one_to_one)
        )
        known = ", ".join(forward) or "none"
        try:
            field = opts.get_field(hop)
        except FieldDoesNotExist:
            return (
                "thred_django.E022",
                f"{opts.label} has no field {hop!r}.",
                f"Its foreign keys and one-to-one fields are: {known}.",
            )
        if not (getattr(field, "concrete", False) and (field.many_to_one or field.one_to_one)):
            return (
                "thred_django.E023",
                f"{opts.label}.{hop} is not a foreign key or one-to-one field.",
                f"Each hop of the path must be one; on {opts.label}: {known}.",
            )
        related = field.related_model
        assert isinstance(related, type)
        current = related
    if business_model is not None and (
        current._meta.concrete_model is not business_model._meta.concrete_model
    ):
        return (
            "thred_django.E024",
            f"The path {path!r} ends on {current._meta.label}, which is not mapped to a "
            f"Thred business ({business_model._meta.label} is).",
            f"Point it at the {business_model._meta.label} the row belongs to.",
        )
    return None


def mapping_problems(
    mapping: Mapping, business_model: type[models.Model] | None
) -> list[CheckMessage]:
    name = type(mapping).__name__
    label = mapping.model._meta.label
    errors: list[CheckMessage] = []
    if mapping.resource not in Resource.values:
        errors.append(
            Error(
                f"{name}.resource is {mapping.resource!r}.",
                hint=f"Use one of: {', '.join(Resource.values)}.",
                obj=mapping.model,
                id="thred_django.E020",
            )
        )
    for hook in HOOKS:
        if not callable(getattr(mapping, hook, None)):
            errors.append(
                Error(
                    f"{name}.{hook} is not callable.",
                    hint=f"Define {hook}() as a method (see thred_django.mappings.Mapping).",
                    obj=mapping.model,
                    id="thred_django.E025",
                )
            )
    if mapping.resource == Resource.BUSINESS or single_business_mode():
        return errors  # single-business mode: every record belongs to THRED["BUSINESS"]
    if mapping.business == CURRENT_TENANT:
        return errors  # django-tenants: checked by tenancy.check_placement (E040…)
    if not mapping.business:
        errors.append(
            Error(
                f"{name}.business is empty.",
                hint=f"Set it to the relation path from a {label} to its tenant, "
                "e.g. business = 'merchant' or 'invoice__merchant'.",
                obj=mapping.model,
                id="thred_django.E021",
            )
        )
        return errors
    problem = relation_path_problem(mapping.model, mapping.business, business_model)
    if problem:
        check_id, message, hint = problem
        errors.append(
            Error(
                f"{name}.business = {mapping.business!r}: {message}",
                hint=hint,
                obj=mapping.model,
                id=check_id,
            )
        )
    return errors


@register(Tags.compatibility)
def check_mapping_definitions(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from thred_django.mappings import registry

    mappings = registry.mappings()
    businesses = [m for m in mappings if m.resource == Resource.BUSINESS]
    business_model = businesses[0].model if len(businesses) == 1 else None
    errors: list[CheckMessage] = []
    for mapping in mappings:
        errors.extend(mapping_problems(mapping, business_model))
    return errors
