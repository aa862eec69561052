"""The bounds of every number, time and boolean in a pack (docs/authoring.md, "Limits").

Each test changes one value of a valid one-file pack and checks that the loader refuses it with
one problem that names the document path, points at the value (file, line and column) and says
what to write instead; values at the bound itself are accepted.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path

import pytest

from festengine import Engine, FestValidationError, Problem, load_fest, parse_event

PACK = """\
fest:
  id: limits_fest
  name: Limits Fest
  timezone: America/Los_Angeles
  starts_at: "2026-06-01T00:00:00-07:00"
  ends_at: "2026-06-22T00:00:00-07:00"
  allowed_lateness: "10m"
  phases:
    - {id: week1, name: Week 1, starts_at: "2026-06-01T00:00:00-07:00", ends_at: "2026-06-08T00:00:00-07:00"}
economy:
  currency: USD
  coin_value: {app: "0.0143"}
  default_channel: app
  split: {creator: "0.5", platform: "0.5"}
  gifts:
    - {id: rose, name: Rose, coins: 1, streakable: true}
  budgets:
    - {id: pool, amount: "100.00", allow_partial: false}
  conversions:
    - id: conv
      valid_from: "2026-06-01T00:00:00-07:00"
      valid_to: "2026-06-08T00:00:00-07:00"
      viewer_credit_rate: "0.10"
      budget: pool
      daily_cap_per_viewer: "5.00"
badges:
  - {id: star, name: Star, tiers: [bronze, silver]}
fan_club:
  pause_after_days: 7
  levels:
    - {level: 1, points: 0}
    - {level: 2, points: 100}
  tasks:
    - {id: watch, counts: {event: view}, points: 1, per: {field: seconds, amount: 60}, daily_cap: 60}
scoring:
  rules:
    - {id: coins, counts: {event: gift}, points: 2, per: {field: coins, amount: 1}}
  multipliers:
    - {from_time: "20:00", to_time: "23:59", factor: "2"}
missions:
  - id: streak
    title: Streak
    counts: {event: check_in}
    measure: {kind: streak, period: day, min_per_period: 1, grace: 1}
    target: 5
    window: {kind: between, starts_at: "2026-06-01T00:00:00-07:00", ends_at: "2026-06-08T00:00:00-07:00"}
    claim: {mode: manual, within: "48h"}
    rewards:
      - {points: 10}
      - {fan_club_points: 5}
      - {credit: "1.00", budget: pool}
      - {commission_boost: "0.02", duration: "7d"}
  - id: goal
    title: Goal
    subject: stream
    counts: {event: like, where: {count: {at_least: 1}}}
    target: 1000
    window: {kind: stream}
    community:
      levels:
        - {target: 500, extend_by: "5m"}
      cooldown: "30m"
      min_contribution: 5
promotions:
  - id: sale
    title: Sale
    trigger: {kind: schedule, starts_at: "2026-06-03T18:00:00-07:00", ends_at: "2026-06-03T21:00:00-07:00"}
    discount: {percent: "20"}
  - id: deal
    title: Deal
    trigger: {kind: goal, mission: goal, level: 1}
    discount: {amount: "2.00"}
    duration: "30m"
commission:
  attribution_window: "14d"
  settlement_days: 7
  rules:
    - id: open
      tiers:
        - {from_volume: "0.00", rate: "0.10"}
        - {from_volume: "1000.00", rate: "0.12"}
  bonus_windows:
    - {id: bonus, starts_at: "2026-06-15T00:00:00-07:00", ends_at: "2026-06-22T00:00:00-07:00", extra_rate: "0.02"}
"""


def write(tmp_path: Path, old: str, new: str) -> Path:
    """The pack with the first ``old`` replaced by ``new`` (which must be there)."""
    assert old in PACK, old
    file = tmp_path / "pack.yaml"
    file.write_text(PACK.replace(old, new, 1), encoding="utf-8")
    return file


def only_problem(file: Path) -> Problem:
    with pytest.raises(FestValidationError) as raised:
        load_fest(file)
    problems = raised.value.problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def pointed_at(problem: Problem) -> str:
    """The source text from the problem's line and column on."""
    assert problem.line is not None
    assert problem.column is not None
    line = Path(problem.file).read_text(encoding="utf-8").splitlines()[problem.line - 1]
    return line[problem.column - 1 :]


def test_base_pack_is_valid(tmp_path: Path) -> None:
    """The pack the other tests change loads, with every value at an ordinary size."""
    fest = load_fest(write(tmp_path, "", ""))
    assert list(fest.missions) == ["streak", "goal"]


# (old text, new text, document path, text the problem points at, what the message says)
NUMBERS = [
    pytest.param("coins: 1,", "coins: 1000000000000000000000000000000,", "economy.gifts[0].coins",
                 "1000000000000000000000000000000", "is too large; write 10000000 or less", id="gift-coins"),
    pytest.param('{app: "0.0143"}', '{app: "1e400"}', "economy.coin_value.app",
                 '"1e400"', "'1e400' is written with an exponent; write the number out in digits", id="coin-value-exp"),
    pytest.param('{app: "0.0143"}', '{app: "1E3"}', "economy.coin_value.app",
                 '"1E3"', "'1E3' is written with an exponent", id="coin-value-exp-upper"),
    pytest.param('{app: "0.0143"}', "{app: 1e400}", "economy.coin_value.app",
                 "1e400", "is too large; write a number less than 1,000", id="coin-value-plain-exp"),
    pytest.param('{app: "0.0143"}', '{app: "1000"}', "economy.coin_value.app",
                 '"1000"', "1000 is too large; write a number less than 1,000", id="coin-value"),
    pytest.param('{app: "0.0143"}', '{app: "0.01430001"}', "economy.coin_value.app",
                 '"0.01430001"', "0.01430001 has 8 decimals; write at most 6", id="decimals"),
    pytest.param('{app: "0.0143"}', '{app: "abc"}', "economy.coin_value.app",
                 '"abc"', "expected a number, got 'abc'; write a coin value such as 0.0143", id="not-a-number"),
    pytest.param('{app: "0.0143"}', '{app: "00.5"}', "economy.coin_value.app",
                 '"00.5"', "'00.5' has a leading zero; write it as 0.5", id="leading-zero"),
    pytest.param('amount: "100.00"', 'amount: "1000000000000"', "economy.budgets[0].amount",
                 '"1000000000000"', "is too large; write a number less than 1,000,000,000,000", id="budget"),
    pytest.param('daily_cap_per_viewer: "5.00"', 'daily_cap_per_viewer: "-5.00"',
                 "economy.conversions[0].daily_cap_per_viewer", '"-5.00"', "-5.00 is negative; write 0 or more",
                 id="cap"),
    pytest.param('viewer_credit_rate: "0.10"', 'viewer_credit_rate: "1.5"', "economy.conversions[0].viewer_credit_rate",
                 '"1.5"', "1.5 is too large; write 1 or less", id="rate"),
    pytest.param('{percent: "20"}', '{percent: "100.5"}', "promotions[0].discount.percent",
                 '"100.5"', "100.5 is too large; write 100 or less", id="percent"),
    pytest.param('factor: "2"', 'factor: "11"', "scoring.multipliers[0].factor",
                 '"11"', "11 is too large; write 10 or less", id="factor"),
    pytest.param("amount: 60}", "amount: 0.5}", "fan_club.tasks[0].per.amount",
                 "0.5", "0.5 is too small; write 1 or more", id="per-amount"),
    pytest.param("target: 5\n", "target: 1000000000000\n", "missions[0].target",
                 "1000000000000", "is too large; write a number less than 1,000,000,000,000", id="target"),
    pytest.param("target: 500,", "target: 0,", "missions[1].community.levels[0].target",
                 "0", "0 is too small; write a number greater than 0", id="level-target"),
    pytest.param("min_contribution: 5", "min_contribution: 1e12", "missions[1].community.min_contribution",
                 "1e12", "is too large; write a number less than 1,000,000,000,000", id="min-contribution"),
    pytest.param("{at_least: 1}", "{at_least: 10000000000000}", "missions[1].counts.where.count.at_least",
                 "10000000000000", "is too large", id="condition"),
    pytest.param('{credit: "1.00"', '{credit: "99999999999999"', "missions[0].rewards[2].credit",
                 '"99999999999999"', "is too large", id="credit"),
    pytest.param('{amount: "2.00"}', '{amount: "0"}', "promotions[1].discount.amount",
                 '"0"', "0 is too small; write a number greater than 0", id="discount-amount"),
    pytest.param('{from_volume: "1000.00"', '{from_volume: "5000000000000"', "commission.rules[0].tiers[1].from_volume",
                 '"5000000000000"', "is too large", id="volume"),
    pytest.param("{points: 10}", "{points: 1000001}", "missions[0].rewards[0].points",
                 "1000001", "1000001 is too large; write 1000000 or less", id="points"),
    pytest.param("{fan_club_points: 5}", "{fan_club_points: 10000000}", "missions[0].rewards[1].fan_club_points",
                 "10000000", "is too large; write 1000000 or less", id="fan-club-points"),
    pytest.param("daily_cap: 60}", "daily_cap: 2000000000}", "fan_club.tasks[0].daily_cap",
                 "2000000000", "is too large; write 1000000000 or less", id="daily-cap"),
    pytest.param("min_per_period: 1,", "min_per_period: 10000000000,", "missions[0].measure.min_per_period",
                 "10000000000", "is too large; write 1000000000 or less", id="count"),
    pytest.param("points: 100}", "points: 100000000000}", "fan_club.levels[1].points",
                 "100000000000", "is too large; write 1000000000 or less", id="level-points"),
    pytest.param("{level: 2,", "{level: 1001,", "fan_club.levels[1].level",
                 "1001", "1001 is too large; write 1000 or less", id="level"),
    pytest.param("level: 1}", "level: 5000}", "promotions[1].trigger.level",
                 "5000", "5000 is too large; write 1000 or less", id="trigger-level"),
    pytest.param("pause_after_days: 7", "pause_after_days: 400", "fan_club.pause_after_days",
                 "400", "400 is too large; write 366 or less", id="days"),
    pytest.param("settlement_days: 7", "settlement_days: 91", "commission.settlement_days",
                 "91", "91 is too large; write 90 or less", id="settlement"),
    pytest.param("coins: 1,", 'coins: "1",', "economy.gifts[0].coins",
                 '"1"', "expected a whole number, got '1'; write a whole number such as 5 (without quotes)",
                 id="whole-as-text"),
    pytest.param("coins: 1,", "coins: 1e3,", "economy.gifts[0].coins",
                 "1e3", "1E+3 is written with an exponent; write the number out in digits", id="whole-exp"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "path", "at", "says"), NUMBERS)
def test_numbers_beyond_their_bounds_are_refused(
    tmp_path: Path, old: str, new: str, path: str, at: str, says: str
) -> None:
    """Each kind of number is refused beyond its bound, at its place, saying what to write instead."""
    problem = only_problem(write(tmp_path, old, new))
    assert problem.path == path, problem
    assert says in problem.message, problem
    assert pointed_at(problem).startswith(at), (problem, pointed_at(problem))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("coins: 1,", "coins: 10000000,", id="gift-coins"),
        pytest.param('{app: "0.0143"}', '{app: "999.999999"}', id="coin-value"),
        pytest.param('amount: "100.00"', 'amount: "999999999999.99"', id="budget"),
        pytest.param('viewer_credit_rate: "0.10"', 'viewer_credit_rate: "0.400000"', id="rate"),
        pytest.param('{percent: "20"}', '{percent: "100.000000"}', id="percent"),
        pytest.param('factor: "2"', "factor: 10", id="factor"),
        pytest.param("{points: 10}", "{points: 1000000}", id="points"),
        pytest.param("settlement_days: 7", "settlement_days: 90", id="days"),
        pytest.param("min_contribution: 5", "min_contribution: 0", id="zero"),
        pytest.param("coins: 1,", "coins: 5.0,", id="whole-with-point"),
    ],
)
def test_numbers_at_their_bounds_are_accepted(tmp_path: Path, old: str, new: str) -> None:
    """A value at the bound itself (or just inside an exclusive one) is valid."""
    load_fest(write(tmp_path, old, new))


def test_bounded_gift_prices_compute_exactly(tmp_path: Path) -> None:
    """The dearest gift at the dearest coin value, a million at once, times the finest rate, is exact
    in Decimal's default 28-digit context (the reasoning of "Limits" in docs/authoring.md)."""
    fest = load_fest(write(tmp_path, 'coin_value: {app: "0.0143"}', 'coin_value: {app: "999.999999"}'))
    coins = 10**7 * 10**6  # the most coins per gift times the most gifts per event
    rate = Decimal("0.999999")
    value = coins * fest.economy.coin_value["app"] * rate
    with localcontext() as context:
        context.prec = 100
        exact = coins * fest.economy.coin_value["app"] * rate
    assert value == exact
    assert value.quantize(Decimal("0.0001")) == exact.quantize(Decimal("0.0001"))


TIMES = [
    pytest.param('starts_at: "2026-06-01T00:00:00-07:00"\n  ends_at', 'starts_at: "0001-01-01T00:00:00Z"\n  ends_at',
                 "fest.starts_at", id="fest-start"),
    pytest.param('ends_at: "2026-06-22T00:00:00-07:00"\n  allowed', 'ends_at: "2100-01-01T00:00:00Z"\n  allowed',
                 "fest.ends_at", id="fest-end"),
    pytest.param('name: Week 1, starts_at: "2026-06-01T00:00:00-07:00"',
                 'name: Week 1, starts_at: "1969-12-31T23:59:59Z"',
                 "fest.phases[0].starts_at", id="phase"),
    pytest.param('valid_to: "2026-06-08T00:00:00-07:00"', 'valid_to: "9999-12-31T23:59:59-14:00"',
                 "economy.conversions[0].valid_to", id="conversion"),
    pytest.param('ends_at: "2026-06-08T00:00:00-07:00"}\n    claim', 'ends_at: "2200-01-01T00:00:00Z"}\n    claim',
                 "missions[0].window.ends_at", id="window"),
    pytest.param('starts_at: "2026-06-03T18:00:00-07:00"', 'starts_at: "1900-01-01T00:00:00Z"',
                 "promotions[0].trigger.starts_at", id="promotion"),
    pytest.param('{id: bonus, starts_at: "2026-06-15T00:00:00-07:00"',
                 '{id: bonus, starts_at: "0001-01-01T00:00:00+14:00"',
                 "commission.bonus_windows[0].starts_at", id="bonus-window"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "path"), TIMES)
def test_times_outside_the_supported_range_are_refused(tmp_path: Path, old: str, new: str, path: str) -> None:
    """Fest, phase, window, conversion, promotion and bonus times lie in [1970-01-01, 2100-01-01) UTC."""
    problem = only_problem(write(tmp_path, old, new))
    assert problem.path == path, problem
    assert (
        "is outside the supported time range; write a time from 1970-01-01T00:00:00Z up to (not including) "
        "2100-01-01T00:00:00Z" in problem.message
    ), problem
    assert pointed_at(problem).startswith('"'), (problem, pointed_at(problem))


def test_the_edges_of_the_time_range(tmp_path: Path) -> None:
    """The first instant of the range is a valid time; the last valid instant is just before 2100 in UTC."""
    old = 'starts_at: "2026-06-01T00:00:00-07:00"\n  ends_at: "2026-06-22T00:00:00-07:00"'
    new = 'starts_at: "1970-01-01T00:00:00Z"\n  ends_at: "2099-12-31T15:59:59-08:00"'
    problems = [p for p in _problems(write(tmp_path, old, new)) if "time range" in p.message]
    assert problems == []  # other problems (phases now inside a longer fest are fine; durations) aside


def _problems(file: Path) -> tuple[Problem, ...]:
    try:
        load_fest(file)
    except FestValidationError as error:
        return error.problems
    return ()


DURATIONS = [
    pytest.param('allowed_lateness: "10m"', 'allowed_lateness: "47483d"', "fest.allowed_lateness", '"47483d"',
                 "'47483d' is too long for a duration: longer than the supported time range; write at most '47482d'",
                 id="lateness"),
    pytest.param('within: "48h"', "within: 4102444801", "missions[0].claim.within", "4102444801",
                 "4102444801 is too long for a duration", id="seconds"),
    pytest.param('extend_by: "5m"}\n      cooldown',
                 'extend_by: "47482d"}\n        - {target: 600, extend_by: "1s"}\n      cooldown',
                 "missions[1].community", "levels", "the levels extend the deadline by 47482d1s in all",
                 id="extensions"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "path", "at", "says"), DURATIONS)
def test_durations_longer_than_the_time_range_are_refused(
    tmp_path: Path, old: str, new: str, path: str, at: str, says: str
) -> None:
    """A duration, and all the extensions of a community goal's levels together, fit in the time range."""
    problem = only_problem(write(tmp_path, old, new))
    assert problem.path == path, problem
    assert says in problem.message, problem
    assert pointed_at(problem).startswith(at), (problem, pointed_at(problem))


def test_year_one_in_los_angeles_with_a_streak_is_a_problem_on_the_command_line(tmp_path: Path) -> None:
    """``festengine validate`` of a fest starting 0001-01-01 in Los Angeles (with a streak mission)
    exits 1 with the problem at its line, and no traceback (an OverflowError once escaped)."""
    file = write(
        tmp_path, 'starts_at: "2026-06-01T00:00:00-07:00"\n  ends_at', 'starts_at: "0001-01-01T00:00:00Z"\n  ends_at'
    )
    command = Path(sys.executable).parent / "festengine"
    result = subprocess.run(  # noqa: S603 - our own command
        [str(command), "validate", str(file)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1, result
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "OverflowError" not in output
    assert f"{file}:5:14: fest.starts_at: 0001-01-01T00:00:00+00:00 is outside the supported time range" in output


BOOLEANS = [
    pytest.param("streakable: true", "streakable: no", "economy.gifts[0].streakable", "no", "'no'", id="no"),
    pytest.param("streakable: true", "streakable: yes", "economy.gifts[0].streakable", "yes", "'yes'", id="yes"),
    pytest.param("streakable: true", 'streakable: "false"', "economy.gifts[0].streakable", '"false"', "'false'",
                 id="quoted"),
    pytest.param("streakable: true", "streakable: 1", "economy.gifts[0].streakable", "1", "1", id="one"),
    pytest.param("allow_partial: false", "allow_partial: off", "economy.budgets[0].allow_partial", "off", "'off'",
                 id="off"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "path", "at", "shown"), BOOLEANS)
def test_only_true_and_false_are_booleans(tmp_path: Path, old: str, new: str, path: str, at: str, shown: str) -> None:
    """``no``, ``yes``, ``off``, ``"false"`` and ``1`` are not booleans: the message says to write true or false."""
    problem = only_problem(write(tmp_path, old, new))
    assert problem.path == path, problem
    assert problem.message == f"{shown} is not true or false; write true or false (without quotes)"
    assert pointed_at(problem).startswith(at), (problem, pointed_at(problem))


def test_true_and_false_are_booleans(tmp_path: Path) -> None:
    """Unquoted true and false (in any case YAML allows) are read as booleans."""
    fest = load_fest(write(tmp_path, "streakable: true", "streakable: False"))
    assert fest.economy.gifts["rose"].streakable is False


def test_an_engine_at_every_bound_applies_gifts_exactly(tmp_path: Path) -> None:
    """A pack at the bounds (dearest gift and coin value, finest rates, largest budget, cap and points
    with the largest factor) loads, and the largest gift events apply without an arithmetic error,
    keeping the ledger balanced: what validates, the engine computes with."""
    text = PACK
    for old, new in [
        ("coins: 1,", f"coins: {10**7},"),
        ('{app: "0.0143"}', '{app: "999.999999"}'),
        ('amount: "100.00", allow_partial: false', 'amount: "999999999999.99", allow_partial: true'),
        ('viewer_credit_rate: "0.10"', 'viewer_credit_rate: "0.333333"\n      creator_bonus_rate: "0.166667"'),
        ('daily_cap_per_viewer: "5.00"', 'daily_cap_per_viewer: "999999999999.99"'),
        ('factor: "2"', 'factor: "9.999999"'),
        ("points: 2, per: {field: coins, amount: 1}", f"points: {10**6}, per: {{field: coins, amount: 1}}"),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    file = tmp_path / "pack.yaml"
    file.write_text(text, encoding="utf-8")
    engine = Engine(load_fest(file))
    for day in (2, 3, 4):
        event = parse_event(
            {"event_id": f"gift{day}", "type": "gift", "occurred_at": f"2026-06-0{day}T03:00:00Z", "user_id": "u",
             "creator_id": "c", "stream_id": "s", "gift_id": "rose", "count": 10**6, "repeat_count": 10**6}
        )  # fmt: skip
        step = engine.apply(event)
        assert "GiftConverted" in [type(outcome).__name__ for outcome in step.outcomes]
        assert all(total == 0 for total in engine.ledger.trial_balance().values())
