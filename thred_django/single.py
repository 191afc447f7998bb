"""Single-business mode: ``THRED["BUSINESS"]`` makes every record belong to one business.

A host with no tenant model (one Django site = one shop: users, guest addresses and
orders have no relation to any "business" row) sets::

    THRED = {..., "BUSINESS": {"legal_name": "Acme Coffee Ltd", "entity_type": "limited",
                               "email": "books@acme.example", "country": "GB",
                               "base_currency": "GBP"}}

or a dotted path to a callable returning that dict (read at each push of the business,
so it may come from the database). Mappings then need no ``business`` path; the
business is the one ``SingleBusiness`` row, made and pushed at the first push that
needs it, or by ``manage.py thred_onboard``. An ``external_id`` key in the payload is
the business's external id (default ``"<EXTERNAL_ID_PREFIX>business"``); it is stored
at the first mark and never changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from thred_django.conf import thred_settings
from thred_django.exceptions import ThredConfigurationError
from thred_django.mappings import SINGLE_TENANT_ID, BusinessMapping, PayloadContext, registry

if TYPE_CHECKING:
    from thred_django.models import SingleBusiness


def configured() -> bool:
    return thred_settings.BUSINESS is not None


def payload() -> dict[str, Any]:
    """The business payload THRED["BUSINESS"] gives (a copy; the callable is called)."""
    value = thred_settings.BUSINESS
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as exc:
            raise ThredConfigurationError(
                f"THRED['BUSINESS'] is {thred_settings.BUSINESS!r}, which cannot be imported "
                f"({exc}); give a dict or the dotted path of a callable returning one."
            ) from None
    if callable(value):
        try:
            value = value()
        except Exception as exc:
            raise ThredConfigurationError(
                f"THRED['BUSINESS'] ({thred_settings.BUSINESS!r}) raised "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    if not isinstance(value, dict):
        raise ThredConfigurationError(
            f"THRED['BUSINESS'] gave {type(value).__name__}, not a dict: give the business "
            "payload (legal_name, entity_type, email, country, base_currency) or a callable "
            "returning it."
        )
    return dict(value)


def business() -> SingleBusiness:
    """The business row, created (and so marked for sync) when it does not exist yet."""
    from thred_django.models import SingleBusiness

    row, _ = SingleBusiness.objects.get_or_create(pk=int(SINGLE_TENANT_ID))
    return row


class SingleBusinessMapping(BusinessMapping):
    """The mapping of the ``SingleBusiness`` row; its payload is THRED["BUSINESS"]."""

    def get_external_id(self, obj: Any) -> str:
        given = payload().get("external_id")
        return str(given) if given else f"{thred_settings.EXTERNAL_ID_PREFIX}business"

    def build_payload(self, obj: Any, ctx: PayloadContext) -> dict[str, Any]:
        body = payload()
        body.pop("external_id", None)  # the engine adds the stored one
        return body


_mapping: SingleBusinessMapping | None = None


def mapping() -> SingleBusinessMapping:
    global _mapping
    if _mapping is None:
        from thred_django.models import SingleBusiness

        _mapping = SingleBusinessMapping(SingleBusiness)
    return _mapping


registry.provide_single(mapping)
