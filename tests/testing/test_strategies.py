"""festengine.testing.strategies.events draws event lists in Hypothesis's style, including awkward deliveries."""

from __future__ import annotations

import itertools
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import festengine
import festengine.testing
from festengine.outcomes import Rejected
from festengine.testing import InvalidArgumentError, events

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


@cache
def _fest() -> festengine.Fest:
    return festengine.load_fest(PACK)


def _kinds(drawn: list[festengine.Event]) -> list[str]:
    engine = festengine.Engine(_fest())
    return [o.kind for step in engine.apply_many(drawn) for o in step.outcomes]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"min_size": -1}, "min_size=-1 must be at least 0"),
        ({"min_size": 5, "max_size": 2}, "min_size=5 must not be larger than max_size=2"),
        ({"max_size": 2.5}, "max_size=2.5 must be a whole number (an int)"),
        ({"users": 0}, "users=0 must be at least 1"),
        ({"creators": True}, "creators=True must be a whole number (an int)"),
        ({"duplicates": 1}, "duplicates=1 must be True or False"),
        ({"late": "yes"}, "late='yes' must be True or False"),
    ],
)
def test_bad_arguments_are_refused_when_the_strategy_is_made(arguments: dict[str, Any], message: str) -> None:
    """Each impossible argument raises InvalidArgumentError at once, naming the argument and its value."""
    with pytest.raises(InvalidArgumentError) as caught:
        events(_fest(), **arguments)
    assert str(caught.value) == message
    assert isinstance(caught.value, festengine.FestEngineError)


def test_a_fest_that_is_not_a_fest_is_refused() -> None:
    """Passing a path instead of a compiled fest says what to pass."""
    with pytest.raises(InvalidArgumentError, match=r"must be a compiled Fest \(from festengine.load_fest\)"):
        events(PACK)  # type: ignore[arg-type]  # the mistake under test


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), bounds=st.tuples(st.integers(0, 12), st.integers(0, 12)).map(sorted))
def test_sizes_order_and_fest_bounds_hold(data: st.DataObject, bounds: list[int]) -> None:
    """Without options: between min_size and max_size events, in time order, all inside the fest, each accepted."""
    fest = _fest()
    drawn = data.draw(events(fest, min_size=bounds[0], max_size=bounds[1]))
    assert bounds[0] <= len(drawn) <= bounds[1]
    times = [event.occurred_at for event in drawn]
    assert times == sorted(times)
    assert all(fest.starts_at <= t < fest.ends_at for t in times)
    assert len({event.event_id for event in drawn}) == len(drawn)
    assert "duplicate" not in _kinds(drawn)
    assert "too_late" not in _rejections(drawn)


def _run(option: str, check: Any) -> int:
    """Draw 40 lists with one option on; ``check`` asserts each list's rule and returns how often it applied."""
    seen = []

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(drawn=events(_fest(), min_size=10, max_size=20, **{option: True}))
    def draw(drawn: list[festengine.Event]) -> None:
        seen.append(check(drawn))

    draw()
    return sum(seen)


def _rejections(drawn: list[festengine.Event]) -> list[str]:
    engine = festengine.Engine(_fest())
    return [o.code for step in engine.apply_many(drawn) for o in step.outcomes if isinstance(o, Rejected)]


def test_duplicates_repeat_an_event_and_the_engine_says_duplicate() -> None:
    """duplicates=True draws some events again (same event_id); the engine answers each repeat with Duplicate."""

    def check(drawn: list[festengine.Event]) -> int:
        repeats = len(drawn) - len({event.event_id for event in drawn})
        assert _kinds(drawn).count("duplicate") == repeats
        return repeats

    assert _run("duplicates", check) > 0


def test_out_of_order_events_move_back_within_the_lateness() -> None:
    """out_of_order=True moves some events before earlier ones, never beyond the allowed lateness: none is too late."""

    def check(drawn: list[festengine.Event]) -> int:
        moved_back = sum(b.occurred_at < a.occurred_at for a, b in itertools.pairwise(drawn))
        assert "too_late" not in _rejections(drawn)
        return moved_back

    assert _run("out_of_order", check) > 0


def test_late_events_are_rejected_as_too_late() -> None:
    """late=True draws events further behind than the allowed lateness; the engine rejects each as too_late."""
    lateness = _fest().allowed_lateness

    def check(drawn: list[festengine.Event]) -> int:
        late, latest = 0, drawn[0].occurred_at
        for event in drawn:
            late += event.occurred_at < latest - lateness
            latest = max(latest, event.occurred_at)
        assert _rejections(drawn).count("too_late") == late
        return late

    assert _run("late", check) > 0


def test_the_package_exports_the_whole_kit() -> None:
    """festengine.testing lists the strategies, fixtures and scenario tools, and each name resolves."""
    assert set(festengine.testing.__all__) == {
        "InvalidArgumentError", "Scenario", "ScenarioError", "ScenarioResult", "events", "fest_engine",
        "fest_loader", "load_scenario", "run_scenario",
    }  # fmt: skip
    assert set(festengine.testing.__all__) <= set(dir(festengine.testing))
    for name in festengine.testing.__all__:
        assert getattr(festengine.testing, name) is not None


def test_importing_the_kit_needs_no_hypothesis() -> None:
    """Without hypothesis, festengine.testing imports and runs scenarios; events() says how to install it."""
    code = """
import sys

class NoHypothesis:
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoHypothesis())
import festengine.testing
assert callable(festengine.testing.run_scenario) and festengine.testing.ScenarioError
try:
    festengine.testing.events
except ModuleNotFoundError as error:
    print(error)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout == (
        'festengine.testing.strategies needs hypothesis; install it with pip install "festengine[testing]"\n'
    )
