"""The dev mailbox as tests read it: what it holds for an address, and waiting until a mail arrives."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

from regulars.shared.testing.infra import Stack
from regulars.shared.testing.waiting import eventually

Mail = dict[str, Any]


async def mails(
    http: aiohttp.ClientSession, stack: Stack, to: str, subject_has: str = "", text_has: str = ""
) -> list[Mail]:
    """The mails to ``to``, newest first, whose subject holds ``subject_has`` (any case) and text ``text_has``."""
    async with http.get(f"{stack.mailbox_url}/api/messages", params={"to": to}) as response:
        found: list[Mail] = await response.json()
    return [m for m in found if subject_has.lower() in m["subject"].lower() and text_has in m["text"]]


async def texts(http: aiohttp.ClientSession, stack: Stack, to: str) -> list[dict[str, Any]]:
    """The SMS the dev mailbox's SMS box holds for the number ``to``."""
    async with http.get(f"{stack.mailbox_url}/api/sms", params={"to": to}) as response:
        found: list[dict[str, Any]] = await response.json()
    return found


async def wait_for_mails(
    stack: Stack, to: str, subject_has: str = "", text_has: str = "", *, count: int = 1, timeout: float = 30.0
) -> list[Mail]:
    """Once at least ``count`` such mails arrived: all of them, newest first (see ``mails``)."""
    async with aiohttp.ClientSession() as http:

        async def arrived() -> list[Mail] | None:
            found = await mails(http, stack, to, subject_has, text_has)
            return found if len(found) >= count else None

        result: list[Mail] = await eventually(arrived, timeout=timeout, every=0.2)
        return result


async def wait_for_mail(
    stack: Stack, to: str, subject_has: str = "", text_has: str = "", timeout: float = 30.0
) -> Mail:
    """The newest mail to ``to`` with ``subject_has`` in its subject and ``text_has`` in its text, once it arrived."""
    return (await wait_for_mails(stack, to, subject_has, text_has, timeout=timeout))[0]


def link_in(mail: Mail, stack: Stack, slug: str, page: str) -> str:
    """The token of the widget link to ``page`` of ``slug`` in ``mail`` (verify, reset-password…)."""
    found = re.search(rf"{re.escape(stack.gateway_url)}/w/{slug}/{page}\?token=(rgt_[A-Za-z0-9_-]+)", mail["text"])
    assert found, mail["text"]
    return found.group(1)
