"""The journal sink: entries go to the sink the engine is given; balances and snapshots do without the journal."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from economy_fests import Feed, at, make_fest, run, trial_balance_is_zero, usd
from hypothesis import given
from test_economy_properties import FEST, PROPERTY_SETTINGS, event_streams

from festengine.assembly import Engine
from festengine.economy.journal import JournalEntry, JournalSink, MemoryJournal
from festengine.economy.ledger import JournalNotKeptError, Ledger
from festengine.engine.snapshot import SNAPSHOT_MAGIC
from festengine.events import Event

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


class ListSink:
    """An outside sink: a list standing for a database table or a topic."""

    def __init__(self) -> None:
        self.entries: list[JournalEntry] = []

    def append(self, entry: JournalEntry) -> None:
        self.entries.append(entry)


def economy_state(engine: Engine) -> Any:
    body = zlib.decompress(engine.snapshot()[len(SNAPSHOT_MAGIC) :])
    return json.loads(body)["components"]["economy"]


def gifts(feed: Feed, count: int, day: int = 2) -> list[Event]:
    return [feed.gift(at(day, 12, minute), "u1", "c1", "lion") for minute in range(count)]


def test_a_list_is_a_journal_sink_and_the_default_is_a_memory_journal() -> None:
    assert isinstance(ListSink(), JournalSink)
    assert isinstance(Engine(make_fest()).ledger.journal, MemoryJournal)


@PROPERTY_SETTINGS
@given(event_streams())
def test_the_same_events_give_the_same_entries_to_an_outside_sink(events: list[Event]) -> None:
    """Entry for entry, the outside sink receives what the default journal keeps; the books balance."""
    sink = ListSink()
    kept, handed = Engine(FEST), Engine(FEST, journal=sink)
    for event in events:
        assert kept.apply(event) == handed.apply(event)
    kept.advance_to(datetime(2026, 3, 31, 23, tzinfo=UTC))
    handed.advance_to(datetime(2026, 3, 31, 23, tzinfo=UTC))
    assert tuple(sink.entries) == kept.ledger.entries
    assert [entry.id for entry in sink.entries] == list(range(1, len(sink.entries) + 1))
    assert handed.ledger.accounts() == kept.ledger.accounts()
    assert len(handed.ledger) == len(kept.ledger)
    assert trial_balance_is_zero(handed)


def test_with_an_outside_sink_the_journal_is_not_kept_but_balances_answer() -> None:
    sink, events = ListSink(), gifts(Feed(), 3)
    engine, kept = Engine(make_fest(), journal=sink), Engine(make_fest())
    assert run(engine, *events) == run(kept, *events)
    assert engine.balance("creator:c1:gift_earnings") == kept.balance("creator:c1:gift_earnings") > usd("0")
    assert engine.budget_left("fest_rewards") == kept.budget_left("fest_rewards")
    with pytest.raises(JournalNotKeptError):
        engine.ledger.entries  # noqa: B018 - the property raises
    with pytest.raises(JournalNotKeptError):
        engine.entries("viewer:u1")
    assert len(engine.ledger) == len(sink.entries)


def test_the_state_does_not_grow_with_the_journal_when_it_goes_to_a_sink() -> None:
    """More gifts between the same viewer and creator: more entries in the sink, the same ledger state."""
    few, many = Engine(make_fest(), journal=ListSink()), Engine(make_fest(), journal=ListSink())
    run(few, *gifts(Feed(), 3))
    run(many, *gifts(Feed(), 40))
    state_few, state_many = economy_state(few)["ledger"], economy_state(many)["ledger"]
    assert state_few["journal"] is None
    assert state_few["balances"].keys() == state_many["balances"].keys()
    assert state_many["posted"] - state_few["posted"] == 37


def test_snapshot_and_restore_with_an_outside_sink() -> None:
    """The snapshot holds the balances and the count of entries, not the entries; the restored engine goes on
    numbering where the first left off, into its own sink, and gives the same snapshot bytes as the first."""
    feed = Feed()
    before, after = gifts(feed, 5), gifts(feed, 5, day=3)
    sink = ListSink()
    engine = Engine(make_fest(), journal=sink)
    run(engine, *before)
    snapshot = engine.snapshot()
    later = ListSink()
    restored = Engine.restore(make_fest(), snapshot, journal=later)
    assert later.entries == []  # budgets are funded by a new engine only, not again on restore
    assert restored.snapshot() == snapshot
    assert run(restored, *after) == run(engine, *after)
    assert later.entries == sink.entries[-len(later.entries) :]
    assert later.entries[0].id == len(sink.entries) - len(later.entries) + 1
    assert restored.snapshot() == engine.snapshot()
    assert restored.ledger.trial_balance() == engine.ledger.trial_balance()


def test_a_snapshot_without_journal_restores_into_a_memory_journal_that_starts_after_it() -> None:
    feed = Feed()
    engine = Engine(make_fest(), journal=ListSink())
    run(engine, *gifts(feed, 2))
    restored = Engine.restore(make_fest(), engine.snapshot())
    assert restored.ledger.entries == ()
    run(restored, *gifts(feed, 1, day=3))
    assert [entry.id for entry in restored.entries("viewer:u1")] == [len(engine.ledger) + 1]
    again = Engine.restore(make_fest(), restored.snapshot())
    assert again.snapshot() == restored.snapshot()
    assert again.ledger.entries == restored.ledger.entries


def test_a_snapshot_with_the_journal_restores_balances_only_into_an_outside_sink() -> None:
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, *gifts(feed, 2))
    sink = ListSink()
    restored = Engine.restore(make_fest(), engine.snapshot(), journal=sink)
    assert restored.ledger.accounts() == engine.ledger.accounts()
    assert sink.entries == []
    later = gifts(feed, 1, day=3)
    assert run(restored, *later) == run(engine, *later)
    assert tuple(sink.entries) == engine.ledger.entries[-1:]
    assert sink.entries[0].id == len(engine.ledger)


def test_a_memory_journal_takes_entries_in_order_only() -> None:
    journal = MemoryJournal("USD")
    ledger = Ledger("USD", journal)
    postings = [("a:x", usd("1")), ("b:y", usd("-1"))]
    entry = ledger.post(event_id="e1", rule_id="r", memo="m", at=NOW, postings=postings)
    with pytest.raises(ValueError, match="entry 1 appended where entry 2 was due"):
        journal.append(entry)
    assert len(journal) == 1


def test_a_ledger_dump_with_an_outside_sink_holds_no_journal() -> None:
    sink = ListSink()
    ledger = Ledger("USD", sink)
    ledger.post(event_id="e1", rule_id="r", memo="m", at=NOW, postings=[("a:x", usd("1")), ("b:y", usd("-1"))])
    dumped = json.loads(json.dumps(ledger.dump()))
    assert dumped == {"posted": 1, "balances": {"a:x": "1", "b:y": "-1"}, "foreign": {}, "journal": None}
    copy = Ledger("USD", ListSink())
    copy.load(dumped)
    assert copy.accounts() == ledger.accounts()
    entry = copy.post(event_id="e2", rule_id="r", memo="m", at=NOW, postings=[("a:x", usd("-1")), ("b:y", usd("1"))])
    assert entry.id == 2
