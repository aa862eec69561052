"""Moving a running fest to a changed pack: the rule for each kind of change, and each refusal."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import attrs
import pytest
from fests import BASE, ev, mission, of, progress_of, run
from hypothesis import HealthCheck, given, settings

from festengine import load_fest
from festengine.assembly import Engine
from festengine.catalog.compile import compile_fest
from festengine.catalog.diff import Change, ChangeKind, diff_fests
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec
from festengine.economy.outcomes import LedgerEntryPosted
from festengine.engine.outcomes import BadgeAwarded, MissionCompleted, MissionExpired, MissionWithdrawn
from festengine.errors import EngineFailedError, UpgradeRefusedError
from festengine.events import Event
from festengine.social.outcomes import PromotionEnded
from festengine.testing.strategies import events as pack_events

FLASH_WINDOW = {"kind": "between", "starts_at": "2026-03-02T00:00:00Z", "ends_at": "2026-03-03T00:00:00Z"}
PROMOTION = {
    "id": "flash_sale",
    "title": "Flash sale",
    "trigger": {"kind": "schedule", "starts_at": "2026-03-02T00:00:00Z", "ends_at": "2026-03-03T00:00:00Z"},
    "discount": {"percent": "10"},
}


def pack(**edits: Any) -> dict[str, Any]:
    """The test pack as data: a fest mission, a daily one, a flash one, a promotion."""
    data = copy.deepcopy(BASE)
    data["missions"] = [
        mission("likes_fest", "like", 5, rewards=[{"badge": "supporter", "tier": "bronze"}]),
        mission("likes_daily", "like", 3, window={"kind": "daily"}, rewards=[{"credit": "5.00", "budget": "rewards"}]),
        mission("flash", "like", 2, window=FLASH_WINDOW),
    ]
    data["promotions"] = [copy.deepcopy(PROMOTION)]
    data.update(edits)
    return data


def compiled(data: dict[str, Any]) -> Fest:
    return compile_fest(FestSpec.model_validate(data))


def edited(change: Any) -> Fest:
    """The test pack after ``change(data)``."""
    data = pack()
    change(data)
    return compiled(data)


def missions_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in data["missions"]}


OLD = compiled(pack())


def likes(user: str, count: int, at: str = "2026-03-02T10:00", start: int = 0) -> list[Event]:
    return [ev(f"{user}-l{start + i}", "like", f"{at}:{i:02d}Z", user) for i in range(count)]


def running(*events: Event) -> Engine:
    engine = Engine(OLD)
    run(engine, *events)
    return engine


def refused(engine: Engine, new: Fest, *words: str) -> None:
    """The upgrade is refused with a message naming ``words``, and the engine is exactly as it was."""
    before = engine.snapshot()
    with pytest.raises(UpgradeRefusedError) as raised:
        engine.upgrade(new)
    for word in words:
        assert word in str(raised.value)
    assert engine.snapshot() == before
    assert engine.fest is OLD


# --------------------------------------------------------------------------- the same pack


def test_upgrading_to_the_same_pack_changes_nothing() -> None:
    engine = running(*likes("u1", 4))
    before = engine.snapshot()
    step = engine.upgrade(compiled(pack()))
    assert step.outcomes == ()
    assert engine.snapshot() == before
    assert diff_fests(OLD, compiled(pack())).empty


BUNDLED = load_fest("community-fest")
BUNDLED_AGAIN = load_fest("community-fest")  # an equal pack, compiled apart


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pack_events(BUNDLED, max_size=40, users=4, creators=2, duplicates=True, out_of_order=True))
def test_upgrading_to_the_same_pack_keeps_the_snapshot_and_later_outcomes(events: list[Event]) -> None:
    half = len(events) // 2
    engine, plain = Engine(BUNDLED), Engine(BUNDLED)
    for event in events[:half]:
        engine.apply(event)
        plain.apply(event)
    before = engine.snapshot()
    assert engine.upgrade(BUNDLED_AGAIN).outcomes == ()
    assert engine.snapshot() == before
    for event in events[half:]:
        assert engine.apply(event) == plain.apply(event)
    assert engine.snapshot() == plain.snapshot()


# --------------------------------------------------------------------------- each kind of change


def test_a_title_change_is_text_only() -> None:
    engine = running(*likes("u1", 2))
    new = edited(lambda d: missions_of(d)["likes_fest"].update(title="Tap the heart"))
    assert [c.kind for c in diff_fests(OLD, new).changes] == [ChangeKind.TEXT]
    assert engine.upgrade(new).outcomes == ()
    row = progress_of(engine, "u1", "likes_fest")
    assert (row.title, row.progress) == ("Tap the heart", 2)


def test_a_mission_added_counts_events_from_now_on() -> None:
    engine = running(*likes("u1", 2))
    new = edited(lambda d: d["missions"].append(mission("likes_new", "like", 2)))
    assert engine.upgrade(new).outcomes == ()
    assert progress_of(engine, "u1", "likes_new").progress == 0
    steps = run(engine, *likes("u1", 2, at="2026-03-02T11:00", start=10))
    assert "likes_new" in [c.mission_id for c in of(steps, MissionCompleted)]


def test_a_mission_removed_ends_its_unfinished_instances() -> None:
    engine = running(*likes("u1", 2), *likes("u2", 3))
    new = edited(lambda d: d["missions"].pop(1))  # likes_daily
    step = engine.upgrade(new)
    withdrawn = of(step, MissionWithdrawn)
    assert {(w.subject, w.mission_id, w.previous_state, w.progress) for w in withdrawn} == {
        ("u1", "likes_daily", "active", 2)
    }  # u2's completed (auto-claimed) instance had finished already
    assert all(w.event_id is None for w in withdrawn)
    assert "likes_daily" not in {row.mission_id for row in engine.missions("u1")}
    assert run(engine, *likes("u1", 1, at="2026-03-02T12:00", start=20))[0].accepted


def test_a_lowered_target_completes_at_once_and_a_raised_one_takes_nothing_back() -> None:
    engine = running(*likes("u1", 3), *likes("u2", 5))
    lowered = edited(lambda d: missions_of(d)["likes_fest"].update(target=3))
    step = engine.upgrade(lowered)
    assert [(c.subject, c.mission_id) for c in of(step, MissionCompleted)] == [("u1", "likes_fest")]
    assert [b.user_id for b in of(step, BadgeAwarded)] == ["u1"]
    raised = edited(lambda d: missions_of(d)["likes_fest"].update(target=10))
    engine.upgrade(raised)
    assert progress_of(engine, "u1", "likes_fest").state in ("completed", "claimed")
    engine.upgrade(compiled(pack()))  # back to 5: nothing to re-check, nothing taken back
    assert engine.badges("u1") == {"supporter": "bronze"}


def test_a_raised_target_keeps_progress_in_progress() -> None:
    engine = running(*likes("u1", 3))
    engine.upgrade(edited(lambda d: missions_of(d)["likes_fest"].update(target=8)))
    row = progress_of(engine, "u1", "likes_fest")
    assert (row.state, row.progress, row.target) == ("active", 3, 8)


def test_a_window_not_yet_ended_moves() -> None:
    engine = running(*likes("u1", 1))
    later = {**FLASH_WINDOW, "ends_at": "2026-03-04T00:00:00Z"}
    engine.upgrade(edited(lambda d: missions_of(d)["flash"].update(window=later)))
    steps = run(engine, ev("late-like", "like", "2026-03-03T12:00:00Z", "u1"))
    assert [c.mission_id for c in of(steps, MissionCompleted)] == ["flash"]
    assert of(steps, MissionExpired) == []


def test_a_window_that_ended_cannot_move() -> None:
    engine = running(*likes("u1", 1), ev("next-day", "like", "2026-03-05T10:00:00Z", "u2"))
    later = {**FLASH_WINDOW, "ends_at": "2026-03-06T00:00:00Z"}
    refused(engine, edited(lambda d: missions_of(d)["flash"].update(window=later)), "flash", "ended")


def test_a_window_that_opened_cannot_move_its_start() -> None:
    engine = running(*likes("u1", 1))
    moved = {**FLASH_WINDOW, "starts_at": "2026-03-02T06:00:00Z"}
    refused(engine, edited(lambda d: missions_of(d)["flash"].update(window=moved)), "only its end can move")


def test_a_budget_raised_or_lowered_posts_a_balanced_entry() -> None:
    engine = running(*likes("u1", 3))  # likes_daily granted 5.00 of 100.00
    assert engine.budget_left("rewards").amount == Decimal("95.00")
    step = engine.upgrade(edited(lambda d: d["economy"]["budgets"][0].update(amount="150.00")))
    [entry] = of(step, LedgerEntryPosted)
    assert {a: m.amount for a, m in entry.entry.postings} == {
        "platform:promotions": Decimal("-50.00"),
        "budget:rewards": Decimal("50.00"),
    }
    assert engine.budget_left("rewards").amount == Decimal("145.00")
    engine.upgrade(edited(lambda d: d["economy"]["budgets"][0].update(amount="5.00")))
    assert engine.budget_left("rewards").amount == Decimal("0.00")
    assert set(engine.ledger.trial_balance().values()) == {Decimal(0)}


def test_a_budget_is_never_lowered_below_what_it_granted() -> None:
    engine = running(*likes("u1", 3))
    refused(engine, edited(lambda d: d["economy"]["budgets"][0].update(amount="4.99")), "budgets rewards", "granted")


def test_a_budget_added_is_funded_now() -> None:
    engine = running(*likes("u1", 1))
    step = engine.upgrade(edited(lambda d: d["economy"]["budgets"].append({"id": "bonus", "amount": "20.00"})))
    assert len(of(step, LedgerEntryPosted)) == 1
    assert engine.budget_left("bonus").amount == Decimal("20.00")


def test_a_promotion_extended_applies_until_its_new_end() -> None:
    engine = running(*likes("u1", 1))
    longer = {**PROMOTION["trigger"], "ends_at": "2026-03-04T00:00:00Z"}
    engine.upgrade(edited(lambda d: d["promotions"][0].update(trigger=longer)))
    at = OLD.promotions["flash_sale"].ends_at
    assert at is not None
    assert [p.promotion_id for p in engine.active_promotions("u1", at.replace(hour=12))] == ["flash_sale"]
    assert of(engine.advance_to(at.replace(hour=12)), PromotionEnded) == []  # the old end passed: still on
    [ended] = of(engine.advance_to(at.replace(day=4)), PromotionEnded)
    assert ended.promotion_id == "flash_sale"


def test_a_promotion_added_applies_from_now_on() -> None:
    engine = running(*likes("u1", 1))
    window = {"starts_at": "2026-03-05T00:00:00Z", "ends_at": "2026-03-06T00:00:00Z"}
    added = {**PROMOTION, "id": "later_sale", "trigger": {"kind": "schedule", **window}}
    engine.upgrade(edited(lambda d: d["promotions"].append(added)))
    at = OLD.starts_at.replace(day=5, hour=12)
    assert "later_sale" in [p.promotion_id for p in engine.active_promotions("u1", at)]


def test_a_gift_coin_value_applies_from_now_on() -> None:
    engine = running(ev("g1", "gift", "2026-03-02T10:00:00Z", "u1", gift_id="panda"))
    earned = engine.balance("creator:c1:earnings").amount
    engine.upgrade(edited(lambda d: d["economy"]["gifts"][1].update(coins=10)))
    assert engine.balance("creator:c1:earnings").amount == earned
    run(engine, ev("g2", "gift", "2026-03-02T11:00:00Z", "u1", gift_id="panda"))
    assert engine.balance("creator:c1:earnings").amount == earned * 3


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["economy"].update(currency="EUR"), ("currency",)),
        (lambda d: d["fest"].update(timezone="Europe/Paris"), ("timezone",)),
        (lambda d: d["fest"].update(allowed_lateness="20m"), ("allowed_lateness",)),
        (lambda d: d["economy"]["gifts"].pop(), ("gifts lion", "removed")),
        (lambda d: missions_of(d)["likes_fest"].update(requires={"missions": ["flash"]}), ("requires",)),
        (lambda d: d["fest"]["phases"][0].update(ends_at="2026-03-09T00:00:00-07:00"), ("phases week1", "ends_at")),
        (lambda d: missions_of(d)["likes_fest"].update(window={"kind": "daily"}), ("likes_fest", "window")),
        (
            lambda d: missions_of(d)["likes_fest"].update(measure={"kind": "distinct", "field": "stream_id"}),
            ("measure",),
        ),
        (lambda d: d["promotions"][0].update(discount={"percent": "50"}), ("flash_sale", "percent")),
        (lambda d: d["promotions"].pop(), ("promotions flash_sale",)),
        (lambda d: d.update(commission={"settlement_days": 3}), ("commission",)),
    ],
)
def test_unsafe_changes_are_refused_and_change_nothing(change: Any, words: tuple[str, ...]) -> None:
    engine = running(*likes("u1", 5))
    refused(engine, edited(change), *words)


def test_removing_a_badge_already_awarded_is_refused() -> None:
    engine = running(*likes("u1", 5))
    assert engine.badges("u1") == {"supporter": "bronze"}

    def drop_badge(d: dict[str, Any]) -> None:
        d["badges"].append({"id": "fan", "name": "Fan", "tiers": ["one"]})
        missions_of(d)["likes_fest"]["rewards"] = [{"badge": "fan", "tier": "one"}]
        d["badges"].pop(0)

    refused(engine, edited(drop_badge), "badges supporter", "1 viewers hold it")


def test_removing_a_badge_nobody_holds_is_free() -> None:
    engine = running(*likes("u1", 2))

    def drop_badge(d: dict[str, Any]) -> None:
        d["badges"] = [{"id": "fan", "name": "Fan", "tiers": ["one"]}]
        missions_of(d)["likes_fest"]["rewards"] = [{"badge": "fan", "tier": "one"}]

    assert engine.upgrade(edited(drop_badge)).outcomes == ()


def test_a_refusal_lists_every_refused_change() -> None:
    engine = running(*likes("u1", 1))

    def two(d: dict[str, Any]) -> None:
        d["economy"]["currency"] = "EUR"
        d["fest"]["timezone"] = "Europe/Paris"

    with pytest.raises(UpgradeRefusedError) as raised:
        engine.upgrade(edited(two))
    assert len(raised.value.refusals) == 2


# --------------------------------------------------------------------------- replay and snapshots


def test_a_run_through_an_upgrade_is_deterministic_and_survives_snapshots() -> None:
    new = edited(lambda d: missions_of(d)["likes_fest"].update(target=3))
    first = likes("u1", 3) + likes("u2", 1)
    after = likes("u2", 4, at="2026-03-02T12:00", start=10)

    def live() -> tuple[Engine, list[Any]]:
        engine = running(*first)
        outcomes = list(engine.upgrade(new).outcomes)
        return engine, outcomes

    one, outcomes_one = live()
    two, outcomes_two = live()
    assert outcomes_one == outcomes_two
    restored = Engine.restore(new, one.snapshot())
    assert [one.apply(e) for e in after] == [restored.apply(e) for e in after] == [two.apply(e) for e in after]
    assert one.snapshot() == restored.snapshot() == two.snapshot()


def test_the_plan_says_what_the_change_will_do() -> None:
    engine = running(*likes("u1", 3), *likes("u2", 5), *likes("u3", 1))
    plan = engine.plan_upgrade(edited(lambda d: missions_of(d)["likes_fest"].update(target=3)))
    assert not plan.refused
    assert (
        "likes_fest target 5 → 3: 1 viewers in progress keep their progress; 1 completed stay completed; 1 complete now"
    ) in plan.lines()


LOWERED = edited(lambda d: missions_of(d)["likes_fest"].update(target=2))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pack_events(OLD, max_size=30, users=3, creators=1, duplicates=True, out_of_order=True))
def test_an_upgrade_replayed_from_a_snapshot_equals_the_live_run(events: list[Event]) -> None:
    half = len(events) // 2
    live = Engine(OLD)
    for event in events[:half]:
        live.apply(event)
    resumed = Engine.restore(OLD, live.snapshot())
    assert live.upgrade(LOWERED) == resumed.upgrade(LOWERED)
    for event in events[half:]:
        assert live.apply(event) == resumed.apply(event)
    assert live.snapshot() == resumed.snapshot()


def test_a_failed_engine_takes_no_upgrade() -> None:
    engine = running(*likes("u1", 1))
    engine._failure = EngineFailedError("e0", RuntimeError("a bug"))
    with pytest.raises(EngineFailedError):
        engine.upgrade(LOWERED)
    with pytest.raises(EngineFailedError):
        engine.plan_upgrade(LOWERED)


def test_a_field_no_rule_covers_is_refused() -> None:
    """A field added to the pack model later, without an upgrade rule, is refused rather than applied silently."""
    from festengine.catalog import diff as diff_module

    @attrs.frozen
    class Section:
        id: str
        title: str
        novelty: int

    found: list[Change] = []
    diff_module._fields("things", "t1", Section("t1", "a", 1), Section("t1", "b", 2), {"title": ChangeKind.TEXT}, found)
    assert [(c.field, c.kind) for c in found] == [("title", ChangeKind.TEXT), ("novelty", ChangeKind.REFUSED)]
    assert found[1].describe() == "things t1: novelty as before → changed: no upgrade rule covers this field"
