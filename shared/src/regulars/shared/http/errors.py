"""Errors as values the caller can act on: ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError


class FieldError(BaseModel):
    field: str
    code: str
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[FieldError] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    """Raise to answer with an error; ``code`` is stable, ``message`` is for people."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: list[FieldError] | None = None,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return ErrorResponse(error=ErrorBody(code=self.code, message=self.message, fields=self.fields)).model_dump()

    def response(self) -> web.Response:
        response = web.json_response(self.body(), status=self.status)
        if self.status == 429:  # every 429 says when to come back, in whole seconds (RFC 9110)
            response.headers["Retry-After"] = str(self.retry_after or DEFAULT_RETRY_AFTER)
        return response


# Retry-After of a 429 that did not say (aiohttp's own, a downstream's without the header).
DEFAULT_RETRY_AFTER = 60


def retry_after_of(headers: Any) -> int | None:
    """The whole seconds of a ``Retry-After`` header, when it holds seconds."""
    value = str(headers.get("Retry-After", "")).strip()
    return int(value) if value.isdigit() else None


def not_found(what: str, code: str = "not_found") -> ApiError:
    return ApiError(404, code, f"{what} not found.")


def invalid(fields: list[FieldError]) -> ApiError:
    """422 ``validation_error``, naming each field at fault."""
    return ApiError(422, "validation_error", "Some fields are not valid.", fields)


def from_validation_error(exc: ValidationError) -> ApiError:
    fields = [
        FieldError(
            field=".".join(str(p) for p in err["loc"]) or "body",
            code=err["type"],
            message=err["msg"],
        )
        for err in exc.errors(include_url=False)
    ]
    return invalid(fields)


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def from_http_exception(exc: web.HTTPException) -> ApiError:
    code = _STATUS_CODES.get(exc.status, "http_error")
    return ApiError(exc.status, code, exc.reason, retry_after=retry_after_of(exc.headers))
