"""Domain errors: the service layers raise them, ``regulars.shared.http.domain_errors`` alone gives them a status."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from regulars.appointments.domain.errors import PolicyRefused, SlotUnavailable
from regulars.identity.domain.errors import TokenRefused, WrongPassword
from regulars.shared import domain_errors as errors
from regulars.shared.http.domain_errors import api_error

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ["identity", "appointments", "wallet", "notifications"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.Rejected("code_invalid", "This code is not valid."), 400),
        (TokenRefused("token_used"), 400),
        (errors.SignInRequired("account_required", "Sign in to book."), 401),
        (errors.PaymentRefused("card_declined", "Your card was declined."), 402),
        (WrongPassword(), 403),
        (errors.NotFound("booking_not_found", "Booking not found."), 404),
        (errors.Conflict("out_of_stock", "Not enough in stock."), 409),
        (SlotUnavailable(), 409),
        (PolicyRefused("inside_policy_window", "Not now.", datetime(2026, 1, 1, tzinfo=UTC)), 409),
        (errors.Invalid("start_in_past", "Pick a time in the future."), 422),
        (errors.TooManyRequests("rate_limited", "Slow down.", 90), 429),
        (errors.Unavailable("busy", "Try again in a moment."), 503),
    ],
)
def test_each_kind_of_domain_error_answers_with_its_status_and_code(error: errors.DomainError, status: int) -> None:
    answer = api_error(error)
    assert (answer.status, answer.code, answer.message) == (status, error.code, error.message)


def test_fields_and_retry_after_are_carried_into_the_answer() -> None:
    problem = errors.FieldProblem("intake_answers.allergies", "required", "Please answer.")
    answer = api_error(errors.Invalid("invalid_intake_answers", "Some answers are missing.", [problem]))
    assert [f.model_dump() for f in answer.fields] == [
        {"field": "intake_answers.allergies", "code": "required", "message": "Please answer."}
    ]
    limited = api_error(errors.TooManyRequests("rate_limited", "Slow down.", 90)).response()
    assert limited.headers["Retry-After"] == "90"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _layer(service: str, layer: str) -> list[Path]:
    return sorted((ROOT / f"services/{service}/src/regulars/{service}/{layer}").glob("*.py"))


@pytest.mark.parametrize("service", SERVICES)
def test_domain_and_service_layer_know_nothing_of_http(service: str) -> None:
    modules = _layer(service, "domain") + _layer(service, "service_layer")
    assert modules
    for path in modules:
        http = [m for m in _imports(path) if m.startswith(("aiohttp", "regulars.shared.http"))]
        assert http == [], f"{path.relative_to(ROOT)} imports {http}"
