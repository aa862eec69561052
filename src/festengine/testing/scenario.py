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
``festengine test FILE…`` and the pytest plugin run them. A file that cannot run (unreadable,
not UTF-8, not YAML, an unknown key, a malformed event, a pack that does not load) raises a
:class:`ScenarioError` listing every problem with file, line and column, and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, ValidationError

from festengine.assembly import Engine
from festengine.catalog._yaml import SourceMap, format_path, parse_yaml
from festengine.errors import EventParseError, FestValidationError, Problem
from festengine.events import Event, parse_event
from festengine.limits import EARLIEST_TIME, LATEST_TIME, time_in_range
from festengine.testing._errors import ScenarioError
from festengine.testing._scenario_file import (
    outcome_pattern_problems,
    read_text,
    top_level_problem,
    validation_problems,
)

__all__ = ["Scenario", "ScenarioError", "ScenarioResult", "load_scenario", "run_scenario"]

MissionStateName = Literal["locked", "active", "completed", "claimed", "expired"]


class Expect(BaseModel):
    """What a scenario expects; every key is optional."""

    model_config = ConfigDict(extra="forbid")

    outcomes: list[dict[str, Any]] = Field(default_factory=list)
    absent: list[dict[str, Any]] = Field(default_factory=list)
    missions: dict[str, dict[str, MissionStateName]] = Field(default_factory=dict)
    badges: dict[str, dict[str, str]] = Field(default_factory=dict)
    points: dict[str, StrictInt] = Field(default_factory=dict)
    balances: dict[str, Decimal] = Field(default_factory=dict)


class Scenario(BaseModel):
    """A parsed scenario file."""

    model_config = ConfigDict(extra="forbid")

    name: str
    pack: str
    events: list[dict[str, Any]] = Field(default_factory=list)
    advance_to: AwareDatetime | None = None
    expect: Expect = Field(default_factory=Expect)


_MODELS: dict[tuple[str, ...], type[BaseModel]] = {(): Scenario, ("expect",): Expect}


@attrs.frozen(slots=True)
class ScenarioResult:
    """The result of running a scenario: ``failures`` lists every expectation that did not hold."""

    name: str
    path: str
    failures: tuple[str, ...]
    outcomes: int

    @property
    def passed(self) -> bool:
        return not self.failures


@attrs.frozen(slots=True)
class _Loaded:
    """A scenario file read and checked: the model, its events parsed, and where each value is."""

    file: str
    scenario: Scenario
    events: tuple[Event, ...]
    source_map: SourceMap


def _plain(value: Any) -> Any:
    """YAML numbers with a point arrive as Decimal; events want money as strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _at(source_map: SourceMap, path: tuple[str | int, ...], message: str) -> Problem:
    file, line, column = source_map.locate(path)
    return Problem(file, line, column, format_path(path), message)


def _parse_events(raw_events: list[dict[str, Any]], source_map: SourceMap) -> tuple[list[Event], list[Problem]]:
    events, problems = [], []
    for index, raw in enumerate(raw_events):
        try:
            events.append(parse_event(raw))
        except EventParseError as error:
            problems.append(_at(source_map, ("events", index), f"a malformed event: {error}"))
    return events, problems


def _check_time(scenario: Scenario, source_map: SourceMap) -> list[Problem]:
    if scenario.advance_to is None or time_in_range(scenario.advance_to):
        return []
    message = f"advance_to must lie from {EARLIEST_TIME.isoformat()} to before {LATEST_TIME.isoformat()}"
    return [_at(source_map, ("advance_to",), message)]


def _load(path: str | os.PathLike[str]) -> _Loaded:
    file = os.fspath(path)
    try:
        data, source_map = parse_yaml(read_text(file), file=file)
    except FestValidationError as error:
        raise ScenarioError(error.problems) from None
    if not isinstance(data, dict):
        raise top_level_problem(file)
    data = _plain(data)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(validation_problems(error, source_map, _MODELS)) from None
    expect = data.get("expect")
    problems = outcome_pattern_problems(expect if isinstance(expect, dict) else {}, source_map)
    events, event_problems = _parse_events(scenario.events, source_map)
    problems += event_problems + _check_time(scenario, source_map)
    if problems:
        raise ScenarioError(problems)
    return _Loaded(file, scenario, tuple(events), source_map)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and check a scenario file; raise :class:`ScenarioError` listing every problem."""
    return _load(path).scenario


def _load_pack(loaded: _Loaded) -> Engine:
    """The scenario's pack: a path relative to the scenario file, or the name of a bundled pack."""
    from festengine.catalog.loader import load_fest
    from festengine.catalog.shipped import bundled_packs, resolve_pack

    name = loaded.scenario.pack
    pack = Path(loaded.file).parent / name
    if not pack.exists():
        if name in bundled_packs():
            pack = Path(resolve_pack(name))
        else:
            names = ", ".join(bundled_packs())
            message = (
                f"no pack at {str(pack)!r} (the path is relative to the scenario file), "
                f"and no bundled pack named {name!r}; bundled packs: {names}"
            )
            raise ScenarioError([_at(loaded.source_map, ("pack",), message)])
    try:
        return Engine(load_fest(pack))
    except FestValidationError as error:
        count = len(error.problems)
        message = f"the pack {loaded.scenario.pack!r} does not load ({count} problem{'s' if count != 1 else ''}):"
        raise ScenarioError([_at(loaded.source_map, ("pack",), message), *error.problems]) from None


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


def _check_absent(seen: list[dict[str, Any]], unwanted: list[dict[str, Any]]) -> list[str]:
    failures = []
    for pattern in unwanted:
        hits = [o for o in seen if _matches(o, pattern)]
        if hits:
            failures.append(f"outcome {pattern} should not happen, but did {len(hits)} time(s): first {hits[0]}")
    return failures


def _check_missions(engine: Engine, expect: Expect) -> list[str]:
    failures = []
    for user, wanted in expect.missions.items():
        states: dict[str, set[str]] = {}
        for row in engine.missions(user):
            states.setdefault(row.mission_id, set()).add(row.state)
        for mission_id, state in wanted.items():
            if state not in states.get(mission_id, set()):
                got = sorted(states.get(mission_id, set()))
                failures.append(f"mission {mission_id!r} of {user!r}: expected {state}, got {got}")
    return failures


def _check_profiles(engine: Engine, expect: Expect) -> list[str]:
    failures = []
    for user, wanted_badges in expect.badges.items():
        held = engine.badges(user)
        for badge, tier in wanted_badges.items():
            if held.get(badge) != tier:
                failures.append(f"badge {badge!r} of {user!r}: expected {tier}, got {held.get(badge)}")
    for user, points in expect.points.items():
        if engine.points(user) != points:
            failures.append(f"points of {user!r}: expected {points}, got {engine.points(user)}")
    for account, amount in expect.balances.items():
        actual = engine.balance(account).amount
        if actual != amount:
            failures.append(f"balance of {account!r}: expected {amount}, got {actual}")
    return failures


def run_scenario(path: str | os.PathLike[str]) -> ScenarioResult:
    """Run one scenario file against a fresh engine.

    Raises :class:`ScenarioError` (and nothing else) if the file cannot run; failed expectations
    are in the result.
    """
    from festengine.engine.outcomes import outcome_to_dict

    loaded = _load(path)
    engine = _load_pack(loaded)
    seen: list[dict[str, Any]] = []
    for event in loaded.events:
        seen.extend(outcome_to_dict(o) for o in engine.apply(event).outcomes)
    if loaded.scenario.advance_to is not None:
        seen.extend(outcome_to_dict(o) for o in engine.advance_to(loaded.scenario.advance_to).outcomes)
    expect = loaded.scenario.expect
    failures = _check_sequence(seen, expect.outcomes) + _check_absent(seen, expect.absent)
    failures += _check_missions(engine, expect) + _check_profiles(engine, expect)
    return ScenarioResult(loaded.scenario.name, loaded.file, tuple(failures), len(seen))
