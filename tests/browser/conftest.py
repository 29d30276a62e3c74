"""Browser tests of the client widget: Playwright driving Debian's Chromium against the real stack.

One browser for the session, a new context (cookies, storage) per test; every test runs on a
desktop and a phone viewport. axe-core (npm, installed into tests/browser/node_modules by
`make test`) is injected into every page; `assert_accessible` fails on serious or critical issues.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from regulars.shared import clock
from regulars.shared.testing.businesses import create_api_key, wait_until_served
from regulars.shared.testing.businesses import create_business as create_business_as_operator
from regulars.shared.testing.infra import Stack, identity_cli
from regulars.shared.testing.mailbox import mails
from regulars.shared.testing.waiting import eventually

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
PASSWORD = "correct horse battery staple"
_client_addresses = (f"10.77.{n // 250}.{n % 250 + 1}" for n in itertools.count())
TOKEN = r"[A-Za-z0-9_\-]+"
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    assert AXE.exists(), f"{AXE} is missing: run `npm ci --prefix tests/browser` (make test does)"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        await launched.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def context(make_context: Any, viewport: str) -> BrowserContext:
    made: BrowserContext = await make_context(viewport)
    return made


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


@pytest.fixture
async def make_context(browser: Browser) -> AsyncIterator[Any]:
    """A factory of extra contexts (another browser language, service workers allowed), closed after the test."""
    made: list[BrowserContext] = []

    async def make(viewport: str = "desktop", **options: Any) -> BrowserContext:
        options.setdefault("service_workers", "block")
        options.setdefault("locale", "en-US")
        # Each context is another client, as if behind the reverse proxy the gateway trusts on
        # loopback: identity's per-address rate limits then apply per test, not to the whole run.
        options.setdefault("extra_http_headers", {"X-Forwarded-For": next(_client_addresses)})
        context = await browser.new_context(**VIEWPORTS[viewport], **options)
        context.set_default_timeout(15_000)
        # Injected through the DevTools protocol, so the page's Content-Security-Policy does not block it.
        await context.add_init_script(path=str(AXE))
        if clock.offset():
            # The page's clock reads the run's simulated now too (--simulated-now); time flows on from it.
            await context.clock.install(time=clock.now())
        made.append(context)
        return context

    yield make
    for context in made:
        await context.close()


@pytest.fixture
def a11y() -> Any:
    return assert_accessible


@pytest.fixture
def mailbox(stack: Stack) -> Any:
    async def read(to: str, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        return await read_mail(stack, to, pattern, timeout)

    return read


async def assert_accessible(page: Page) -> None:
    """axe-core on the page as it is now; serious and critical violations fail the test."""
    result = await page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    summary = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in bad
    ]
    assert not bad, json.dumps(summary, indent=2)


def create_business(
    stack: Stack,
    *,
    vertical: str = "salon",
    locale: str = "en",
    org: str | None = None,
    client_database: str = "per_business",
    **settings: Any,
) -> str:
    slug = f"{vertical}-{uuid.uuid4().hex[:8]}"
    org = org or f"org-{slug}"
    create_business_as_operator(
        stack, slug, org=org, org_name=f"Org {org[-8:]}", client_database=client_database,
        name=f"Browser {vertical.title()} {slug[-4:]}", vertical=vertical, locale=locale, settings=settings,
    )  # fmt: skip
    return slug


async def served_business(stack: Stack, vertical: str = "salon", locale: str = "en", **options: Any) -> str:
    """A new business (see ``create_business``) once the gateway serves it; its slug."""
    slug = create_business(stack, vertical=vertical, locale=locale, **options)
    await wait_until_served(stack, slug)
    return slug


@pytest.fixture
def make_business(stack: Stack) -> Any:
    return functools.partial(served_business, stack)


@pytest.fixture(scope="session")
async def salon(stack: Stack) -> str:
    return await served_business(stack)


@pytest.fixture(scope="session")
async def spanish_salon(stack: Stack) -> str:
    return await served_business(stack, locale="es")


@pytest.fixture(scope="session")
async def pet_business(stack: Stack) -> str:
    return await served_business(stack, vertical="pet")


async def read_mail(stack: Stack, to: str, pattern: str, timeout: float = 30.0) -> re.Match[str]:
    """The first message to `to` whose text matches `pattern` (a regex), from the dev mailbox's JSON API."""
    compiled = re.compile(pattern)
    async with aiohttp.ClientSession() as http:

        async def matched() -> re.Match[str] | None:
            for message in await mails(http, stack, to):
                found = compiled.search(message["text"]) or compiled.search(message["html"])
                if found:
                    return found
            return None

        found: re.Match[str] = await eventually(matched, timeout=timeout, every=0.25)
        return found


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def sign_up(stack: Stack, mailbox: Any) -> Any:
    """Creates and verifies an account through the public API with `context`'s cookie jar, so the
    context's pages are signed in. Returns the email address."""

    async def make(context: BrowserContext, slug: str, **fields: Any) -> str:
        email = unique_email("client")
        api = f"{stack.gateway_url}/api/v1/b/{slug}"
        body = {"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace", **fields}
        answer = await context.request.post(f"{api}/auth/register", data=body)
        assert answer.status == 202, await answer.text()
        link = await mailbox(email, rf"/w/{slug}/verify\?token=({TOKEN})")
        answer = await context.request.post(f"{api}/auth/verify", data={"token": link.group(1)})
        assert answer.status == 200, await answer.text()
        return email

    return make


@pytest.fixture
def business_key(stack: Stack) -> Any:
    def issue(slug: str) -> str:
        return str(identity_cli(stack, "api-keys", "create", "--business", slug, "--name", "browser-tests")["key"])

    return issue


@pytest.fixture
def top_nav(viewport: str) -> Any:
    """The top bar's navigation, opened from its menu button on a phone."""

    async def open_nav(page: Page) -> Any:
        nav = page.get_by_role("navigation", name="Account")
        if viewport == "phone":
            await page.get_by_role("button", name="Menu").click()
        await expect(nav).to_be_visible()
        return nav

    return open_nav


async def with_catalog(stack: Stack, slug: str, stylists: tuple[str, ...] = ("Ana Stylist",)) -> dict[str, str]:
    """Stylists (one by default) all day every day; a haircut by any of them with an intake question."""
    key = create_api_key(stack, slug)
    base = f"{stack.gateway_url}/api/v1/admin/businesses/{slug}"
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(headers=headers) as http:

        async def staff_created(name: str) -> Any:
            async with http.post(f"{base}/staff", json={"name": name}) as response:
                return (await response.json())["staff"] if response.status == 201 else None  # 404 until it is known

        staff_ids = []
        blocks = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
        for name in stylists:
            staff = await eventually(functools.partial(staff_created, name))
            async with http.put(f"{base}/staff/{staff['id']}/hours", json={"blocks": blocks}) as response:
                assert response.status == 200
            staff_ids.append(staff["id"])
        service = {
            "name": "Haircut", "duration_minutes": 45, "price_minor": 3000, "currency": "EUR",
            "staff_ids": staff_ids,
            "intake_questions": [{"id": "allergies", "label": "Any allergies?", "kind": "text"}],
        }  # fmt: skip
        async with http.post(f"{base}/services", json=service) as response:
            assert response.status == 201
        product = {"name": "Argan shampoo", "price_minor": 1800, "currency": "EUR", "stock": 5}
        async with http.post(f"{base}/products", json=product) as response:
            assert response.status == 201
    return {"key": key}


async def chosen_day(page: Page) -> date:
    """The day the time step's month view has chosen."""
    chosen = page.locator('.month-grid .day[aria-pressed="true"]')
    await expect(chosen).to_have_count(1)
    return date.fromisoformat(str(await chosen.get_attribute("data-day")))


async def show_day(page: Page, day: date) -> Any:
    """The button of ``day`` in the month view, turning to its month first."""
    button = page.locator(f'.month-grid .day[data-day="{day.isoformat()}"]')
    for _ in range(3):
        if await button.count():
            break
        await page.locator(".month-next").click()
        await expect(page.locator(f'.month-grid .day[data-day^="{day.isoformat()[:8]}"]').first).to_be_attached()
    return button


async def pick_first_slot_days_ahead(page: Page, days: int) -> str:
    """The first free time ``days`` after the day the month view opened on (its first free day)."""
    wanted = await chosen_day(page) + timedelta(days=days)
    if days:
        await (await show_day(page, wanted)).click()
    # Free times are ISO 8601 in the business's zone: their date is the day they are shown on.
    slot = page.locator(f'.slot[data-start^="{wanted.isoformat()}T"]').first
    await expect(slot).to_be_visible()
    start = str(await slot.get_attribute("data-start"))
    await slot.click()
    return start
