"""OpenAPI description of the API views (DRF's ``AutoSchema`` with a few corrections).

``ThredSchema`` lets a view state its success status code (202 for a retry), drop the
request body (a retry takes none) and set its operationId (every view does: DRF's
derived ids would need ``inflection``, and ours read better); it documents 403s and the
404s of views addressed by path parameters. Generating the schema needs ``uritemplate``
(and ``pyyaml`` for YAML output), as for any DRF OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from rest_framework.schemas.openapi import AutoSchema

PATH_PARAMETERS = {
    "content_type": 'The host model as "app_label.model", e.g. "shop.invoice".',
    "id": "Primary key of the host object.",
    "pk": "Primary key of the host object.",
    "external_id": "The business's external id in Thred.",
}


class ThredSchema(AutoSchema):
    def __init__(
        self,
        *,
        operation_id: str | None = None,
        status_code: str | None = None,
        request_body: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._operation_id = operation_id
        self._status_code = status_code
        self._request_body = request_body

    def get_operation_id(self, path: str, method: str) -> str:
        return self._operation_id or super().get_operation_id(path, method)

    def get_path_parameters(self, path: str, method: str) -> list[dict[str, Any]]:
        parameters = super().get_path_parameters(path, method)
        for parameter in parameters:
            parameter["description"] = PATH_PARAMETERS.get(parameter["name"], "")
        return parameters

    def get_request_body(self, path: str, method: str) -> dict[str, Any]:
        return super().get_request_body(path, method) if self._request_body else {}

    def get_responses(self, path: str, method: str) -> dict[str, Any]:
        responses = super().get_responses(path, method)
        if self._status_code:
            responses = {self._status_code: next(iter(responses.values()))}
        if "{" in path:
            responses["404"] = {"description": "No such object, record or business."}
        responses["403"] = {"description": "Not allowed (THRED['API_PERMISSION_CLASSES'])."}
        return responses
