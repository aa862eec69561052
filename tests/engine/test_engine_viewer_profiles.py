"""Viewer profiles: kept on the viewer's key, a later one replacing the earlier whole, carried by snapshots."""

from __future__ import annotations

from datetime import date

from fests import ev, make_fest, run

from festengine.assembly import Engine
from festengine.engine.eligibility import ViewerProfile


def test_a_viewer_profile_is_kept_and_a_later_one_replaces_it_whole() -> None:
    """The latest profile is the viewer's; a field the later profile leaves out is no longer known."""
    engine = Engine(make_fest())
    assert engine.viewer_profile("u1") is None
    first = ev("p1", "viewer_profile", "2026-03-02T10:00:00Z", birth_date="2001-07-15", age_verified=True, region="DE")
    (step,) = run(engine, first)
    assert step.accepted
    assert step.outcomes == ()
    assert engine.viewer_profile("u1") == ViewerProfile(date(2001, 7, 15), True, "DE")
    run(engine, ev("p2", "viewer_profile", "2026-03-02T11:00:00Z", region="FR"))
    assert engine.viewer_profile("u1") == ViewerProfile(None, None, "FR")
    assert engine.viewer_profile("u2") is None


def test_profiles_survive_snapshot_and_restore() -> None:
    """A restored engine knows the same profiles, and its snapshot has the same bytes."""
    fest = make_fest()
    engine = Engine(fest)
    run(
        engine,
        ev("p1", "viewer_profile", "2026-03-02T10:00:00Z", birth_date="2010-01-31", region="KR"),
        ev("p2", "viewer_profile", "2026-03-02T10:00:00Z", user="u2", age_verified=False),
        ev("p3", "viewer_profile", "2026-03-02T10:00:00Z", user="u3"),
    )
    restored = Engine.restore(fest, engine.snapshot())
    assert restored.snapshot() == engine.snapshot()
    assert restored.viewer_profile("u1") == ViewerProfile(date(2010, 1, 31), None, "KR")
    assert restored.viewer_profile("u2") == ViewerProfile(None, False, None)
    assert restored.viewer_profile("u3") == ViewerProfile()


def test_a_snapshot_with_a_malformed_profile_is_a_snapshot_error() -> None:
    """A profile with a day that does not exist, a region that is not ISO 3166-1 or a missing field is refused
    on restore with SnapshotError naming the place, never another error."""
    import json
    import zlib

    import pytest

    from festengine.engine.core import SNAPSHOT_MAGIC
    from festengine.errors import SnapshotError

    fest = make_fest()
    engine = Engine(fest)
    run(engine, ev("p1", "viewer_profile", "2026-03-02T10:00:00Z", birth_date="2001-07-15", region="DE"))
    data = engine.snapshot()
    for field, value in [("birth_date", "2001-02-30"), ("region", "XX"), ("age_verified", "yes")]:
        state = json.loads(zlib.decompress(data[len(SNAPSHOT_MAGIC) :]))
        state["components"]["eligibility"]["profiles"]["u1"][field] = value
        bad = SNAPSHOT_MAGIC + zlib.compress(json.dumps(state).encode())
        with pytest.raises(SnapshotError, match="eligibility"):
            Engine.restore(fest, bad)
    state = json.loads(zlib.decompress(data[len(SNAPSHOT_MAGIC) :]))
    del state["components"]["eligibility"]["profiles"]["u1"]["region"]
    with pytest.raises(SnapshotError):
        Engine.restore(fest, SNAPSHOT_MAGIC + zlib.compress(json.dumps(state).encode()))
