"""The festengine pytest plugin (registered under ``pytest11``).

It imports festengine only when a test uses one of its fixtures, so installing festengine costs
other projects' test runs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from festengine.catalog.model import Fest
    from festengine.engine.core import Engine

BUNDLED_PACK = Path(__file__).resolve().parents[3] / "missions" / "community-fest"


@pytest.fixture
def fest_loader() -> Callable[..., Fest]:
    """``fest_loader(path)`` loads and compiles a fest pack (a file, a folder or several)."""
    from festengine.catalog.loader import load_fest

    return load_fest


@pytest.fixture
def fest_engine() -> Callable[[Fest], Engine]:
    """``fest_engine(fest)`` makes a fresh :class:`~festengine.Engine` for a compiled fest."""
    from festengine.engine.core import Engine

    def make(fest: Fest) -> Engine:
        return Engine(fest)

    return make


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "festengine_scenario: a YAML scenario run by the festengine plugin")
