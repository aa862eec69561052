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


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect ``scenario_*.yaml`` files as tests, one test per file."""
    if file_path.suffix in (".yaml", ".yml") and file_path.name.startswith("scenario_"):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> list[pytest.Item]:
        return [ScenarioItem.from_parent(self, name=self.path.stem)]


class ScenarioFailed(Exception):
    """A scenario's expectations did not hold."""


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        from festengine.testing.scenario import run_scenario

        result = run_scenario(self.path)
        if not result.passed:
            raise ScenarioFailed("\n".join(result.failures))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            return f"scenario {self.path.name} failed:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.name}"
