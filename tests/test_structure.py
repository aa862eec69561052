"""The engine's inside stays readable: checked over the source of ``engine/``, ``economy/`` and ``social/``.

* no function longer than 40 lines (signature to last line, docstring included);
* no ``# type: ignore`` and no ``# fmt: skip``;
* at most 30 explicit ``Any`` in the three folders together (JSON-ready data is ``object`` or a
  precise alias; ``Any`` is for what truly takes anything).

The layers (which package may import which) are a contract of ``make lint`` (import-linter).
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "festengine"
CORE = ("engine", "economy", "social")
MAX_FUNCTION_LINES = 40
MAX_ANY = 30


def _sources() -> list[Path]:
    return sorted(path for folder in CORE for path in (SRC / folder).rglob("*.py"))


def _comments(path: Path) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [(token.start[0], token.string) for token in tokens if token.type == tokenize.COMMENT]


def _name(path: Path) -> str:
    return str(path.relative_to(SRC))


def test_no_function_is_longer_than_40_lines() -> None:
    """Every function and method in the core folders fits in 40 lines."""
    long = [
        f"{_name(path)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


@pytest.mark.parametrize("marker", ["type: ignore", "fmt: skip", "fmt: off"])
def test_no_checker_or_formatter_is_silenced(marker: str) -> None:
    """No comment in the core folders switches mypy or the formatter off."""
    found = [f"{_name(path)}:{line}" for path in _sources() for line, text in _comments(path) if marker in text]
    assert found == []


def test_explicit_any_stays_rare() -> None:
    """``Any`` written out (annotations, casts, aliases) at most 30 times in the core folders together."""
    uses: dict[str, int] = {}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        count = sum(
            1
            for node in ast.walk(tree)
            if (isinstance(node, ast.Name) and node.id == "Any")
            or (isinstance(node, ast.Attribute) and node.attr == "Any")
            or (isinstance(node, ast.Constant) and isinstance(node.value, str) and _mentions_any(node.value))
        )
        if count:
            uses[_name(path)] = count
    assert sum(uses.values()) <= MAX_ANY, uses


def _mentions_any(text: str) -> bool:
    """Whether a string annotation (``"dict[str, Any]"``) names ``Any``."""
    try:
        expression = ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Name) and node.id == "Any" for node in ast.walk(expression))
