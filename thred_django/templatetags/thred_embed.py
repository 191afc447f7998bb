"""``{% load thred_embed %}{% thred_accounting %}``: Thred's accounting widget, mounted
with the requesting user's business token (see ``thred_django.embed``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from thred_django.conf import thred_settings

register = template.Library()


@register.inclusion_tag("thred_django/embed/accounting.html")
def thred_accounting(element_id: str = "thred-accounting", **options: Any) -> dict[str, Any]:
    """The container and the module script. Extra keyword arguments are passed on to
    ``mountThredfi()`` as options (``{% thred_accounting theme="light" %}``)."""
    return {
        "element_id": element_id,
        "config": {
            "elementId": element_id,
            "tokenUrl": reverse("thred_embed:business-token"),
            "scriptUrl": thred_settings.EMBED_SCRIPT_URL,
            "options": options,
        },
        "config_id": f"{element_id}-config",
    }
