"""Per-address and per-account limits on every flow that takes a secret or sends an email."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from regulars.identity.domain import limits
from regulars.identity.service_layer import auth, profile
from regulars.identity.service_layer.clients import Caller, Identity
from regulars.identity.service_layer.profile import Me
from regulars.identity.testing import (
    NOW,
    PASSWORD,
    caller,
    fresh_ip,
    make_business,
    registration,
    signed_up_and_verified,
    unique_email,
)
from regulars.shared.domain_errors import DomainError

pytestmark = pytest.mark.integration

Attempt = Callable[[Identity, str, Caller], Awaitable[object]]


async def _code(coro: Awaitable[object]) -> str:
    try:
        await coro
    except DomainError as exc:
        return exc.code
    return "ok"


FLOWS: dict[str, tuple[Attempt, int]] = {
    "forgot": (
        lambda ident, slug, who: auth.forgot_password(ident, slug, unique_email(), who, NOW),
        limits.EMAIL_FLOW_PER_IP.max_hits,
    ),
    "resend": (
        lambda ident, slug, who: auth.resend_verification(ident, slug, auth.EmailOnly(email=unique_email()), who, NOW),
        limits.EMAIL_FLOW_PER_IP.max_hits,
    ),
    "verify": (
        lambda ident, slug, who: auth.verify_email(ident, slug, auth.Verification(token="rgt_guess"), who, NOW),
        limits.TOKEN_PER_IP.max_hits,
    ),
    "reset": (
        lambda ident, slug, who: auth.reset_password(
            ident, slug, auth.PasswordReset(token="rgt_guess", password="a long passphrase"), who, NOW
        ),
        limits.TOKEN_PER_IP.max_hits,
    ),
    "confirm_email": (
        lambda ident, slug, who: auth.confirm_email_change(ident, slug, "rgt_guess", who, NOW),
        limits.TOKEN_PER_IP.max_hits,
    ),
    "register": (
        lambda ident, slug, who: auth.register(ident, slug, registration(unique_email()), who, NOW),
        limits.REGISTER_PER_IP.max_hits,
    ),
}


@pytest.mark.parametrize("flow", sorted(FLOWS))
async def test_every_flow_is_limited_per_address(ident: Identity, flow: str) -> None:
    business = await make_business(ident)
    attempt, allowed = FLOWS[flow]
    someone = Caller(ip=fresh_ip())
    for _ in range(allowed):
        assert await _code(attempt(ident, business.slug, someone)) != "rate_limited"
    assert await _code(attempt(ident, business.slug, someone)) == "rate_limited"
    # Another address is not affected.
    assert await _code(attempt(ident, business.slug, caller())) != "rate_limited"


async def test_password_checks_while_signed_in_are_limited_per_account(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    assert client.signed_in is not None
    resolved = await auth.resolve_session(ident, business.slug, client.signed_in.session.token, NOW)
    me = Me(business, resolved.account_id, resolved.session_id)
    wrong = profile.PasswordConfirmation(password="not my password")
    codes = [await _code(profile.delete_account(ident, me, wrong, NOW)) for _ in range(11)]
    assert codes == ["wrong_password"] * 10 + ["rate_limited"]
    right = profile.PasswordConfirmation(password=PASSWORD)
    assert await _code(profile.delete_account(ident, me, right, NOW)) == "rate_limited"  # even the right one, for now
