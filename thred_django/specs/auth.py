"""The token operations: not a resource, but documented operations all the same."""

from thred_django.specs.base import Op

PARTNER_TOKEN = Op("POST", "/v1/platform/oauth2/token/", name="get_partner_token")
BUSINESS_TOKEN = Op("POST", "/v1/platform/{business_id}/oauth2/token/", name="get_business_token")

OPS = (PARTNER_TOKEN, BUSINESS_TOKEN)
