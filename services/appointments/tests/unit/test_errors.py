"""Domain errors: the service layer raises them, the HTTP entrypoint alone gives them a status."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

import regulars.appointments
from regulars.appointments.domain import errors
from regulars.shared.http.domain_errors import api_error

PACKAGE = Path(regulars.appointments.__file__).parent


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.NotFound("booking_not_found", "Booking not found."), 404),
        (errors.Invalid("start_in_past", "Pick a time in the future."), 422),
        (errors.Conflict("out_of_stock", "Not enough in stock."), 409),
        (errors.SlotUnavailable(), 409),
        (errors.PolicyRefused("inside_policy_window", "Not now.", datetime(2026, 1, 1, tzinfo=UTC)), 409),
        (errors.SignInRequired("account_required", "Sign in to book."), 401),
    ],
)
def test_each_kind_of_domain_error_answers_with_its_status_and_code(error: errors.DomainError, status: int) -> None:
    answer = api_error(error)
    assert (answer.status, answer.code, answer.message) == (status, error.code, error.message)


def test_fields_at_fault_are_carried_into_the_answer() -> None:
    problem = errors.FieldProblem("intake_answers.allergies", "required", "Please answer.")
    answer = api_error(errors.Invalid("invalid_intake_answers", "Some answers are missing.", [problem]))
    assert [f.model_dump() for f in answer.fields] == [
        {"field": "intake_answers.allergies", "code": "required", "message": "Please answer."}
    ]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", ["domain", "service_layer"])
def test_domain_and_service_layer_know_nothing_of_http(layer: str) -> None:
    modules = sorted((PACKAGE / layer).glob("*.py"))
    assert modules
    for path in modules:
        http = [m for m in _imports(path) if m.startswith(("aiohttp", "regulars.shared.http"))]
        assert http == [], f"{path.name} imports {http}"
