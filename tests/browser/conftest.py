"""Browser tests of the client widget: Playwright driving Debian's Chromium against the real stack.

One browser for the session, a new context (cookies, storage) per test; every test runs on a
desktop and a phone viewport. axe-core (npm, installed into tests/browser/node_modules by
`make test`) is injected into every page; `assert_accessible` fails on serious or critical issues.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from regulars.shared import clock
from regulars.shared.testing.infra import Stack, identity_cli

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {
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
    return await make_context(viewport)


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
    args = [
        "businesses", "create", "--org", org, "--org-name", f"Org {org[-8:]}", "--slug", slug,
        "--client-database", client_database,
        "--name", f"Browser {vertical.title()} {slug[-4:]}", "--vertical", vertical, "--timezone", "Europe/Madrid",
        "--currency", "EUR", "--locale", locale,
    ]  # fmt: skip
    if settings:
        args += ["--settings-json", json.dumps(settings)]
    identity_cli(stack, *args)
    return slug


async def wait_until_served(stack: Stack, slug: str, timeout: float = 20.0) -> None:
    """The gateway reads businesses from identity; wait until the profile answers."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            async with http.get(f"{stack.gateway_url}/api/v1/b/{slug}") as response:
                if response.status == 200:
                    return
            await asyncio.sleep(0.2)
    raise TimeoutError(f"business {slug} not served")


@pytest.fixture
def make_business(stack: Stack) -> Any:
    async def make(vertical: str = "salon", locale: str = "en", **options: Any) -> str:
        slug = create_business(stack, vertical=vertical, locale=locale, **options)
        await wait_until_served(stack, slug)
        return slug

    return make


@pytest.fixture(scope="session")
async def salon(stack: Stack) -> str:
    slug = create_business(stack, vertical="salon")
    await wait_until_served(stack, slug)
    return slug


@pytest.fixture(scope="session")
async def spanish_salon(stack: Stack) -> str:
    slug = create_business(stack, vertical="salon", locale="es")
    await wait_until_served(stack, slug)
    return slug


@pytest.fixture(scope="session")
async def pet_business(stack: Stack) -> str:
    slug = create_business(stack, vertical="pet")
    await wait_until_served(stack, slug)
    return slug


async def read_mail(stack: Stack, to: str, pattern: str, timeout: float = 30.0) -> re.Match[str]:
    """The first message to `to` whose text matches `pattern` (a regex), from the dev mailbox's JSON API."""
    deadline = time.monotonic() + timeout
    compiled = re.compile(pattern)
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            async with http.get(f"{stack.mailbox_url}/api/messages", params={"to": to}) as response:
                messages = await response.json()
            for message in messages:
                found = compiled.search(message["text"]) or compiled.search(message["html"])
                if found:
                    return found
            await asyncio.sleep(0.25)
    raise TimeoutError(f"no mail to {to} matching {pattern!r}")


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
