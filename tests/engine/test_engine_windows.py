"""Mission windows in fest time: fest, phase, between, daily and weekly (across DST), per stream; lateness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fests import ev, fest_section, make_fest, mission, of, progress_of, run, windows_shown

from festengine.assembly import Engine
from festengine.engine.outcomes import MissionCompleted, MissionExpired, MissionProgressed, Rejected


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def windows(steps: object) -> list[tuple[str, str, object]]:
    """(event id, window, progress) of each MissionProgressed."""
    return [(o.event_id, o.window, o.progress) for o in of(steps, MissionProgressed)]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the fest itself


def test_whole_fest_window_from_the_first_to_the_last_second() -> None:
    """The fest window counts from starts_at (inclusive) to ends_at (exclusive); outside is rejected."""
    engine = Engine(make_fest(mission("likes", "like", 100)))
    first = engine.apply(ev("e1", "like", "2026-03-01T08:00:00Z"))  # 2026-03-01 00:00 PST
    last = engine.apply(ev("e2", "like", "2026-03-22T06:59:59Z"))  # 2026-03-21 23:59:59 PDT
    assert windows([first, last]) == [("e1", "fest", 1), ("e2", "fest", 2)]
    after = engine.apply(ev("e3", "like", "2026-03-22T07:00:00Z"))
    assert after.rejected is not None
    assert after.rejected.code == "outside_fest"
    assert "outside the fest" in after.rejected.reason


@pytest.mark.parametrize(
    "at", ["2026-03-01T07:59:59Z", "2026-02-01T00:00:00Z", "2026-03-22T07:00:00Z", "2027-01-01T00:00:00Z"]
)
def test_events_outside_the_fest_are_rejected(at: str) -> None:
    """An event before starts_at or at/after ends_at is Rejected with code outside_fest and changes nothing."""
    engine = Engine(make_fest(mission("likes", "like", 100)))
    before = engine.snapshot()
    step = engine.apply(ev("e1", "like", at))
    assert step.rejected is not None
    assert step.rejected.code == "outside_fest"
    assert engine.snapshot() == before
    assert engine.clock is None


# --------------------------------------------------------------------------- phase and between


def test_phase_window_last_second_inside_and_first_second_outside() -> None:
    """A phase window counts events up to the second before the phase ends, not at its end."""
    engine = Engine(make_fest(mission("week1_likes", "like", 10, window={"kind": "phase", "phase": "week1"})))
    inside = engine.apply(ev("e1", "like", "2026-03-08T07:59:59Z"))  # 2026-03-07 23:59:59 PST
    outside = engine.apply(ev("e2", "like", "2026-03-08T08:00:00Z"))
    assert windows(inside) == [("e1", "phase:week1", 1)]
    assert of(outside, MissionProgressed) == []
    assert outside.accepted


def test_phase_window_first_second() -> None:
    """A phase window counts from its first second on."""
    fest = make_fest(
        mission("p2", "like", 10, window={"kind": "phase", "phase": "week2"}),
        fest=fest_section(
            phases=[
                {"id": "week2", "name": "Week 2", "starts_at": "2026-03-08T00:00:00-08:00",
                 "ends_at": "2026-03-15T00:00:00-07:00"},
            ]
        ),
    )  # fmt: skip
    engine = Engine(fest)
    steps = run(engine, ev("e1", "like", "2026-03-08T07:59:59Z"), ev("e2", "like", "2026-03-08T08:00:00Z"))
    assert windows(steps) == [("e2", "phase:week2", 1)]


BETWEEN = {"kind": "between", "starts_at": "2026-03-10T12:00:00-07:00", "ends_at": "2026-03-10T14:00:00-07:00"}


@pytest.mark.parametrize(
    ("at", "counts"),
    [
        ("2026-03-10T18:59:59Z", False),  # a second before the window
        ("2026-03-10T19:00:00Z", True),  # its first second
        ("2026-03-10T20:59:59Z", True),  # its last second
        ("2026-03-10T21:00:00Z", False),  # its end: outside
    ],
)
def test_between_window_edges(at: str, counts: bool) -> None:
    """A between window is [starts_at, ends_at): first second in, the end out."""
    engine = Engine(make_fest(mission("flash", "share", 1, window=BETWEEN)))
    step = engine.apply(ev("e1", "share", at))
    assert step.accepted
    assert windows(step) == ([("e1", "between", 1)] if counts else [])


def test_between_window_expires_at_its_end_plus_lateness() -> None:
    """An unfinished between window expires once the clock passes its end plus the allowed lateness."""
    engine = Engine(make_fest(mission("flash", "share", 2, window=BETWEEN)))
    engine.apply(ev("e1", "share", "2026-03-10T19:30:00Z"))
    assert engine.advance_to(utc("2026-03-10T21:09:59Z")).outcomes == ()
    step = engine.advance_to(utc("2026-03-10T21:10:00Z"))
    [expired] = step.outcomes
    assert expired == MissionExpired(None, "u1", "flash", "between", "active", 1)


# --------------------------------------------------------------------------- daily and weekly, DST


def test_the_spring_forward_day_is_23_hours_long() -> None:
    """The fest calendar's 2026-03-08 in Los Angeles runs from 08:00Z to 07:00Z next day (23 hours)."""
    calendar = make_fest().calendar
    day = calendar.day_of(utc("2026-03-08T12:00:00Z").timestamp())
    assert calendar.local_date(day).isoformat() == "2026-03-08"
    assert calendar.day_start(day) == utc("2026-03-08T08:00:00Z")
    assert calendar.day_end(day) == utc("2026-03-09T07:00:00Z")
    assert calendar.day_end(day) - calendar.day_start(day) == timedelta(hours=23)
    assert calendar.day_end(day - 1) - calendar.day_start(day - 1) == timedelta(hours=24)


@pytest.mark.parametrize(
    ("at", "key"),
    [
        ("2026-03-02T07:59:59Z", "day:2026-03-01"),  # 23:59:59 PST
        ("2026-03-02T08:00:00Z", "day:2026-03-02"),  # 00:00 PST
        ("2026-03-08T07:59:59Z", "day:2026-03-07"),
        ("2026-03-08T08:00:00Z", "day:2026-03-08"),  # local midnight before the change (PST)
        ("2026-03-08T09:59:59Z", "day:2026-03-08"),  # 01:59:59 PST
        ("2026-03-08T10:00:00Z", "day:2026-03-08"),  # 03:00 PDT: 02:00-02:59 does not exist
        ("2026-03-09T06:59:59Z", "day:2026-03-08"),  # 23:59:59 PDT
        ("2026-03-09T07:00:00Z", "day:2026-03-09"),  # local midnight after the change (PDT)
        ("2026-03-21T06:59:59Z", "day:2026-03-20"),
        ("2026-03-21T07:00:00Z", "day:2026-03-21"),
    ],
)
def test_daily_window_keys_follow_the_fest_time_zone(at: str, key: str) -> None:
    """A daily window's key is the local date in the fest's time zone, through the DST change."""
    engine = Engine(make_fest(mission("daily", "like", 10, window={"kind": "daily"})))
    assert windows(engine.apply(ev("e1", "like", at))) == [("e1", key, 1)]


def test_daily_window_of_the_dst_day_closes_at_local_midnight_plus_lateness() -> None:
    """Day 2026-03-08 closes at 2026-03-09T07:00Z (23 hours after it began) plus 10 minutes of lateness:
    its unfinished instance is dropped with it, without an outcome."""
    engine = Engine(make_fest(mission("daily", "like", 3, window={"kind": "daily"})))
    engine.apply(ev("e1", "like", "2026-03-08T20:00:00Z"))
    assert engine.advance_to(utc("2026-03-09T07:09:59Z")).outcomes == ()
    assert windows_shown(engine, "u1", "daily") == ["day:2026-03-08"]
    assert engine.advance_to(utc("2026-03-09T07:10:00Z")).outcomes == ()
    assert windows_shown(engine, "u1", "daily") == [None]


def test_daily_window_before_the_change_closes_at_pst_midnight() -> None:
    """Day 2026-03-07 (24 hours, PST) closes at 2026-03-08T08:00Z plus lateness."""
    engine = Engine(make_fest(mission("daily", "like", 3, window={"kind": "daily"})))
    engine.apply(ev("e1", "like", "2026-03-07T20:00:00Z"))
    engine.advance_to(utc("2026-03-08T08:09:59Z"))
    assert windows_shown(engine, "u1", "daily") == ["day:2026-03-07"]
    engine.advance_to(utc("2026-03-08T08:10:00Z"))
    assert windows_shown(engine, "u1", "daily") == [None]


def test_the_fall_back_day_is_25_hours_long() -> None:
    """In a fest spanning the autumn change, day 2026-11-01 lasts 25 hours and closes at 08:00Z next day."""
    fest = make_fest(
        mission("daily", "like", 3, window={"kind": "daily"}),
        fest=fest_section(starts_at="2026-10-25T00:00:00-07:00", ends_at="2026-11-08T00:00:00-08:00", phases=[]),
    )
    engine = Engine(fest)
    steps = run(
        engine,
        ev("e1", "like", "2026-11-01T07:00:00Z"),  # 00:00 PDT
        ev("e2", "like", "2026-11-01T09:30:00Z"),  # 01:30 PST, the second 01:30 of the day
        ev("e3", "like", "2026-11-02T07:59:59Z"),  # 23:59:59 PST
    )
    assert windows(steps) == [("e1", "day:2026-11-01", 1), ("e2", "day:2026-11-01", 2), ("e3", "day:2026-11-01", 3)]
    engine2 = Engine(fest)
    engine2.apply(ev("e1", "like", "2026-11-01T07:00:00Z"))
    engine2.advance_to(utc("2026-11-02T08:09:59Z"))
    assert windows_shown(engine2, "u1", "daily") == ["day:2026-11-01"]
    engine2.advance_to(utc("2026-11-02T08:10:00Z"))
    assert windows_shown(engine2, "u1", "daily") == [None]


@pytest.mark.parametrize(
    ("at", "key"),
    [
        ("2026-03-01T08:00:00Z", "week:2026-02-23"),  # Sunday 03-01, the fest's first day
        ("2026-03-02T07:59:59Z", "week:2026-02-23"),
        ("2026-03-02T08:00:00Z", "week:2026-03-02"),  # Monday 00:00 PST
        ("2026-03-09T06:59:59Z", "week:2026-03-02"),  # Sunday 23:59:59 PDT
        ("2026-03-09T07:00:00Z", "week:2026-03-09"),  # Monday 00:00 PDT
    ],
)
def test_weekly_window_keys_start_on_monday_in_fest_time(at: str, key: str) -> None:
    """A weekly window is named by its first local day; weeks start on Monday by default."""
    engine = Engine(make_fest(mission("weekly", "like", 100, window={"kind": "weekly"})))
    assert windows(engine.apply(ev("e1", "like", at))) == [("e1", key, 1)]


def test_weekly_window_across_dst_closes_after_167_hours() -> None:
    """The week of 2026-03-02 (with the spring-forward) closes at 2026-03-09T07:00Z plus lateness."""
    engine = Engine(make_fest(mission("weekly", "like", 100, window={"kind": "weekly"})))
    engine.apply(ev("e1", "like", "2026-03-02T08:00:00Z"))
    engine.advance_to(utc("2026-03-09T07:09:59Z"))
    assert windows_shown(engine, "u1", "weekly") == ["week:2026-03-02"]
    engine.advance_to(utc("2026-03-09T07:10:00Z"))
    assert windows_shown(engine, "u1", "weekly") == [None]
    assert utc("2026-03-09T07:00:00Z") - utc("2026-03-02T08:00:00Z") == timedelta(hours=167)


def test_weeks_can_start_on_another_day() -> None:
    """With week_starts_on: sunday, the Sunday of the DST change starts a new week at 08:00Z."""
    engine = Engine(
        make_fest(mission("weekly", "like", 100, window={"kind": "weekly"}), fest=fest_section(week_starts_on="sunday"))
    )
    steps = run(engine, ev("e1", "like", "2026-03-08T07:59:59Z"), ev("e2", "like", "2026-03-08T08:00:00Z"))
    assert windows(steps) == [("e1", "week:2026-03-01", 1), ("e2", "week:2026-03-08", 1)]


def test_each_day_is_its_own_window() -> None:
    """A daily mission starts afresh every fest day."""
    engine = Engine(make_fest(mission("daily", "like", 2, window={"kind": "daily"})))
    steps = run(
        engine,
        ev("e1", "like", "2026-03-02T18:00:00Z"),
        ev("e2", "like", "2026-03-02T19:00:00Z"),
        ev("e3", "like", "2026-03-03T18:00:00Z"),
    )
    assert windows(steps) == [("e1", "day:2026-03-02", 1), ("e2", "day:2026-03-02", 2), ("e3", "day:2026-03-03", 1)]
    assert [o.window for o in of(steps, MissionCompleted)] == ["day:2026-03-02"]


# --------------------------------------------------------------------------- expiry


def test_a_later_event_first_closes_the_window_then_applies() -> None:
    """An event after a window's end (+ lateness) first closes it (a fixed window's unfinished
    instance expires; a day's is dropped), then counts in the next window."""
    engine = Engine(
        make_fest(
            mission("daily", "like", 3, window={"kind": "daily"}),
            mission("phase", "like", 5, window={"kind": "phase", "phase": "week1"}),
        )
    )
    engine.apply(ev("e1", "like", "2026-03-02T18:00:00Z"))
    step = engine.apply(ev("e2", "like", "2026-03-08T08:10:00Z"))  # week1 ended 08:00Z; +10m lateness
    assert step.outcomes == (
        MissionExpired("e2", "u1", "phase", "phase:week1", "active", 1),
        MissionProgressed("e2", "u1", "daily", "day:2026-03-08", 1, 3),
    )
    assert windows_shown(engine, "u1", "daily") == ["day:2026-03-08"]


def test_an_event_within_the_lateness_does_not_close_the_window_yet() -> None:
    """Until end + lateness the previous window stays open (late events may still count in it)."""
    engine = Engine(make_fest(mission("daily", "like", 3, window={"kind": "daily"})))
    engine.apply(ev("e1", "like", "2026-03-02T18:00:00Z"))
    step = engine.apply(ev("e2", "like", "2026-03-03T08:09:59Z"))
    assert of(step, MissionExpired) == []
    late = engine.apply(ev("e3", "like", "2026-03-03T07:59:59Z"))  # belongs to 03-02
    assert windows(late) == [("e3", "day:2026-03-02", 2)]


def test_advance_to_closes_windows_without_an_event() -> None:
    """advance_to moves the clock and closes the windows due, with event_id None."""
    engine = Engine(make_fest(mission("fest_likes", "like", 3), mission("daily", "like", 3, window={"kind": "daily"})))
    engine.apply(ev("e1", "like", "2026-03-02T18:00:00Z"))
    step = engine.advance_to(utc("2026-03-22T07:10:00Z"))
    assert step.event_id is None
    assert step.outcomes == (MissionExpired(None, "u1", "fest_likes", "fest", "active", 1),)
    assert windows_shown(engine, "u1", "daily") == [None]
    assert engine.clock == utc("2026-03-22T07:10:00Z")
    assert progress_of(engine, "u1", "fest_likes").state == "expired"


def test_advance_to_never_goes_back_and_needs_an_aware_time() -> None:
    """advance_to an earlier time does nothing; a naive datetime is a ValueError."""
    engine = Engine(make_fest(mission("daily", "like", 3, window={"kind": "daily"})))
    engine.apply(ev("e1", "like", "2026-03-05T18:00:00Z"))
    before = engine.snapshot()
    assert engine.advance_to(utc("2026-03-02T00:00:00Z")).outcomes == ()
    assert engine.clock == utc("2026-03-05T18:00:00Z")
    assert engine.snapshot() == before
    with pytest.raises(ValueError, match="time-zone aware"):
        engine.advance_to(datetime(2026, 3, 6))  # noqa: DTZ001 - the point of the test


def test_completed_missions_do_not_expire() -> None:
    """Closing a window expires only unfinished (active) missions."""
    engine = Engine(make_fest(mission("daily", "like", 1, window={"kind": "daily"})))
    engine.apply(ev("e1", "like", "2026-03-02T18:00:00Z"))
    assert engine.advance_to(utc("2026-03-10T00:00:00Z")).outcomes == ()


def test_only_participants_get_expiry_outcomes() -> None:
    """A viewer who never took part in a window gets no expiry for it."""
    engine = Engine(make_fest(mission("phase", "like", 3, window={"kind": "phase", "phase": "week1"})))
    engine.apply(ev("e1", "like", "2026-03-02T18:00:00Z", user="u1"))
    step = engine.advance_to(utc("2026-03-10T00:00:00Z"))
    assert [o.subject for o in of(step, MissionExpired)] == ["u1"]


# --------------------------------------------------------------------------- streams


def test_each_stream_is_its_own_window() -> None:
    """A per-stream mission counts separately in each stream."""
    engine = Engine(make_fest(mission("chat", "comment", 3, window={"kind": "stream"})))
    steps = run(
        engine,
        ev("e1", "comment", "2026-03-02T18:00:00Z", stream_id="s1"),
        ev("e2", "comment", "2026-03-02T18:01:00Z", stream_id="s2"),
        ev("e3", "comment", "2026-03-02T18:02:00Z", stream_id="s1"),
    )
    assert windows(steps) == [("e1", "stream:s1", 1), ("e2", "stream:s2", 1), ("e3", "stream:s1", 2)]


def test_stream_window_closes_at_stream_ended_plus_lateness() -> None:
    """A stream's window takes late events until stream_ended + lateness, then closes (dropping its
    unfinished instances without an outcome)."""
    engine = Engine(make_fest(mission("chat", "comment", 3, window={"kind": "stream"})))
    engine.apply(ev("e1", "comment", "2026-03-02T18:00:00Z"))
    ended = engine.apply(ev("end", "stream_ended", "2026-03-02T19:00:00Z", user="c1"))
    assert ended.accepted
    assert of(ended, MissionExpired) == []
    other = engine.apply(ev("e2", "like", "2026-03-02T19:05:00Z"))  # moves the clock
    assert of(other, MissionExpired) == []
    late = engine.apply(ev("e3", "comment", "2026-03-02T18:59:59Z"))  # happened during the stream
    assert windows(late) == [("e3", "stream:s1", 2)]
    assert engine.advance_to(utc("2026-03-02T19:09:59Z")).outcomes == ()
    assert windows_shown(engine, "u1", "chat") == ["stream:s1"]
    assert engine.advance_to(utc("2026-03-02T19:10:00Z")).outcomes == ()
    assert windows_shown(engine, "u1", "chat") == [None]


def test_a_closing_stream_drops_the_unfinished_instances_of_all_its_missions() -> None:
    """A stream closing drops every unfinished instance of every per-stream mission, without outcomes."""
    engine = Engine(
        make_fest(
            mission("chat", "comment", 3, window={"kind": "stream"}),
            mission("taps", "like", 100, window={"kind": "stream"}),
        )
    )
    run(
        engine,
        ev("e1", "like", "2026-03-02T18:00:00Z", user="u1"),
        ev("e2", "comment", "2026-03-02T18:01:00Z", user="u2"),
        ev("e3", "like", "2026-03-02T18:02:00Z", user="u3"),
        ev("e4", "comment", "2026-03-02T18:03:00Z", user="u1"),
        ev("end", "stream_ended", "2026-03-02T19:00:00Z", user="c1"),
    )
    assert [windows_shown(engine, u, m) for u, m in (("u1", "taps"), ("u2", "chat"), ("u1", "chat"))] == [
        ["stream:s1"],
        ["stream:s1"],
        ["stream:s1"],
    ]
    assert engine.advance_to(utc("2026-03-02T19:10:00Z")).outcomes == ()
    for user, mission_id in (("u1", "taps"), ("u2", "chat"), ("u3", "taps"), ("u1", "chat")):
        assert windows_shown(engine, user, mission_id) == [None]


def test_events_after_stream_ended_do_not_count_in_the_stream() -> None:
    """An event that happened at or after its stream ended is not part of the stream's window."""
    engine = Engine(make_fest(mission("chat", "comment", 3, window={"kind": "stream"})))
    engine.apply(ev("e1", "comment", "2026-03-02T18:00:00Z"))
    engine.apply(ev("end", "stream_ended", "2026-03-02T19:00:00Z", user="c1"))
    at_end = engine.apply(ev("e2", "comment", "2026-03-02T19:00:00Z"))
    after = engine.apply(ev("e3", "comment", "2026-03-02T19:05:00Z", user="u2"))
    assert at_end.accepted
    assert after.accepted
    assert windows([at_end, after]) == []
    assert progress_of(engine, "u1", "chat").progress == 1
    assert [row.window for row in engine.missions("u2") if row.mission_id == "chat"] == [None]


def test_a_closed_stream_takes_no_more_events() -> None:
    """Once a stream's window has closed, nothing more counts in it, not even for new viewers."""
    engine = Engine(make_fest(mission("chat", "comment", 1, window={"kind": "stream"})))
    engine.apply(ev("end", "stream_ended", "2026-03-02T19:00:00Z", user="c1"))
    engine.advance_to(utc("2026-03-02T19:10:00Z"))
    step = engine.apply(ev("e1", "comment", "2026-03-02T19:30:00Z", user="u2"))
    assert step.accepted
    assert windows(step) == []
    other = engine.apply(ev("e2", "comment", "2026-03-02T19:31:00Z", user="u2", stream_id="s2"))
    assert windows(other) == [("e2", "stream:s2", 1)]


def test_stream_windows_stay_open_without_stream_ended() -> None:
    """Without a stream_ended event, a stream's window never closes (time alone does not end a stream)."""
    engine = Engine(make_fest(mission("chat", "comment", 3, window={"kind": "stream"})))
    engine.apply(ev("e1", "comment", "2026-03-02T18:00:00Z"))
    assert engine.advance_to(utc("2026-03-05T00:00:00Z")).outcomes == ()
    assert windows(engine.apply(ev("e2", "comment", "2026-03-05T00:00:00Z"))) == [("e2", "stream:s1", 2)]


# --------------------------------------------------------------------------- lateness


def test_a_late_event_within_the_lateness_counts_in_its_own_window() -> None:
    """A late event (behind the clock by at most the allowed lateness) counts in the window it happened in."""
    engine = Engine(make_fest(mission("daily", "like", 3, window={"kind": "daily"})))
    engine.apply(ev("e1", "like", "2026-03-03T08:05:00Z", user="u2"))  # the clock: 03-03 00:05 PST
    step = engine.apply(ev("e2", "like", "2026-03-03T07:58:00Z"))  # 03-02 23:58 PST, 7 minutes late
    assert windows(step) == [("e2", "day:2026-03-02", 1)]
    assert engine.clock == utc("2026-03-03T08:05:00Z")  # a late event does not move the clock back


def test_lateness_boundary() -> None:
    """Exactly the allowed lateness behind the clock is accepted; one second more is rejected as too_late."""
    engine = Engine(make_fest(mission("likes", "like", 100)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    on_time = engine.apply(ev("e2", "like", "2026-03-02T09:50:00Z"))
    assert windows(on_time) == [("e2", "fest", 2)]
    before = engine.snapshot()
    too_late = engine.apply(ev("e3", "like", "2026-03-02T09:49:59Z"))
    assert too_late.rejected is not None
    assert too_late.rejected.code == "too_late"
    assert "allowed lateness (10m)" in too_late.rejected.reason
    assert engine.snapshot() == before


def test_lateness_is_configurable() -> None:
    """allowed_lateness comes from the fest; with 0 no event may be behind the clock."""
    engine = Engine(make_fest(mission("likes", "like", 100), fest=fest_section(allowed_lateness="0s")))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert engine.apply(ev("e2", "like", "2026-03-02T10:00:00Z")).accepted  # same instant: not late
    step = engine.apply(ev("e3", "like", "2026-03-02T09:59:59Z"))
    assert isinstance(step.outcomes[0], Rejected)
    assert step.outcomes[0].code == "too_late"


def test_a_stream_window_without_stream_ended_closes_with_the_fest() -> None:
    """A per-stream mission whose stream never reports its end closes when the fest closes."""
    fest = make_fest(mission("stream_likes", "like", 5, window={"kind": "stream"}))
    engine = Engine(fest)
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z", creator_id="c1", stream_id="s1"))
    engine.advance_to(datetime(2026, 3, 22, 7, 0, tzinfo=UTC))
    assert windows_shown(engine, "u1", "stream_likes") == ["stream:s1"]
    after_end = engine.advance_to(datetime(2026, 3, 22, 7, 10, tzinfo=UTC))
    assert after_end.outcomes == ()
    assert windows_shown(engine, "u1", "stream_likes") == [None]
