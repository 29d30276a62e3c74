"""Every public use case (and every public form and helper) of these services' service layers
says in its docstring what it does (STYLE.md, "a docstring on every public use case")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LAYERS = [
    ROOT / "services/appointments/src/regulars/appointments/service_layer",
    ROOT / "services/identity/src/regulars/identity/service_layer",
    ROOT / "services/wallet/src/regulars/wallet/service_layer",
    ROOT / "services/notifications/src/regulars/notifications/service_layer",
]


def undocumented(module: Path) -> list[str]:
    tree = ast.parse(module.read_text())
    return [
        f"{module.name}:{node.lineno} {node.name}"
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and not node.name.startswith("_")
        and not (ast.get_docstring(node) or "").strip()
    ]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda path: path.parts[-2])
def test_every_public_use_case_has_a_docstring(layer: Path) -> None:
    assert layer.is_dir()
    missing = [name for module in sorted(layer.glob("*.py")) for name in undocumented(module)]
    assert missing == []
