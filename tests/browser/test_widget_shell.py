"""The widget's shell: where sign-in lives (R-U1), language (R-U4), installability (R-U3), accessibility."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page, expect

from regulars.shared.testing.infra import Stack

from .conftest import VIEWPORTS

pytestmark = pytest.mark.browser


async def open_menu_if_phone(page: Page, viewport: str) -> None:
    if viewport == "phone":
        await page.get_by_role("button", name="Menu").click()


async def test_r_u1_start_page_leads_with_the_business_and_book_sign_in_top_right_or_in_menu(
    page: Page, viewport: str, stack: Stack, salon: str, a11y: Any
) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    await page.goto(f"{stack.gateway_url}/w/{salon}/")
    start = page.locator("main .business-start")
    await expect(start.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Browser Salon "))
    await expect(page).to_have_url(f"{stack.gateway_url}/w/{salon}/")
    book = start.get_by_role("link", name="Book an appointment")
    await expect(book).to_be_visible()
    box = await book.bounding_box()
    assert box is not None
    assert box["height"] >= 48, "Book is the prominent action"
    assert box["y"] + box["height"] < VIEWPORTS[viewport]["viewport"]["height"], "Book is seen without scrolling"
    link = page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")
    if viewport == "desktop":
        await expect(link).to_be_visible()
        box = await link.bounding_box()
        assert box is not None
        assert box["x"] > 1280 / 2, "the sign-in link is on the right"
        assert box["y"] < 80, "the sign-in link is in the top bar"
    else:
        await expect(link).to_be_hidden()
        await page.get_by_role("button", name="Menu").click()
        await expect(link).to_be_visible()
        await expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    await a11y(page)
    # A guest has no session cookie: the widget does not ask who is signed in (no 401 in the console).
    assert console == []
    await book.click()
    await expect(page.get_by_role("heading", level=1, name="Book an appointment")).to_be_visible()


async def test_r_u4_language_switch_to_spanish_changes_texts_and_is_remembered(
    page: Page, viewport: str, stack: Stack, salon: str, a11y: Any
) -> None:
    await page.goto(f"{stack.gateway_url}/w/{salon}/sign-in")
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    await open_menu_if_phone(page, viewport)
    await page.get_by_label("Language").select_option("es")
    await expect(page.get_by_role("heading", level=1, name="Inicia sesión")).to_be_visible()
    await expect(page.get_by_label("Idioma")).to_be_focused()
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.get_by_label("Contraseña")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("heading", level=1, name="Inicia sesión")).to_be_visible()
    # API errors too are shown in the chosen language, with the forgot-password offer (R-I5).
    await page.get_by_label("Correo electrónico").fill("nadie@example.com")
    await page.get_by_label("Contraseña").fill("no es la contraseña")
    await page.get_by_role("button", name="Iniciar sesión").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("El correo y la contraseña no coinciden.")
    await expect(alert.get_by_role("link", name="¿Has olvidado tu contraseña?")).to_be_visible()
    await page.get_by_role("link", name="Crea una cuenta").click()
    await expect(page.get_by_role("heading", level=1, name="Crea tu cuenta")).to_be_visible()
    await a11y(page)


async def test_r_u4_language_follows_the_browser_then_the_business(
    make_context: Any, stack: Stack, salon: str, spanish_salon: str
) -> None:
    cases = [("it-IT", salon, "Accedi"), ("pt-BR", salon, "Entrar"), ("de-DE", salon, "Sign in")]
    cases += [("de-DE", spanish_salon, "Inicia sesión"), ("en-GB", spanish_salon, "Sign in")]
    for browser_locale, slug, heading in cases:
        page = await (await make_context("desktop", locale=browser_locale)).new_page()
        await page.goto(f"{stack.gateway_url}/w/{slug}/sign-in")
        await expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


async def test_r_u3_installable_manifest_icons_and_service_worker(make_context: Any, stack: Stack, salon: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{stack.gateway_url}/w/{salon}/manifest.webmanifest") as response:
            assert response.status == 200
            manifest = await response.json(content_type=None)
        assert manifest["start_url"] == f"/w/{salon}/"
        assert manifest["scope"] == f"/w/{salon}/"
        assert manifest["display"] == "standalone"
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes
        for icon in manifest["icons"]:
            async with http.get(f"{stack.gateway_url}{icon['src']}") as response:
                assert response.status == 200
                assert response.content_type == "image/png"
                assert (await response.read())[:8] == b"\x89PNG\r\n\x1a\n"
    context = await make_context("phone", service_workers="allow")
    page = await context.new_page()
    await page.goto(f"{stack.gateway_url}/w/{salon}/sign-in")
    scope = await page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{stack.gateway_url}/w/{salon}/"
    # Once the worker controls the page, the widget opens offline from its copy.
    await page.reload()
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    await context.set_offline(True)
    await page.goto(f"{stack.gateway_url}/w/{salon}/sign-up")
    await expect(page.get_by_role("heading", level=1, name="Create your account")).to_be_visible()


async def test_unknown_business_is_a_404_that_says_so_in_the_visitors_language(make_context: Any, stack: Stack) -> None:
    page = await (await make_context("phone", locale="es-ES")).new_page()
    response = await page.goto(f"{stack.gateway_url}/w/no-such-business/")
    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1, name="Este negocio no existe")).to_be_visible()
    await expect(page).to_have_title("Este negocio no existe")
    response = await page.request.get(f"{stack.gateway_url}/w/no-such-business/manifest.webmanifest")
    assert response.status == 404


async def test_r_s1_with_client_logins_off_the_widget_offers_no_account(
    page: Page, stack: Stack, make_business: Any
) -> None:
    slug = await make_business(client_logins="off")
    await page.goto(f"{stack.gateway_url}/w/{slug}/")
    await expect(page.get_by_text("does not offer client accounts")).to_be_visible()
    await expect(page.get_by_role("link", name="Sign in")).to_have_count(0)
    await page.goto(f"{stack.gateway_url}/w/{slug}/sign-in")
    await page.get_by_label("Email").fill("someone@example.com")
    await page.get_by_label("Password").fill("whatever password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("This business does not offer client accounts.")


async def test_keyboard_only_skip_link_sign_in_form_and_menu(
    page: Page, viewport: str, stack: Stack, salon: str
) -> None:
    await page.goto(f"{stack.gateway_url}/w/{salon}/sign-in")
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Email")).to_be_focused()
    await page.keyboard.type("someone@example.com")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.keyboard.type("not the password")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("That email and password don't match.")
    if viewport == "phone":
        menu = page.get_by_role("button", name="Menu")
        await menu.focus()
        await page.keyboard.press("Enter")
        await expect(menu).to_have_attribute("aria-expanded", "true")
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_focused()
        await page.keyboard.press("Escape")
        await expect(menu).to_have_attribute("aria-expanded", "false")
        await expect(menu).to_be_focused()


async def test_embed_script_puts_a_my_account_button_on_the_business_site(page: Page, stack: Stack, salon: str) -> None:
    script = f'<script src="{stack.gateway_url}/w/_/embed.js" data-business="{salon}" data-label="Mi cuenta"></script>'
    await page.set_content(f"<!doctype html><html lang='es'><body><h1>Salon</h1>{script}</body></html>")
    button = page.get_by_role("link", name="Mi cuenta")
    await expect(button).to_have_attribute("href", f"{stack.gateway_url}/w/{salon}/")
    await expect(button).to_have_attribute("target", "_blank")
