"""Token endpoints: partner token (client credentials) and business-token exchange."""

from __future__ import annotations

from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables
from rest_framework.request import Request
from rest_framework.response import Response

from thred_django.sandbox import readings
from thred_django.sandbox.auth import issue_token
from thred_django.sandbox.errors import validation_failed
from thred_django.sandbox.views.base import SandboxAPIView


@method_decorator(sensitive_variables("token"), name="post")
class PartnerTokenView(SandboxAPIView):
    """POST /v1/platform/oauth2/token/ — HTTP Basic partner_uuid:api_key."""

    auth_mode = "basic"
    resource = "token"
    actions = {"post": "token"}

    def post(self, request: Request) -> Response:
        data: dict[str, Any] = self.payload()
        errors: dict[str, list[str]] = {}
        grant_type = data.get("grant_type", "client_credentials")
        if grant_type != "client_credentials":
            errors["grant_type"] = ["Must be client_credentials."]
        client_id = str(data.get("client_id") or "").strip().lower()
        if not client_id and readings.TOKEN_REQUIRES_CLIENT_ID:
            errors["client_id"] = ["This field is required."]
        elif client_id and client_id != self.principal.partner_id:
            errors["client_id"] = ["Must equal the partner UUID of the Basic credentials."]
        if errors:
            raise validation_failed(errors)
        token, ttl = issue_token(self.principal.partner_id)
        return Response({"access_token": token, "token_type": "Bearer", "expires_in": ttl})


@method_decorator(sensitive_variables("token"), name="post")
class BusinessTokenView(SandboxAPIView):
    """POST /v1/platform/{business_id}/oauth2/token/ — partner token in, business token out."""

    auth_mode = "partner"
    resource = "token"
    actions = {"post": "exchange"}

    def post(self, request: Request, business_id: str) -> Response:
        business = self.load_business(business_id)
        self.log.business_id = business.id
        token, ttl = issue_token(self.principal.partner_id, str(business.id))
        return Response(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": ttl,
                "scope": readings.BUSINESS_TOKEN_SCOPE,
                "business_id": str(business.id),
            }
        )
