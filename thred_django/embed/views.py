"""``GET`` → a business token for the requesting user's own business.

Response: ``{"access_token", "token_type", "expires_in", "expires_at", "business_id"}``
with ``Cache-Control: no-store``. 403 when the user has no business, 409 while it has
not reached Thred, 502 when Thred refused (the reason is logged, never the token).
The token is Thred's business token (locked to that business; Thred issues it for an
hour): the widget fetches a new one from this endpoint before ``expires_at``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework import status as http
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from thred_django.client import get_client
from thred_django.conf import thred_settings
from thred_django.embed.resolver import NoBusiness, NotInThred, business_record
from thred_django.exceptions import ThredError

logger = logging.getLogger("thred_django.embed")


class BusinessTokenView(APIView):
    def get_permissions(self) -> list[BasePermission]:
        return [
            (import_string(entry) if isinstance(entry, str) else entry)()
            for entry in thred_settings.EMBED_PERMISSION_CLASSES
        ]

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            record = business_record(request)
        except NoBusiness:
            return self._answer(
                {"detail": "You have no business to show."}, http.HTTP_403_FORBIDDEN
            )
        except NotInThred:
            return self._answer(
                {"detail": "Your business has not reached Thred yet; try again shortly."},
                http.HTTP_409_CONFLICT,
            )
        try:
            token = get_client().get_business_token(record.thred_id).data
        except ThredError as exc:
            logger.error("Business token for %s refused by Thred: %s", record.external_id, exc)
            return self._answer(
                {"detail": "Thred did not issue a token; try again shortly."},
                http.HTTP_502_BAD_GATEWAY,
            )
        expires_in = int(token.get("expires_in") or 0)
        body = {
            "access_token": token["access_token"],
            "token_type": token.get("token_type") or "Bearer",
            "expires_in": expires_in,
            "expires_at": (timezone.now() + timedelta(seconds=expires_in)).isoformat(),
            "business_id": record.thred_id,
        }
        return self._answer(body, http.HTTP_200_OK)

    @staticmethod
    def _answer(body: dict[str, Any], status: int) -> Response:
        response = Response(body, status=status)
        response["Cache-Control"] = "no-store"
        return response
