"""Helpers for testing code that uses festengine (see docs/testing.md).

* Hypothesis strategies: :func:`events` (also ``festengine.testing.strategies``), which needs
  hypothesis (``pip install "festengine[testing]"``); bad arguments raise
  :class:`InvalidArgumentError`.
* pytest fixtures :func:`fest_loader` and :func:`fest_engine`, provided to every test by the
  ``festengine`` pytest plugin (exported here for documentation and for use without the plugin).
* Scenario files ("given these events, expect these outcomes"): :func:`run_scenario`,
  :func:`load_scenario`, :class:`ScenarioResult`, :class:`ScenarioError`.

Importing this package is cheap and needs neither hypothesis nor pytest: each name is imported
when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from festengine.testing._errors import InvalidArgumentError, ScenarioError

if TYPE_CHECKING:
    from _festengine_pytestplugin import fest_engine, fest_loader
    from festengine.testing.scenario import Scenario, ScenarioResult, load_scenario, run_scenario
    from festengine.testing.strategies import events

__all__ = [
    "InvalidArgumentError",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "events",
    "fest_engine",
    "fest_loader",
    "load_scenario",
    "run_scenario",
]

#: a name exported lazily -> the module that defines it
_LAZY = {
    "Scenario": "festengine.testing.scenario",
    "ScenarioResult": "festengine.testing.scenario",
    "load_scenario": "festengine.testing.scenario",
    "run_scenario": "festengine.testing.scenario",
    "events": "festengine.testing.strategies",
    "fest_engine": "_festengine_pytestplugin",
    "fest_loader": "_festengine_pytestplugin",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'festengine.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
