"""YAML scenario files: "given these events, expect these outcomes".

A scenario names a pack, lists events in the wire format, and says what must (and must not)
happen::

    name: fifty likes complete the daily likes mission
    pack: ../../missions/community-fest      # relative to this file
    events:
      - {event_id: e1, type: like, occurred_at: "2026-06-16T03:00:00Z", user_id: u1,
         creator_id: c1, stream_id: s1, count: 50}
    advance_to: "2026-06-17T12:00:00Z"       # optional: move the clock afterwards
    expect:
      outcomes:                              # each appears, in this order (others may be between)
        - {kind: mission_completed, subject: u1, mission_id: daily_likes}
      absent:                                # none of these appears
        - {kind: rejected}
      missions: {u1: {daily_likes: claimed}} # state of a viewer's mission (any window)
      badges: {u1: {fest_fan: bronze}}
      points: {u1: 10}
      balances: {"viewer:u1:credits": "0.50"}

``run_scenario(path)`` returns a :class:`ScenarioResult` listing every failed expectation;
``festengine test FILE…`` and the pytest plugin (files named ``scenario_*.yaml``) run them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from festengine.errors import EventParseError, FestEngineError

__all__ = ["ScenarioError", "ScenarioResult", "load_scenario", "run_scenario"]


class ScenarioError(FestEngineError, ValueError):
    """A scenario file is malformed (not a failed expectation: those are results)."""


class _Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcomes: list[dict[str, Any]] = Field(default_factory=list)
    absent: list[dict[str, Any]] = Field(default_factory=list)
    missions: dict[str, dict[str, str]] = Field(default_factory=dict)
    badges: dict[str, dict[str, str]] = Field(default_factory=dict)
    points: dict[str, int] = Field(default_factory=dict)
    balances: dict[str, Decimal] = Field(default_factory=dict)


class Scenario(BaseModel):
    """A parsed scenario file."""

    model_config = ConfigDict(extra="forbid")

    name: str
    pack: str
    events: list[dict[str, Any]] = Field(default_factory=list)
    advance_to: AwareDatetime | None = None
    expect: _Expect = Field(default_factory=_Expect)


@attrs.frozen(slots=True)
class ScenarioResult:
    name: str
    path: str
    failures: tuple[str, ...]
    outcomes: int

    @property
    def passed(self) -> bool:
        return not self.failures


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Parse a scenario file safely; raise :class:`ScenarioError` naming what is wrong."""
    from festengine.catalog._yaml import parse_yaml
    from festengine.errors import FestValidationError

    file = Path(path)
    try:
        data, _ = parse_yaml(file.read_text(encoding="utf-8"), file=str(file))
    except FestValidationError as error:
        raise ScenarioError(str(error)) from None
    except OSError as error:
        raise ScenarioError(f"{file}: {error}") from None
    try:
        return Scenario.model_validate(_plain(data))
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)
        )
        raise ScenarioError(f"{file}: {details}") from None


def _plain(value: Any) -> Any:
    """YAML numbers with a point arrive as Decimal; events want money as strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _matches(outcome: Mapping[str, Any], pattern: Mapping[str, Any]) -> bool:
    return all(str(outcome.get(key)) == str(value) for key, value in pattern.items())


def _check_sequence(seen: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> list[str]:
    failures = []
    position = 0
    for pattern in wanted:
        for index in range(position, len(seen)):
            if _matches(seen[index], pattern):
                position = index + 1
                break
        else:
            failures.append(f"expected outcome {pattern} (in order) did not happen")
    return failures


def _check_state(engine: Any, expect: _Expect) -> list[str]:
    failures = []
    for user, wanted in expect.missions.items():
        states: dict[str, set[str]] = {}
        for row in engine.missions(user):
            states.setdefault(row.mission_id, set()).add(row.state)
        for mission_id, state in wanted.items():
            if state not in states.get(mission_id, set()):
                failures.append(
                    f"mission {mission_id!r} of {user!r}: expected {state}, got {sorted(states.get(mission_id, set()))}"
                )
    for user, wanted_badges in expect.badges.items():
        held = engine.badges(user)
        for badge, tier in wanted_badges.items():
            if held.get(badge) != tier:
                failures.append(f"badge {badge!r} of {user!r}: expected {tier}, got {held.get(badge)}")
    for user, points in expect.points.items():
        if engine.points(user) != points:
            failures.append(f"points of {user!r}: expected {points}, got {engine.points(user)}")
    for account, amount in expect.balances.items():
        economy = engine.components.get("economy")
        actual = economy.balance(account) if economy is not None else None
        actual_amount = getattr(actual, "amount", actual)
        if actual_amount is None or Decimal(actual_amount) != amount:
            failures.append(f"balance of {account!r}: expected {amount}, got {actual_amount}")
    return failures


def run_scenario(path: str | os.PathLike[str]) -> ScenarioResult:
    """Run one scenario file against a fresh engine."""
    from festengine.catalog.loader import load_fest
    from festengine.engine.core import Engine
    from festengine.engine.outcomes import outcome_to_dict
    from festengine.events import parse_event

    file = Path(path)
    scenario = load_scenario(file)
    engine = Engine(load_fest(file.parent / scenario.pack))
    seen: list[dict[str, Any]] = []
    failures: list[str] = []
    for number, raw in enumerate(scenario.events, start=1):
        try:
            event = parse_event(raw)
        except EventParseError as error:
            failures.append(f"event {number} is malformed: {error}")
            continue
        seen.extend(outcome_to_dict(o) for o in engine.apply(event).outcomes)
    if scenario.advance_to is not None:
        seen.extend(outcome_to_dict(o) for o in engine.advance_to(scenario.advance_to).outcomes)
    failures += _check_sequence(seen, scenario.expect.outcomes)
    for pattern in scenario.expect.absent:
        hits = [o for o in seen if _matches(o, pattern)]
        if hits:
            failures.append(f"outcome {pattern} should not happen, but did {len(hits)} time(s): first {hits[0]}")
    failures += _check_state(engine, scenario.expect)
    return ScenarioResult(scenario.name, str(file), tuple(failures), len(seen))
