"""The widget's static data. Message catalogs: one folder per namespace (widget/i18n/<namespace>/
<locale>.json), each with every language, the same keys and the same placeholders; every key the code
asks for exists. Input limits (widget/limits.js): the server's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from regulars.gateway import widget
from regulars.identity.domain import accounts

WIDGET = Path(widget.__file__).parent
CATALOGS = WIDGET / "i18n"
SOURCES = {path: path.read_text() for path in WIDGET.rglob("*.js")}
# The widget's languages, as its i18n module lists them.
LISTED = re.search(r"export const LOCALES = \[(.*?)\]", (WIDGET / "i18n.js").read_text())
assert LISTED, "i18n.js exports no LOCALES"
LOCALES = re.findall(r'"(\w+)"', LISTED[1])
NAMESPACES = sorted(path.name for path in CATALOGS.iterdir() if path.is_dir())


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def catalog(namespace: str, locale: str) -> dict[str, str]:
    return flatten(json.loads((CATALOGS / namespace / f"{locale}.json").read_text()))


def translators() -> dict[str, str]:
    """Name of each translator function in the code -> its namespace (`t` is the widget's own)."""
    found = {"t": "widget"}
    for text in SOURCES.values():
        found.update(re.findall(r'const (\w+) = translator\("(\w+)"\)', text))
    return found


def test_the_widget_has_four_languages_and_its_namespaces() -> None:
    assert LOCALES == ["en", "es", "it", "pt"]
    assert {"widget", "booking"} <= set(NAMESPACES)
    assert sorted(set(translators().values())) == NAMESPACES


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("locale", LOCALES)
def test_r_u4_every_text_exists_in_every_language_with_the_same_placeholders(namespace: str, locale: str) -> None:
    assert sorted(path.stem for path in (CATALOGS / namespace).glob("*.json")) == sorted(LOCALES)
    english, other = catalog(namespace, "en"), catalog(namespace, locale)
    assert sorted(set(english) ^ set(other)) == []
    for key, text in other.items():
        assert text.strip(), f"{namespace}/{locale}:{key} is empty"
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", english[key])), key


@pytest.mark.parametrize("name", sorted(translators()))
def test_r_u4_every_key_the_widget_uses_is_in_its_namespace(name: str) -> None:
    english = catalog(translators()[name], "en")
    used: set[str] = set()
    families: set[str] = set()
    for text in SOURCES.values():
        used |= set(re.findall(rf"\b{name}\(\s*\"([a-z_]+(?:\.[a-z_0-9]+)*)\"", text))
        families |= set(re.findall(rf"\b{name}\(\s*`([a-z_]+\.[a-z_]*)\$\{{", text))
    assert used, f"no {name}(...) calls found: the pattern is out of date"
    assert sorted(key for key in used if key not in english) == []
    for family in families:
        assert any(key.startswith(family) for key in english), family


def test_the_widget_mirrors_the_servers_password_limits() -> None:
    limits = (WIDGET / "limits.js").read_text()
    password = re.search(r"export const PASSWORD = \{ minlength: (\d+), maxlength: (\d+) \};", limits)
    assert password, "widget/limits.js: PASSWORD is not where it was"
    assert (int(password[1]), int(password[2])) == (accounts.PASSWORD_MIN, accounts.PASSWORD_MAX)
    # Every password field takes them from there.
    assert [path.name for path, text in SOURCES.items() if "minlength: 8" in text or "maxlength: 128" in text] == [
        "limits.js"
    ]
