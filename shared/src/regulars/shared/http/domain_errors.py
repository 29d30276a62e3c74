"""Domain errors as HTTP answers: the one place a kind of refusal gets its status (the house error
middleware of ``regulars.shared.http.app`` answers every domain error with ``api_error``)."""

from __future__ import annotations

from regulars.shared import domain_errors as errors
from regulars.shared.http.errors import ApiError, FieldError

STATUS: dict[type[errors.DomainError], int] = {
    errors.Rejected: 400,
    errors.SignInRequired: 401,
    errors.PaymentRefused: 402,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Invalid: 422,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
    errors.DomainError: 422,
}
"""The status of each kind; a subclass answers as the nearest kind it comes from."""


def api_error(exc: errors.DomainError) -> ApiError:
    """The answer to ``exc``: its code, message and fields, with the status of its kind."""
    status = next(STATUS[kind] for kind in type(exc).__mro__ if kind in STATUS)
    fields = [FieldError(field=f.field, code=f.code, message=f.message) for f in exc.fields]
    retry_after = exc.retry_after if isinstance(exc, errors.TooManyRequests) else None
    return ApiError(status, exc.code, exc.message, fields, retry_after=retry_after)
