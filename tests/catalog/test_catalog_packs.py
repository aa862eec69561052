"""Whole packs: the bundled Community Fest, generated valid packs, and fuzzed YAML.

* the bundled pack loads, compiles to a frozen ``Fest`` with the promised content, and has a
  stable fingerprint;
* a Hypothesis strategy builds random but valid packs (missions with every measure, window and
  reward, prerequisites without cycles, badges, budgets, Fan Club, journeys, promotions,
  commission…), writes them as YAML text, and they load and compile;
* random and mutated YAML (mutations of the bundled ``missions.yaml``) never makes ``load_fest``
  raise anything but ``FestValidationError``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from festengine import Fest, FestValidationError, load_fest
from festengine._vocab import EVENT_FIELDS, FieldKind
from festengine.catalog.explain import explain_fest
from festengine.catalog.model import MeasureKind, WindowKind

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


@pytest.fixture(scope="module")
def fest() -> Fest:
    return load_fest(PACK)


# =========================================================================== the bundled pack


def test_bundled_pack_content(fest: Fest) -> None:
    """The Community Fest has >= 25 missions using every measure and window kind."""
    missions = list(fest.missions.values())
    assert len(missions) >= 25
    assert {m.measure.kind for m in missions} == set(MeasureKind)
    assert {m.window.kind for m in missions} == set(WindowKind)
    assert {m.subject.value for m in missions} == {"viewer", "creator", "stream"}
    assert any(m.requires.missions for m in missions)
    assert any(m.claim.manual for m in missions)
    assert {r.kind for m in missions for r in m.rewards} == {
        "badge",
        "points",
        "credit",
        "fan_club_points",
        "promotion",
        "commission_boost",
    }


def test_bundled_pack_journey_fan_club_and_economy(fest: Fest) -> None:
    """A journey of >= 5 steps with a branch, >= 10 Fan Club levels with capped daily tasks, >= 10 gifts,
    conversions, promotions, budgets and tiered commission."""
    assert any(len(j.steps) >= 5 and any(len(s.missions) >= 2 for s in j.steps) for j in fest.journeys.values())
    assert fest.fan_club is not None
    assert len(fest.fan_club.levels) >= 10
    assert [level.level for level in fest.fan_club.levels] == list(range(1, len(fest.fan_club.levels) + 1))
    assert fest.fan_club.tasks
    assert all(task.daily_cap for task in fest.fan_club.tasks)
    assert len(fest.economy.gifts) >= 10
    assert fest.economy.conversions
    assert fest.economy.budgets
    assert fest.promotions
    assert {p.trigger_kind for p in fest.promotions.values()} == {"schedule", "mission", "goal"}
    tiered = [rule for rule in fest.commission.rules if len(rule.tiers) >= 2]
    assert tiered
    assert [t.from_volume for t in tiered[0].tiers] == sorted(t.from_volume for t in tiered[0].tiers)
    assert fest.commission.bonus_windows
    assert len(fest.phases) == 3
    assert any(len(badge.tiers) > 1 for badge in fest.badges.values())


def test_bundled_pack_indexes(fest: Fest) -> None:
    """The compiled indexes agree with the missions: by event type in pack order, and dependents."""
    for event, indexed in fest.missions_by_event.items():
        assert list(indexed) == [m for m in fest.missions.values() if m.counts.event == event]
    for mission in fest.missions.values():
        for required in mission.requires.missions:
            assert mission.id in fest.dependents[required]
    assert fest.sources == tuple(str(PACK / name) for name in sorted(p.name for p in PACK.glob("*.yaml")))


def test_compiled_fest_is_frozen(fest: Fest) -> None:
    """The compiled Fest and the values in it refuse assignment."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fest.name = "Another fest"  # type: ignore[misc]
    mission = next(iter(fest.missions.values()))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mission.target = 1  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fest.economy.currency = "EUR"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mission.window.kind = WindowKind.FEST  # type: ignore[misc]


def test_fingerprint_is_stable_and_tells_packs_apart(fest: Fest, tmp_path: Path) -> None:
    """Loading the same pack twice (even from a copy) gives the same fingerprint; any change gives another."""
    assert load_fest(PACK).fingerprint == fest.fingerprint
    copy = tmp_path / "copy"
    shutil.copytree(PACK, copy)
    assert load_fest(copy).fingerprint == fest.fingerprint
    assert re.fullmatch(r"[0-9a-f]{64}", fest.fingerprint)
    missions = copy / "missions.yaml"
    missions.write_text(missions.read_text(encoding="utf-8").replace("target: 900", "target: 901"), encoding="utf-8")
    changed = load_fest(copy)
    assert changed.fingerprint != fest.fingerprint
    # comments and layout are not part of the pack
    missions.write_text("# a comment\n" + missions.read_text(encoding="utf-8").replace("target: 901", "target:   900"))
    assert load_fest(copy).fingerprint == fest.fingerprint


# =========================================================================== generated valid packs

ZONES = ("UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe")
CURRENCIES = (("USD", 2), ("JPY", 0), ("KWD", 3))
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_EVENTS = sorted(e for e, fields in EVENT_FIELDS.items() if FieldKind.NUMBER in fields.values())
STREAM_EVENTS = sorted(e for e, fields in EVENT_FIELDS.items() if "stream_id" in fields)
HOUR = timedelta(hours=1)


def stamp(moment: datetime, zone: str) -> str:
    """An instant written in the fest's time zone, with its offset."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).isoformat()


def money(draw: st.DrawFn, minor: int, low: int = 1, high: int = 100_000) -> str:
    """A positive amount with exactly the currency's decimals."""
    return f"{Decimal(draw(st.integers(low, high))).scaleb(-minor):f}"


@attrs.define
class Draft:
    """What the generator knows while it builds one pack."""

    zone: str
    start: datetime
    end: datetime
    minor: int
    phases: list[tuple[str, datetime, datetime]]
    badges: dict[str, list[str]]
    budgets: list[str]
    fan_club: bool
    promotions: list[str] = attrs.field(factory=list)
    missions: list[dict[str, Any]] = attrs.field(factory=list)
    bounds: dict[str, tuple[datetime, datetime]] = attrs.field(factory=dict)
    levels: dict[str, int] = attrs.field(factory=dict)
    awarded: set[str] = attrs.field(factory=set)  # badges something awards, which a prerequisite may name

    @property
    def hours(self) -> int:
        return int((self.end - self.start) / HOUR)

    def interval(self, draw: st.DrawFn) -> tuple[datetime, datetime]:
        """A sub-interval of the fest, whole hours."""
        first = draw(st.integers(0, self.hours - 1))
        last = draw(st.integers(first + 1, self.hours))
        return self.start + first * HOUR, self.start + last * HOUR

    def bounds_of(self, window: dict[str, Any]) -> tuple[datetime, datetime]:
        """The instants a window can count in (the whole fest for daily, weekly and stream windows)."""
        if window["kind"] == "phase":
            _, start, end = next(p for p in self.phases if p[0] == window["phase"])
            return start, end
        if window["kind"] == "between":
            return datetime.fromisoformat(window["starts_at"]), datetime.fromisoformat(window["ends_at"])
        return self.start, self.end


#: Fields whose values the pack defines (gifts, coin channels, missions): a filter on made-up values never matches.
PACK_DEFINED = {("gift", "gift_id"), ("gift", "channel"), ("claim", "mission_id")}
#: Fields of which one instance of a mission may see a single value (or as many as the pack defines).
FEW_VALUES = {"gift_id", "channel", "mission_id", "creator_id", "stream_id", "user_id"}


def condition(draw: st.DrawFn, event: str, measured: str | None) -> dict[str, Any]:
    """Zero or one condition on a field of ``event`` that fits the field's kind and can match.

    Never on a field whose values the pack defines, nor on the field a distinct measure counts.
    """
    fields = {f: k for f, k in EVENT_FIELDS[event].items() if (event, f) not in PACK_DEFINED and f != measured}
    if not fields or not draw(st.booleans()):
        return {}
    name = draw(st.sampled_from(sorted(fields)))
    if fields[name] is FieldKind.NUMBER:
        low = draw(st.integers(1, 100))  # every counted number field carries 1 to 100
        op = draw(st.sampled_from([{"at_least": low}, {"at_most": low}, {"between": [low, low + 10]}]))
    else:
        op = draw(st.sampled_from([{"equals": "x1"}, {"one_of": ["x1", "x2"]}, {"contains": "fest"}]))
    return {"where": {name: op}}


def measure_and_target(
    draw: st.DrawFn, d: Draft, event: str, window: dict[str, Any], community: bool
) -> tuple[dict[str, Any], int | str]:
    """A measure for ``event`` and a target it can reach within ``window``."""
    kinds = ["count", "distinct"] + (["sum"] if event in NUMBER_EVENTS else []) + ([] if community else ["streak"])
    kind = draw(st.sampled_from(kinds))
    if kind == "count":
        return {"kind": "count"}, draw(st.integers(1, 500))
    if kind == "distinct":
        field = draw(st.sampled_from(sorted([*EVENT_FIELDS[event], "user_id"])))
        return {"kind": "distinct", "field": field}, 1 if field in FEW_VALUES else draw(st.integers(1, 20))
    if kind == "sum":
        numbers = sorted(f for f, k in EVENT_FIELDS[event].items() if k is FieldKind.NUMBER)
        return {"kind": "sum", "field": draw(st.sampled_from(numbers))}, money(draw, 2, 1, 10**6)
    period = draw(st.sampled_from(["day", "week"]))
    start, end = d.bounds_of(window)
    whole_days = int((end - start) / HOUR) // 24
    if window["kind"] == "daily":
        fits = 1
    elif window["kind"] == "weekly":
        fits = 1 if period == "week" else min(6, max(1, whole_days - 1))
    else:  # local days may be 23 or 25 hours long: stay a day below what the hours allow
        fits = max(1, whole_days - 1) if period == "day" else max(1, whole_days // 7)
    measure = {"kind": "streak", "period": period, "min_per_period": draw(st.integers(1, 3))}
    measure["grace"] = draw(st.integers(0, 2))
    return measure, draw(st.integers(1, fits))


def window_for(draw: st.DrawFn, d: Draft, event: str) -> dict[str, Any]:
    kinds = ["fest", "daily", "weekly", "between"] + (["phase"] if d.phases else [])
    kinds += ["stream"] if event in STREAM_EVENTS else []
    kind = draw(st.sampled_from(kinds))
    if kind == "phase":
        return {"kind": "phase", "phase": draw(st.sampled_from([p[0] for p in d.phases]))}
    if kind == "between":
        start, end = d.interval(draw)
        return {"kind": "between", "starts_at": stamp(start, d.zone), "ends_at": stamp(end, d.zone)}
    return {"kind": kind}


def rewards(draw: st.DrawFn, d: Draft) -> list[dict[str, Any]]:
    options: list[Any] = [
        st.builds(lambda n: {"points": n}, st.integers(1, 1000)),
        st.builds(lambda r: {"commission_boost": f"0.0{r}", "duration": f"{r}d"}, st.integers(1, 9)),
    ]
    if d.badges:
        badge = st.sampled_from(sorted(d.badges))
        options.append(badge.flatmap(lambda b: st.sampled_from(d.badges[b]).map(lambda t: {"badge": b, "tier": t})))
    if d.budgets:
        options.append(st.sampled_from(d.budgets).map(lambda b: {"credit": money(draw, d.minor, 1, 500), "budget": b}))
    if d.fan_club:
        options.append(st.builds(lambda n: {"fan_club_points": n}, st.integers(1, 100)))
    if d.promotions:
        options.append(st.sampled_from(d.promotions).map(lambda p: {"promotion": p}))
    return draw(st.lists(st.one_of(options), max_size=3))


def mission(draw: st.DrawFn, d: Draft, index: int) -> dict[str, Any]:
    mission_id = f"m{index}"
    community = draw(st.integers(0, 4)) == 0
    subject = draw(st.sampled_from(["creator", "stream"])) if community else "viewer"
    event = draw(st.sampled_from(STREAM_EVENTS if community else sorted(EVENT_FIELDS)))
    window = window_for(draw, d, event)
    measure, target = measure_and_target(draw, d, event, window, community)
    spec: dict[str, Any] = {
        "id": mission_id,
        "title": f"Mission {index}",
        "subject": subject,
        "counts": {"event": event, **condition(draw, event, measure.get("field"))},
        "measure": measure,
        "target": target,
        "window": window,
        "repeat": draw(st.integers(1, 3)),
        "rewards": rewards(draw, d),
    }
    start, end = d.bounds_of(window)
    if community:
        whole = int(Decimal(str(target)))
        levels = sorted(set(draw(st.lists(st.integers(1, whole), max_size=3)))) if whole >= 1 else []
        spec["community"] = {"levels": [{"target": level, "extend_by": "5m"} for level in levels], "cooldown": "1m"}
        d.levels[mission_id] = len(levels)
    else:
        # prerequisites: earlier viewer missions whose window opens before this one closes (no cycles)
        earlier = [m["id"] for m in d.missions if m["subject"] == "viewer" and d.bounds[m["id"]][0] < end]
        if earlier:
            spec["requires"] = {"missions": draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))}
        if d.awarded and draw(st.booleans()):  # a badge that an earlier mission or a fan club level awards
            badge = draw(st.sampled_from(sorted(d.awarded)))
            spec.setdefault("requires", {})["badge"] = {"badge": badge, "tier": d.badges[badge][0]}
        if draw(st.booleans()):
            spec["claim"] = {"mode": "manual", "within": draw(st.sampled_from(["30m", "48h", "7d", 3600]))}
    d.bounds[mission_id] = (start, end)
    d.awarded.update(reward["badge"] for reward in spec["rewards"] if "badge" in reward)
    return spec


@st.composite
def valid_packs(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """A random valid pack, one document per file name."""
    zone = draw(st.sampled_from(ZONES))
    start = datetime(2026, 1, 1, tzinfo=UTC) + draw(st.integers(0, 24 * 700)) * HOUR
    end = start + draw(st.integers(7 * 24, 42 * 24)) * HOUR
    currency, minor = draw(st.sampled_from(CURRENCIES))
    cuts = sorted(draw(st.sets(st.integers(1, int((end - start) / HOUR) - 1), max_size=3)))
    edges = [start, *(start + c * HOUR for c in cuts), end]
    phases = [(f"phase{i}", a, b) for i, (a, b) in enumerate(pairwise(edges))]
    phases = phases if draw(st.booleans()) else []
    badges = {f"badge{i}": [f"tier{j}" for j in range(draw(st.integers(1, 3)))] for i in range(draw(st.integers(0, 3)))}
    budgets = [f"budget{i}" for i in range(draw(st.integers(0, 2)))]
    d = Draft(zone, start, end, minor, phases, badges, budgets, fan_club=draw(st.booleans()))

    gifts = [
        {"id": f"gift{i}", "name": f"Gift {i}", "coins": draw(st.integers(1, 30000)), "streakable": draw(st.booleans())}
        for i in range(draw(st.integers(1, 5)))
    ]
    creator_share = draw(st.integers(0, 100))
    economy: dict[str, Any] = {
        "currency": currency,
        "minor_unit": minor,
        "rounding": draw(st.sampled_from(["half_even", "half_up", "down"])),
        "coin_value": {"app": "0.0143", "web": "0.0105"},
        "default_channel": draw(st.sampled_from(["app", "web"])),
        "split": {"creator": f"{Decimal(creator_share) / 100}", "platform": f"{Decimal(100 - creator_share) / 100}"},
        "gifts": gifts,
        "budgets": [{"id": b, "amount": money(draw, minor), "allow_partial": draw(st.booleans())} for b in budgets],
    }
    if budgets and phases:  # one conversion per phase: back to back, never overlapping
        share = 100 - creator_share
        economy["conversions"] = []
        for phase_id, a, b in phases:
            viewer = draw(st.integers(0, share))
            economy["conversions"].append(
                {
                    "id": f"conv_{phase_id}",
                    "valid_from": stamp(a, zone),
                    "valid_to": stamp(b, zone),
                    "viewer_credit_rate": f"{Decimal(viewer) / 100}",
                    "creator_bonus_rate": f"{Decimal(draw(st.integers(0, share - viewer))) / 100}",
                    "budget": draw(st.sampled_from(budgets)),
                    "daily_cap_per_viewer": money(draw, minor),
                }
            )

    pack: dict[str, dict[str, Any]] = {
        "fest": {
            "fest": {
                "id": "generated",
                "name": "Generated Fest",
                "timezone": zone,
                "starts_at": stamp(start, zone),
                "ends_at": stamp(end, zone),
                "allowed_lateness": draw(st.sampled_from(["0s", "10m", "1h", 90])),
                "week_starts_on": draw(st.sampled_from(WEEKDAYS)),
                "phases": [
                    {"id": p, "name": p.title(), "starts_at": stamp(a, zone), "ends_at": stamp(b, zone)}
                    for p, a, b in phases
                ],
            }
        },
        "economy": {"economy": economy},
        "badges": {"badges": [{"id": b, "name": b.title(), "tiers": tiers} for b, tiers in badges.items()]},
    }
    if d.fan_club:
        levels = draw(st.integers(1, 12))
        points = [0, *sorted(draw(st.sets(st.integers(1, 10_000), min_size=levels - 1, max_size=levels - 1)))]
        fan_club_levels: list[dict[str, Any]] = [{"level": i + 1, "points": p} for i, p in enumerate(points)]
        if badges:
            badge = sorted(badges)[0]
            for level, tier in zip(fan_club_levels, badges[badge], strict=False):
                level["badge"] = {"badge": badge, "tier": tier}
            d.awarded.add(badge)
        tasks = [
            {"id": "watch", "counts": {"event": "view"}, "points": 1, "per": {"field": "seconds", "amount": 60}},
            {"id": "chat", "counts": {"event": "comment"}, "points": 2, "daily_cap": draw(st.integers(1, 50))},
        ]
        pack["fan_club"] = {
            "fan_club": {
                "join_gift": draw(st.sampled_from([g["id"] for g in gifts])),
                "pause_after_days": draw(st.integers(1, 30)),
                "levels": list(reversed(fan_club_levels)) if draw(st.booleans()) else fan_club_levels,
                "tasks": draw(st.sampled_from([[], tasks])),
            }
        }

    # scheduled promotions exist before missions, which may reward them
    promotions: list[dict[str, Any]] = []
    for index in range(draw(st.integers(0, 2))):
        a, b = d.interval(draw)
        promotions.append(
            {
                "id": f"sale{index}",
                "title": f"Sale {index}",
                "trigger": {"kind": "schedule", "starts_at": stamp(a, zone), "ends_at": stamp(b, zone)},
                "discount": draw(st.sampled_from([{"percent": "10"}, {"amount": money(draw, minor, 1, 1000)}])),
                "scope": {"categories": draw(st.lists(st.sampled_from(["beauty", "home"]), unique=True))},
            }
        )
    d.promotions = [p["id"] for p in promotions]

    count = draw(st.integers(1, 8))
    for index in range(count):
        d.missions.append(mission(draw, d, index))
    viewers = [m["id"] for m in d.missions if m["subject"] == "viewer"]
    goals = [m["id"] for m in d.missions if m["subject"] != "viewer"]
    if viewers and draw(st.booleans()):
        trigger = {"kind": "mission", "mission": draw(st.sampled_from(viewers))}
        promotions.append({"id": "on_mission", "title": "T", "trigger": trigger, "discount": {"percent": "5"}})
        promotions[-1]["duration"] = "1h"
    if goals and draw(st.booleans()):
        goal = draw(st.sampled_from(goals))
        trigger = {"kind": "goal", "mission": goal}
        if d.levels[goal]:
            trigger["level"] = draw(st.integers(1, d.levels[goal]))
        promotions.append({"id": "on_goal", "title": "G", "trigger": trigger, "discount": {"percent": "5"}})
        promotions[-1].update(duration="30m", audience="stream_viewers")
    split = draw(st.integers(0, len(d.missions)))  # missions spread over two files, merged in order
    pack["missions"] = {"missions": d.missions[:split]}
    pack["missions_more"] = {"missions": d.missions[split:]}
    pack["promotions"] = {"promotions": promotions}

    if len(viewers) >= 2 and draw(st.booleans()):
        steps: list[dict[str, Any]] = [{"mission": viewers[0]}, {"branch": viewers[:2]}]
        steps += [{"mission": m} for m in viewers[2:]]
        pack["journeys"] = {"journeys": [{"id": "journey", "title": "Journey", "steps": steps, "rewards": []}]}

    rules: list[dict[str, Any]] = []
    for index in range(draw(st.integers(0, 3))):
        rule: dict[str, Any] = {"id": f"rule{index}", "kind": draw(st.sampled_from(["targeted", "open"]))}
        rule["match"] = {"categories": draw(st.lists(st.sampled_from(["beauty", "home"]), unique=True))}
        if draw(st.booleans()):
            rule["rate"] = f"0.{draw(st.integers(1, 30)):02d}"
        else:
            volumes = sorted(draw(st.sets(st.integers(1, 10**6), max_size=3)))
            rule["tiers"] = [{"from_volume": "0", "rate": "0.05"}] + [
                {"from_volume": f"{Decimal(v).scaleb(-minor):f}", "rate": f"0.{10 + i}"} for i, v in enumerate(volumes)
            ]
        rules.append(rule)
    bonus_windows = []
    if draw(st.booleans()):
        a, b = d.interval(draw)
        bonus_windows.append(
            {"id": "bonus", "starts_at": stamp(a, zone), "ends_at": stamp(b, zone), "extra_rate": "0.02"}
        )
    pack["commission"] = {
        "commission": {
            "attribution_window": "14d",
            "settlement_days": 7,
            "rules": rules,
            "bonus_windows": bonus_windows,
        }
    }
    if draw(st.booleans()):
        pack["scoring"] = {
            "scoring": {
                "rules": [
                    {"id": "likes", "counts": {"event": "like"}, "points": 1, "per": {"field": "count", "amount": 1}}
                ],
                "multipliers": [{"from_time": "20:00", "to_time": "23:59", "factor": "2", "timezone": zone}],
            }
        }
        pack["leaderboards"] = {
            "leaderboards": [{"id": "top", "title": "Top", "ranks": "viewers", "by": "gift_coins", "period": "daily"}]
        }
    return pack


def write_pack(folder: Path, pack: dict[str, dict[str, Any]]) -> None:
    for name, document in pack.items():
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(valid_packs())
def test_generated_packs_load_and_compile(pack: dict[str, dict[str, Any]]) -> None:
    """Random valid packs (written as YAML text, spread over several files) load, compile and explain."""
    with tempfile.TemporaryDirectory() as folder:
        write_pack(Path(folder), pack)
        try:
            fest = load_fest(folder)
        except FestValidationError as error:  # pragma: no cover - shows what the generator got wrong
            pytest.fail(f"a valid pack was refused:\n{error}")
        again = load_fest(folder)
    missions = [m for name in ("missions", "missions_more") for m in pack[name]["missions"]]
    assert list(fest.missions) == [m["id"] for m in missions]
    assert again.fingerprint == fest.fingerprint
    for event, indexed in fest.missions_by_event.items():
        assert [m.id for m in indexed] == [m["id"] for m in missions if m["counts"]["event"] == event]
    for spec in missions:
        for required in spec.get("requires", {}).get("missions", []):
            assert spec["id"] in fest.dependents[required]
    if fest.fan_club is not None:
        assert [level.level for level in fest.fan_club.levels] == list(range(1, len(fest.fan_club.levels) + 1))
    explained = explain_fest(fest)
    assert [mission_id for mission_id, _ in explained] == list(fest.missions)
    assert all(text.endswith(".") for _, text in explained)


# =========================================================================== fuzzing

MISSIONS_TEXT = (PACK / "missions.yaml").read_text(encoding="utf-8")
ALPHABET = "abcdefghijklmnopqrstuvwxyz_0123456789 -:{}[],'\"#&*!|>%@`.\n\t\u00e9\u2028\x85\ufeff\x00"
TOKENS = (
    "1e30", "-1", "0", "0.001", "1e5000", "NaN", "99999999999d", "99999999999999999999", "null", "~", "[]", "{}",
    "*a", "&a x", "!!python/object/apply:os.system ['true']", "!custom", "'", '"', "<<", "? ", "- ",
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "2026-06-15", "week9", "streak", "between", "sum",
    "stream", "creator", "manual", "fest_streak_7", "week1_warm_up", "mission_credit_pool", "Europe/Pariss",
)  # fmt: skip
NUMBERS = ("1e30", "-1", "0", "0.001", "1e5000", "99999999999999999999", "1.5", "'-0.50'", "12345678901234567890.125")
WORD = re.compile(r"[A-Za-z0-9_.:\-\"]+")
NUMBER = re.compile(r"(?<=: )\"?[0-9][0-9.]*\"?")  # a number written as a value


ACTIONS = ("insert", "delete", "replace", "token", "number", "swap", "drop_line", "copy_line")


@st.composite
def mutated_missions(draw: st.DrawFn, actions: tuple[str, ...] = ACTIONS, most: int = 6) -> str:
    """The bundled missions.yaml with characters, words or lines inserted, deleted, replaced or swapped."""
    text = MISSIONS_TEXT
    for _ in range(draw(st.integers(1, most))):
        action = draw(st.sampled_from(actions))
        if action in ("insert", "delete", "replace"):
            at = draw(st.integers(0, len(text) - 1))
            char = draw(st.sampled_from(ALPHABET))
            text = {
                "insert": text[:at] + char + text[at:],
                "delete": text[:at] + text[at + 1 :],
                "replace": text[:at] + char + text[at + 1 :],
            }[action]
        elif action in ("token", "number"):
            words = list((WORD if action == "token" else NUMBER).finditer(text)) or list(WORD.finditer(text))
            if words:
                word = words[draw(st.integers(0, len(words) - 1))]
                token = draw(st.sampled_from(TOKENS if action == "token" else NUMBERS))
                text = text[: word.start()] + token + text[word.end() :]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if action == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            elif action == "drop_line":
                del lines[i]
            else:
                lines.insert(j, lines[i])
            text = "\n".join(lines)
    return text


@pytest.fixture(scope="module")
def fuzz_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled pack whose missions.yaml each example rewrites."""
    folder = tmp_path_factory.mktemp("fuzz") / "pack"
    shutil.copytree(PACK, folder)
    return folder


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        mutated_missions(),
        mutated_missions(),
        mutated_missions(actions=("number", "token"), most=2),  # the YAML stays valid: values get odd
        st.text(alphabet=st.sampled_from(ALPHABET), max_size=200),
        st.text(max_size=100),
    )
)
def test_fuzz_only_fest_validation_errors_escape(fuzz_pack: Path, text: str) -> None:
    """Whatever missions.yaml holds, load_fest returns a Fest or raises FestValidationError with located problems."""
    (fuzz_pack / "missions.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    result = load_or_error(fuzz_pack)
    if isinstance(result, Fest):
        explain_fest(result)  # a pack that loads can be explained
        return
    assert result.problems
    files = {str(p) for p in fuzz_pack.glob("*.yaml")}
    for problem in result.problems:
        assert problem.file in files or problem.file == str(fuzz_pack)
        assert problem.line is None or (problem.line >= 1 and (problem.column or 0) >= 1)
        assert problem.message
    assert str(result).startswith(f"{len(result.problems)} problem")


def load_or_error(path: Path) -> Fest | FestValidationError:
    """The compiled pack, or the FestValidationError it raised; any other exception propagates."""
    try:
        return load_fest(path)
    except FestValidationError as error:
        return error


def test_compiled_fest_tables_are_read_only() -> None:
    """The compiled fest's tables cannot be changed: the engine's rules are fixed once compiled."""
    from pathlib import Path

    import festengine

    fest = festengine.load_fest(Path(__file__).resolve().parents[2] / "missions" / "community-fest")
    tables = (fest.missions, fest.badges, fest.phases, fest.journeys, fest.promotions, fest.leaderboards,
              fest.missions_by_event, fest.dependents, fest.economy.gifts, fest.economy.budgets,
              fest.economy.coin_value)  # fmt: skip
    for table in tables:
        with pytest.raises(TypeError):
            table["intruder"] = None  # type: ignore[index]
