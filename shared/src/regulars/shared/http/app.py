"""The aiohttp base: context, errors, metrics, health, internal authentication."""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, ValidationError

from regulars.shared import context
from regulars.shared.domain_errors import DomainError
from regulars.shared.http.domain_errors import api_error
from regulars.shared.http.errors import ApiError, from_http_exception, from_validation_error
from regulars.shared.http.input import clean_header, input_middleware, read_json
from regulars.shared.logging import describe_error

log = structlog.get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ReadinessCheck = Callable[[], Awaitable[bool]]
M = TypeVar("M", bound=BaseModel)

INTERNAL_TOKEN_HEADER = "X-Regulars-Internal"
READINESS_CHECKS = web.AppKey("readiness_checks", dict[str, ReadinessCheck])

REQUESTS = Counter("regulars_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("regulars_http_request_seconds", "HTTP request duration", ["method", "route"])

OPEN_PATHS = ("/health/", "/metrics")
SERVER = "Regulars"
"""The ``Server`` header of every answer: aiohttp's own names Python's and its version."""


async def house_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """On every answer, errors and files included: no software version, no MIME sniffing."""
    response.headers["Server"] = SERVER
    response.headers.setdefault("X-Content-Type-Options", "nosniff")


@web.middleware
async def context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    structlog.contextvars.clear_contextvars()
    # Echoed in the answer and stored with events: a caller's id that is not clean text is replaced.
    request_id = clean_header(request, context.REQUEST_ID_HEADER) or context.new_id()
    correlation_id = clean_header(request, context.CORRELATION_ID_HEADER) or request_id
    context.bind(correlation_id=correlation_id, request_id=request_id)
    context.causation_id_var.set(None)
    started = time.perf_counter()
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers[context.REQUEST_ID_HEADER] = request_id
        response.headers[context.CORRELATION_ID_HEADER] = correlation_id
        return response
    finally:
        REQUESTS.labels(request.method, route, str(status)).inc()
        LATENCY.labels(request.method, route).observe(time.perf_counter() - started)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except DomainError as exc:
        return api_error(exc).response()
    except ValidationError as exc:
        return from_validation_error(exc).response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return from_http_exception(exc).response()
    except Exception:
        # Logged with its trace here; the caller learns only that it failed.
        log.exception("unhandled_error", path=request.path, method=request.method)
        return ApiError(500, "internal_error", "Something went wrong on our side.").response()


def internal_auth_middleware(token: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Services answer only callers that present the internal credential."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(OPEN_PATHS):
            presented = request.headers.get(INTERNAL_TOKEN_HEADER, "")
            if not hmac.compare_digest(presented.encode(), token.encode()):
                raise ApiError(401, "internal_auth_required", "This endpoint is internal.")
        return await handler(request)

    return middleware


async def parse_body(request: web.Request, model: type[M]) -> M:
    """Read and validate a JSON body; 400 for malformed or too deep JSON, 422 for invalid fields."""
    return model.model_validate(read_json(await request.read()))


def parse_query(request: web.Request, model: type[M]) -> M:
    return model.model_validate(dict(request.query))


def json_response(data: BaseModel | dict[str, Any] | list[Any], status: int = 200) -> web.Response:
    if isinstance(data, BaseModel):
        return web.Response(text=data.model_dump_json(), status=status, content_type="application/json")
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, default=str))


async def _live(_request: web.Request) -> web.Response:
    return web.json_response({"status": "live"})


async def _ready(request: web.Request) -> web.Response:
    checks: dict[str, bool] = {}
    for name, check in request.app[READINESS_CHECKS].items():
        try:
            checks[name] = bool(await check())
        except Exception as exc:
            log.warning("readiness_check_failed", check=name, error=describe_error(exc))
            checks[name] = False
    ready = all(checks.values())
    return web.json_response(
        {"status": "ready" if ready else "not_ready", "checks": checks}, status=200 if ready else 503
    )


async def _metrics(_request: web.Request) -> web.Response:
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response


def base_app(*, internal_token: str | None = None, client_max_size: int = 1024**2) -> web.Application:
    """An application with the house middlewares and /health/live, /health/ready, /metrics."""
    middlewares: list[Any] = [context_middleware, error_middleware]
    if internal_token is not None:
        middlewares.append(internal_auth_middleware(internal_token))
    middlewares.append(input_middleware)
    app = web.Application(middlewares=middlewares, client_max_size=client_max_size)
    app[READINESS_CHECKS] = {}
    app.on_response_prepare.append(house_headers)
    app.router.add_get("/health/live", _live)
    app.router.add_get("/health/ready", _ready)
    app.router.add_get("/metrics", _metrics)
    return app
