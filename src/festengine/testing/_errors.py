"""The errors of the testing kit; importing this module needs neither pydantic nor hypothesis."""

from __future__ import annotations

from collections.abc import Sequence

from festengine.errors import FestEngineError, Problem

__all__ = ["InvalidArgumentError", "ScenarioError"]


class ScenarioError(FestEngineError, ValueError):
    """A scenario file cannot run: unreadable, not YAML, not a scenario, or its pack or events are wrong.

    ``.problems`` lists every problem found, each with file, line, column and the key it is about.
    A failed expectation is not an error: it is a result (:class:`~festengine.testing.ScenarioResult`).
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class InvalidArgumentError(FestEngineError, ValueError):
    """A strategy was called with arguments that cannot work (Hypothesis's ``InvalidArgument``, ours)."""
