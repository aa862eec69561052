"""Promotions: flash windows, mission and goal triggers, audiences, rewards, extensions, purchase checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from social_fests import at, ev, make_fest, mission, of, run, social

from festengine.assembly import Engine
from festengine.engine.core import Step
from festengine.social import PromotionEnded, PromotionExtended, PromotionStarted
from festengine.social.promotions import Promotions

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


# --------------------------------------------------------------------------- a closed stream's viewers


def test_a_closed_streams_viewers_are_final_and_forgotten_once_no_purchase_can_reach_them() -> None:
    e = engine()  # allowed lateness: 10 minutes
    run(e, ev("view", at(1, "10:00"), "u1"), ev("gift", at(1, "10:01"), "u3", count=2))  # room_deal for s1 to 10:31
    e.apply(ev("stream_ended", at(1, "10:05"), "c1"))
    e.advance_to(datetime.fromisoformat(at(1, "10:16")))  # s1 closed at 10:15; its activation runs to 10:31
    pending = Engine.restore(e.fest, e.snapshot())  # the timer forgetting s1 at 10:41 is pending
    assert pending.snapshot() == e.snapshot()
    late_viewer = e.apply(ev("view", at(1, "10:17"), "u7"))  # names s1 after it closed: not one of its viewers
    assert late_viewer.rejected is None
    bought = run(
        e, buy(at(1, "10:20"), "u1", promotion_id="room_deal"), buy(at(1, "10:21"), "u7", promotion_id="room_deal")
    )
    assert [refused(s) for s in bought] == [None, "promotion_not_active"]
    assert "s1" in social(e).promotions.dump()["viewers"]  # a late purchase inside the activation may still come
    e.advance_to(datetime.fromisoformat(at(1, "10:41")))  # the activation's end plus the lateness
    dumped = social(e).promotions.dump()
    assert "s1" not in dumped["viewers"]
    assert dumped["closed"] == ["s1"]
    restored = Engine.restore(e.fest, e.snapshot())
    assert restored.snapshot() == e.snapshot()


def test_a_promotion_for_a_closed_streams_viewers_goes_to_the_viewer_alone() -> None:
    room = {"id": "room", "title": "Room", "discount": {"percent": "5"}, "audience": "stream_viewers",
            "duration": "1h", "trigger": {"kind": "mission", "mission": "chatty"}}  # fmt: skip
    e = Engine(make_fest(*MISSIONS, promotions=[room]))
    open_stream = e.apply(ev("comment", at(1, "10:00"), "u1"))
    e.apply(ev("stream_ended", at(1, "10:05"), "c1"))
    closed = e.apply(ev("comment", at(1, "10:20"), "u2"))  # s1 closed at 10:15
    assert [(o.audience, o.audience_id) for o in of([open_stream, closed], PromotionStarted)] == [
        ("stream_viewers", "s1"),
        ("viewer", "u2"),
    ]


def _streams_days() -> list[Any]:
    """Three days of three streams: viewers, a gift rush opening room_deal to each stream's viewers,
    the stream's end, then purchases claiming the deal and views naming the ended stream, some late."""
    events = []
    for day in (1, 2, 3):
        for n, stream in enumerate(("a", "b", "c")):
            sid, hour = f"{stream}{day}", 10 + 3 * n

            def when(minute: int, hour: int = hour, day: int = day) -> str:
                return at(day, f"{hour + minute // 60:02d}:{minute % 60:02d}")

            events += [ev("view", when(0), f"u{i}", stream_id=sid) for i in range(4)]
            events.append(ev("gift", when(1), "u9", gift_id="concert", count=2, stream_id=sid))
            events.append(ev("stream_ended", when(5), "c1", stream_id=sid))
            events += [ev("view", when(m), f"u{m % 7}", stream_id=sid) for m in (3, 12, 20, 40)]
            events += [buy(when(m), f"u{m % 6}", promotion_id="room_deal") for m in (8, 25, 33, 45)]
            events.append(buy(when(29), "u2", promotion_id="room_deal", stream_id=sid, creator_id="c1"))
    return sorted(events, key=lambda event: event.occurred_at)


def test_forgetting_closed_streams_changes_no_outcome(monkeypatch: Any) -> None:
    """The same events give the same outcomes, refusals and snapshot rows but the forgotten viewers,
    whether closed streams' viewers are forgotten or kept."""
    events = _streams_days()
    forgetting = engine()
    steps = [forgetting.apply(event) for event in events]
    monkeypatch.setattr(Promotions, "forget", lambda self, stream: None)
    keeping = engine()
    kept_steps = [keeping.apply(event) for event in events]
    assert [(s.outcomes, refused(s)) for s in steps] == [(s.outcomes, refused(s)) for s in kept_steps]
    started = [o.audience_id for s in steps for o in s.outcomes if isinstance(o, PromotionStarted)]
    assert {"a1", "b2", "c3"} <= set(started)
    assert {refused(s) for s, event in zip(steps, events, strict=True) if event.type == "purchase"} == {
        None,
        "promotion_not_active",
    }
    kept, forgot = social(keeping).promotions.dump(), social(forgetting).promotions.dump()
    assert len(forgot["viewers"]) < len(kept["viewers"]) == 9
    assert forgot["closed"] == kept["closed"]
