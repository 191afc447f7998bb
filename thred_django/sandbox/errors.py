"""Error responses of the sandbox, in Thred's documented shape.

Every error body is ``{"error": message, "error_code": code, "details": {field:
[messages]}}`` (details may be ``{}``). Views raise ``SandboxError`` (or one of the
helpers below); ``exception_handler`` turns it, DRF's own exceptions and anything
unexpected into that body. Nothing here echoes request headers or tokens.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from thred_django.sandbox import readings

logger = logging.getLogger("thred_django.sandbox")


class SandboxError(Exception):
    """An API error with its HTTP status, ``error_code`` and per-field details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)

    def response(self) -> Response:
        return Response(self.body(), status=self.status, headers=self.headers)


def error_body(code: str, message: str, details: dict[str, list[str]] | None = None) -> dict:
    return {"error": message, "error_code": code, "details": details or {}}


def json_error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    """A plain Django response (used where DRF has not wrapped the request yet)."""
    response = JsonResponse(error_body(code, message), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def not_found(resource: str) -> SandboxError:
    label = resource.replace("_", " ").capitalize()  # "Refund payment not found."
    return SandboxError(404, f"{resource}_not_found", f"{label} not found.")


def validation_failed(details: dict[str, list[str]], message: str = "") -> SandboxError:
    return SandboxError(
        400, "validation_error", message or "Validation errors in request data", details
    )


def field_error(field: str, message: str) -> SandboxError:
    return validation_failed({field: [message]})


def conflict(code: str, message: str, details: dict[str, list[str]] | None = None) -> SandboxError:
    return SandboxError(409, code, message, details)


def permission_denied(message: str) -> SandboxError:
    return SandboxError(403, "permission_denied", message)


def hostile_input_error(exc: BaseException) -> SandboxError | None:
    """The 400 for a request Django or the parser refuses as hostile, else None.

    A body over DATA_UPLOAD_MAX_MEMORY_SIZE, more than DATA_UPLOAD_MAX_NUMBER_FIELDS
    form fields (both ``SuspiciousOperation``) and JSON nested deeper than Python can
    parse (``RecursionError``) are the client's fault: a 400 ``validation_error`` that
    says what to fix, never a 500. (A 413 would be truer for the size, but the API
    documents 400 for every malformed request.)
    """
    if isinstance(exc, RequestDataTooBig):
        message = "Request body too large."
    elif isinstance(exc, SuspiciousOperation):
        message = "Request refused as malformed (too many fields or a suspicious value)."
    elif isinstance(exc, RecursionError):
        message = "Request body is nested too deeply."
    else:
        return None
    return validation_failed({"non_field_errors": [message]}, "Malformed request body")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF exception handler: every failure becomes a documented error body."""
    if isinstance(exc, SandboxError):
        return exc.response()
    if isinstance(exc, drf_exceptions.ParseError):
        return validation_failed(
            {"non_field_errors": [str(exc.detail)]}, "Malformed request body"
        ).response()
    if hostile := hostile_input_error(exc):
        return hostile.response()
    if isinstance(exc, Http404 | drf_exceptions.NotFound):
        return SandboxError(404, readings.ERROR_NOT_FOUND, "Not found.").response()
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        return SandboxError(405, readings.ERROR_METHOD_NOT_ALLOWED, str(exc.detail)).response()
    if isinstance(exc, drf_exceptions.APIException):
        code = exc.get_codes()
        code = code if isinstance(code, str) else "error"
        return SandboxError(exc.status_code, code, str(exc.detail)).response()
    logger.exception("Thred sandbox failed on %s", context.get("view"))
    return SandboxError(500, "server_error", "Internal server error.").response()
