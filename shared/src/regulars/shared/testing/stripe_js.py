"""What the card form of (fake) Stripe.js does with a card the client types: the number goes to
localstripe, never to us. Tests stand in for the browser with it; browser tests use the real page."""

from __future__ import annotations

from typing import Any

import aiohttp

from regulars.shared.settings import Settings

# Stripe's test cards (WALLET.md): how each behaves in Stripe's test mode and in localstripe.
SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
CHARGES_FAIL = "4000000000000341"  # saves, every charge is declined
AUTHENTICATE_ONCE = "4000002500003155"  # needs authentication when saved
ALWAYS_AUTHENTICATE = "4000002760003184"


async def confirm_card_setup(
    settings: Settings, client_secret: str, number: str, *, authenticate: bool = True
) -> tuple[int, dict[str, Any]]:
    """``stripe.confirmCardSetup(client_secret, {payment_method: {card}})``, as localstripe's Stripe.js
    sends it (with the publishable key), completing 3-D Secure when asked if ``authenticate``;
    localstripe's last answer (status, body)."""
    setup_id = client_secret.split("_secret_")[0]
    url = f"{settings.stripe_url()}/v1/setup_intents/{setup_id}/confirm"
    card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    body: dict[str, Any] = {"key": settings.stripe_publishable_key, "use_stripe_sdk": True}
    body["client_secret"] = client_secret
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={**body, "payment_method_data": {"type": "card", "card": card}}) as response:
            status, answer = response.status, await response.json()
        if status == 200 and answer["status"] == "requires_action" and authenticate:
            async with http.post(url, json=body) as response:
                status, answer = response.status, await response.json()
    return status, answer
