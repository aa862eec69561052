"""The festengine pytest plugin, registered under ``pytest11`` as ``festengine``.

Installing festengine loads this plugin into every pytest run, so it costs other projects
nothing: it is a top-level module (importing ``festengine.anything`` would import the whole
package first) and it imports festengine only when a test uses one of its fixtures or runs a
scenario file.

It provides:

* the fixtures ``fest_loader`` (``fest_loader(path)`` loads a pack) and ``fest_engine``
  (``fest_engine(fest)`` makes a fresh engine);
* scenario files as tests: in a project that opts in with the ini option
  ``festengine_scenarios = true``, every ``scenario_*.yaml`` (or ``.yml``) file is one test.
  Elsewhere such files are left alone. Disable the whole plugin with ``-p no:festengine``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from festengine.assembly import Engine
    from festengine.catalog.model import Fest

__all__ = ["SCENARIOS_INI", "fest_engine", "fest_loader"]

SCENARIOS_INI = "festengine_scenarios"
"""The ini option that makes pytest collect ``scenario_*.yaml`` files as tests."""

_SCENARIO_SUFFIXES = (".yaml", ".yml")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the opt-in ini option (off by default)."""
    parser.addini(
        SCENARIOS_INI,
        type="bool",
        default=False,
        help="collect festengine scenario files (scenario_*.yaml, scenario_*.yml) as tests",
    )


@pytest.fixture
def fest_loader() -> Callable[..., Fest]:
    """``fest_loader(path)`` loads and compiles a fest pack (a file, a folder or several)."""
    from festengine.catalog.loader import load_fest

    return load_fest


@pytest.fixture
def fest_engine() -> Callable[[Fest], Engine]:
    """``fest_engine(fest)`` makes a fresh :class:`~festengine.Engine` for a compiled fest."""
    from festengine.assembly import Engine

    def make(fest: Fest) -> Engine:
        return Engine(fest)

    return make


def is_scenario_file(file_path: Path) -> bool:
    """Whether a file is named like a scenario (``scenario_*.yaml`` or ``scenario_*.yml``)."""
    return file_path.suffix in _SCENARIO_SUFFIXES and file_path.name.startswith("scenario_")


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect a scenario file as one test, only in a project that opted in."""
    if is_scenario_file(file_path) and parent.config.getini(SCENARIOS_INI):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A scenario file: one test named after the file."""

    def collect(self) -> list[pytest.Item]:
        return [ScenarioItem.from_parent(self, name=self.path.stem)]


class ScenarioFailed(Exception):
    """A scenario's expectations did not hold."""


class ScenarioItem(pytest.Item):
    """Runs one scenario file; reports failed expectations, or what is wrong with the file, without a traceback."""

    def runtest(self) -> None:
        from festengine.testing.scenario import run_scenario

        result = run_scenario(self.path)
        if not result.passed:
            raise ScenarioFailed("\n".join(f"  - {failure}" for failure in result.failures))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            return f"scenario {self.path.name} failed:\n{excinfo.value}"
        from festengine.testing.scenario import ScenarioError

        if isinstance(excinfo.value, ScenarioError):
            return f"scenario {self.path.name} cannot run:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.name}"
