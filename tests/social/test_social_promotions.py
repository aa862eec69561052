"""Promotions: flash windows, mission and goal triggers, audiences, rewards, extensions, purchase checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from social_fests import at, ev, make_fest, mission, of, run, social

from festengine.assembly import Engine
from festengine.engine.core import Step
from festengine.social import PromotionEnded, PromotionExtended, PromotionStarted

MISSIONS = (
    mission("join", "fan_club_join", 1, rewards=[{"promotion": "welcome"}]),
    mission("chatty", "comment", 1, repeat=3),
    mission("rush", "gift", 1000, subject="stream", measure={"kind": "sum", "field": "coins"},
            window={"kind": "stream"}, community={"levels": [{"target": 300}, {"target": 600}]}),
)  # fmt: skip
PROMOTIONS: list[dict[str, Any]] = [
    {"id": "flash", "title": "Flash", "discount": {"percent": "20"}, "scope": {"categories": ["beauty"]},
     "trigger": {"kind": "schedule", "starts_at": at(3, "18:00"), "ends_at": at(3, "21:00")}},
    {"id": "welcome", "title": "Welcome", "discount": {"amount": "2.00"}, "scope": {"products": ["tote"]},
     "trigger": {"kind": "mission", "mission": "join"}, "audience": "viewer", "duration": "72h"},
    {"id": "chat_deal", "title": "Chat deal", "discount": {"percent": "5"},
     "trigger": {"kind": "mission", "mission": "chatty"}, "audience": "viewer", "duration": "1h"},
    {"id": "room_deal", "title": "Room deal", "discount": {"percent": "15"},
     "trigger": {"kind": "goal", "mission": "rush", "level": 2}, "audience": "stream_viewers", "duration": "30m"},
    {"id": "goal_deal", "title": "Goal deal", "discount": {"percent": "10"},
     "trigger": {"kind": "goal", "mission": "rush"}, "audience": "everyone", "duration": "1h"},
]  # fmt: skip


def engine() -> Engine:
    return Engine(make_fest(*MISSIONS, promotions=PROMOTIONS))


#: the discount each promotion gives the default purchase (price 10.00, quantity 1)
DISCOUNTS = {"flash": "2.00", "welcome": "2.00", "chat_deal": "0.50", "room_deal": "1.50", "goal_deal": "1.00"}


def buy(when: str, user: str = "u1", **fields: Any) -> Any:
    """A purchase; one naming a promotion states the discount it gives (unless ``discount`` is given)."""
    promotion = fields.get("promotion_id")
    if promotion in DISCOUNTS:
        fields.setdefault("discount", DISCOUNTS[promotion])
    return ev("purchase", when, user, **fields)


def refused(step: Step) -> str | None:
    return None if step.rejected is None else step.rejected.code


def active(e: Engine, user: str, when: str, **query: Any) -> list[str]:
    return [p.promotion_id for p in social(e).active_promotions(user, datetime.fromisoformat(when), **query)]


# --------------------------------------------------------------------------- flash windows


def test_a_flash_window_starts_and_ends_with_outcomes() -> None:
    e = engine()
    started = of(e.advance_to(datetime.fromisoformat(at(3, "18:00"))), PromotionStarted)
    assert [(o.promotion_id, o.audience, o.audience_id, o.source) for o in started] == [
        ("flash", "everyone", None, "schedule")
    ]
    ended = of(e.advance_to(datetime.fromisoformat(at(3, "21:00"))), PromotionEnded)
    assert [(o.promotion_id, o.ended_at) for o in ended] == [("flash", datetime.fromisoformat(at(3, "21:00")))]


def test_a_purchase_may_claim_a_flash_promotion_up_to_the_last_second_of_its_window() -> None:
    e = engine()
    early, first, last, after = run(
        e,
        buy(at(3, "17:59:59"), category="beauty", promotion_id="flash"),
        buy(at(3, "18:00:00"), category="beauty", promotion_id="flash"),
        buy(at(3, "20:59:59"), category="beauty", promotion_id="flash"),
        buy(at(3, "21:00:00"), category="beauty", promotion_id="flash"),
    )
    assert [refused(s) for s in (early, first, last, after)] == [
        "promotion_not_active",
        None,
        None,
        "promotion_not_active",
    ]
    assert early.rejected is not None
    assert "runs from" in early.rejected.reason


def test_a_purchase_outside_the_scope_or_naming_an_unknown_promotion_is_rejected() -> None:
    e = engine()
    wrong, unknown = run(
        e,
        buy(at(3, "19:00"), category="home", promotion_id="flash"),
        buy(at(3, "19:01"), category="beauty", promotion_id="nope"),
    )
    assert (refused(wrong), refused(unknown)) == ("promotion_not_applicable", "unknown_promotion")


def test_a_rejected_purchase_changes_nothing() -> None:
    e = engine()
    before = e.snapshot()
    step = e.apply(buy(at(3, "10:00"), product_id="tote", promotion_id="welcome"))
    assert refused(step) == "promotion_not_active"
    assert e.snapshot() == before


# --------------------------------------------------------------------------- mission triggers and rewards


def test_a_mission_triggered_promotion_is_the_viewers_for_its_duration() -> None:
    e = engine()
    step = e.apply(ev("fan_club_join", at(1, "10:00")))
    # the mission triggers it and also rewards it: one activation
    assert [(o.promotion_id, o.audience_id, o.source) for o in of(step, PromotionStarted)] == [
        ("welcome", "u1", "join")
    ]
    assert of(step, PromotionExtended) == []
    mine, other, last, expired = run(
        e,
        buy(at(2, "10:00"), product_id="tote", promotion_id="welcome"),
        buy(at(2, "10:01"), "u2", product_id="tote", promotion_id="welcome"),
        buy(at(4, "09:59:59"), product_id="tote", promotion_id="welcome"),
        buy(at(4, "10:00:00"), product_id="tote", promotion_id="welcome"),
    )
    assert [refused(s) for s in (mine, other, last, expired)] == [
        None,
        "promotion_not_active",
        None,
        "promotion_not_active",
    ]
    # a rejected event moves no clock: the end comes with the next step at or after it
    ended = e.advance_to(datetime.fromisoformat(at(4, "10:00")))
    assert [(o.promotion_id, o.audience_id) for o in of(ended, PromotionEnded)] == [("welcome", "u1")]


def test_triggering_an_active_promotion_again_extends_it() -> None:
    e = engine()
    first, second = run(e, ev("comment", at(1, "10:00")), ev("comment", at(1, "10:30")))
    assert [o.ends_at for o in of(first, PromotionStarted)] == [datetime.fromisoformat(at(1, "11:00"))]
    assert [o.ends_at for o in of(second, PromotionExtended)] == [datetime.fromisoformat(at(1, "11:30"))]
    assert of(e.advance_to(datetime.fromisoformat(at(1, "11:00"))), PromotionEnded) == []
    ended = of(e.advance_to(datetime.fromisoformat(at(1, "11:30"))), PromotionEnded)
    assert [o.promotion_id for o in ended] == ["chat_deal"]


# --------------------------------------------------------------------------- goal triggers and stream viewers


def test_a_goal_level_opens_a_promotion_to_the_viewers_of_the_stream() -> None:
    e = engine()
    run(e, ev("view", at(1, "10:00"), "u1"), ev("view", at(1, "10:00"), "u2", stream_id="s2"))
    step = e.apply(ev("gift", at(1, "10:01"), "u3", gift_id="concert", count=2))  # 1,000 coins: levels 1, 2, target
    started = of(step, PromotionStarted)
    assert [(o.promotion_id, o.audience, o.audience_id) for o in started] == [
        ("room_deal", "stream_viewers", "s1"),
        ("goal_deal", "everyone", None),
    ]
    now = at(1, "10:05")
    assert active(e, "u1", now) == ["room_deal", "goal_deal"]
    assert active(e, "u2", now) == ["goal_deal"]
    assert active(e, "u2", now, stream_id="s1") == ["room_deal", "goal_deal"]
    e.apply(ev("like", at(1, "10:06"), "u4"))  # joins the LIVE after the level was reached
    assert active(e, "u4", at(1, "10:07")) == ["room_deal", "goal_deal"]
    inside, outsider, in_stream, ended = run(
        e,
        buy(at(1, "10:10"), "u1", promotion_id="room_deal"),
        buy(at(1, "10:11"), "u5", promotion_id="room_deal"),
        buy(at(1, "10:12"), "u6", promotion_id="room_deal", stream_id="s1", creator_id="c1"),
        buy(at(1, "10:31"), "u1", promotion_id="room_deal"),
    )
    assert [refused(s) for s in (inside, outsider, in_stream, ended)] == [
        None,
        "promotion_not_active",
        None,
        "promotion_not_active",
    ]


def test_active_promotions_filter_by_product_and_category() -> None:
    e = engine()
    e.apply(ev("fan_club_join", at(3, "17:00")))
    when = at(3, "19:00")
    assert active(e, "u1", when) == ["flash", "welcome"]
    assert active(e, "u1", when, product_id="tote") == ["welcome"]
    assert active(e, "u1", when, product_id="lipstick", category="beauty") == ["flash"]
    assert active(e, "u1", at(3, "21:00")) == ["welcome"]
    found = social(e).active_promotions("u1", datetime.fromisoformat(when), category="beauty")[0]
    assert (str(found.percent), found.categories, found.audience) == ("20", ("beauty",), "everyone")


def test_promotions_survive_a_snapshot() -> None:
    fest = make_fest(*MISSIONS, promotions=PROMOTIONS)
    e = Engine(fest)
    run(e, ev("view", at(1, "10:00"), "u1"), ev("gift", at(1, "10:01"), "u3", count=2))
    restored = Engine.restore(fest, e.snapshot())
    assert restored.snapshot() == e.snapshot()
    when = at(1, "10:05")
    assert active(restored, "u1", when) == active(e, "u1", when)
    tail = [ev("view", at(3, "19:00"), "u1")]
    assert [s.outcomes for s in run(e, *tail)] == [s.outcomes for s in run(restored, *tail)]


def test_a_scheduled_promotion_for_viewers_applies_only_to_those_granted_it() -> None:
    vip = {"id": "vip_night", "title": "VIP night", "discount": {"percent": "30"}, "audience": "viewer",
           "trigger": {"kind": "schedule", "starts_at": at(3, "18:00"), "ends_at": at(3, "21:00")}}  # fmt: skip
    earn = mission("earn_vip", "share", 1, rewards=[{"promotion": "vip_night"}])
    e = Engine(make_fest(earn, promotions=[vip]))
    started = of(e.apply(ev("share", at(3, "17:00"))), PromotionStarted)
    assert [(o.audience_id, o.starts_at, o.ends_at) for o in started] == [
        ("u1", datetime.fromisoformat(at(3, "18:00")), datetime.fromisoformat(at(3, "21:00")))
    ]
    assert active(e, "u1", at(3, "19:00")) == ["vip_night"]
    assert active(e, "u2", at(3, "19:00")) == []
    assert active(e, "u1", at(3, "17:30")) == []


def test_goal_and_mission_triggers_fall_back_to_one_viewer() -> None:
    promotions = [
        {"id": "mvp", "title": "MVP", "discount": {"percent": "50"}, "audience": "viewer", "duration": "1h",
         "trigger": {"kind": "goal", "mission": "rush", "level": 1}},
        {"id": "room", "title": "Room", "discount": {"percent": "5"}, "audience": "stream_viewers", "duration": "1h",
         "trigger": {"kind": "mission", "mission": "join"}},
    ]  # fmt: skip
    e = Engine(make_fest(*MISSIONS, promotions=promotions))
    goal = e.apply(ev("gift", at(1, "10:00"), "u3"))  # 500 coins: level 1, reached by u3's gift
    join = e.apply(ev("fan_club_join", at(1, "10:01"), "u4"))  # no stream: the viewer alone
    assert [(o.promotion_id, o.audience, o.audience_id) for o in of([goal, join], PromotionStarted)] == [
        ("mvp", "viewer", "u3"),
        ("room", "viewer", "u4"),
    ]
