"""The Beam pipeline on the DirectRunner: the same outcomes per key as the in-process engine, money
that adds up, and the same result when every event is delivered twice.

Two pipeline runs (each in rounds) over a simulated stream of 5,000 events on the bundled pack:
the ``festengine pipeline`` command over the stream plus one malformed line, and the pipeline over
the stream with every line twice. Both are module fixtures that every test reads.
"""

from __future__ import annotations

import io
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "apache_beam", reason="the Beam pipeline needs the beam extra (pip install 'festengine[beam]'), not installed here"
)

from festengine import Engine, load_fest
from festengine.beam import owners, run_pipeline
from festengine.beam.keyfold import KeyRun, event_input, input_order, run_key
from festengine.beam.owners import KeyModel
from festengine.catalog.model import Fest
from festengine.cli import main
from festengine.engine.outcomes import outcome_to_dict
from festengine.events import Event, dumps_event
from festengine.sim import simulate_events

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "missions" / "community-fest"
EVENTS = 5_000
MALFORMED = '{"type": "like", "event_id": "bad-1"}'
Record = dict[str, Any]


@pytest.fixture(scope="module")
def fest() -> Fest:
    return load_fest(PACK)


@pytest.fixture(scope="module")
def events(fest: Fest) -> list[Event]:
    """The first 5,000 events of a simulated fest (some delivered twice or late, as feeds do)."""
    stream = simulate_events(fest, viewers=400, creators=10, days=7, seed=11)
    return [event for _, event in zip(range(EVENTS), stream, strict=False)]


@pytest.fixture(scope="module")
def cli_run(events: list[Event], tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path, str]:
    """``festengine pipeline`` over the events and one malformed line: (exit code, out folder, output)."""
    folder = tmp_path_factory.mktemp("cli")
    lines = [dumps_event(event) for event in events]
    lines.insert(len(lines) // 2, MALFORMED)
    (folder / "events.jsonl").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    out = io.StringIO()
    code = main(["pipeline", str(PACK), str(folder / "events.jsonl"), "--out", str(folder / "out")], out=out)
    return code, folder / "out", out.getvalue()


@pytest.fixture(scope="module")
def twice_run(events: list[Event], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pipeline over the events with every line delivered twice, each key applying its due inputs
    every day of event time through the stateful DoFn (the command gathers them and applies them once)."""
    folder = tmp_path_factory.mktemp("twice")
    text = "".join(f"{dumps_event(event)}\n" * 2 for event in events)
    (folder / "events.jsonl").write_text(text, encoding="utf-8")
    run_pipeline(PACK, folder / "events.jsonl", folder / "out", tick=timedelta(days=1))
    return folder / "out"


def _records(path: Path) -> list[Record]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _by_key(records: list[Record]) -> dict[str, list[Record]]:
    """Each key's outcomes in the key's order (the file's order)."""
    keyed: dict[str, list[Record]] = {}
    for record in records:
        keyed.setdefault(record["key"], []).append(record["outcome"])
    return keyed


def _without_repeats(outcomes: list[Record]) -> list[Record]:
    """Outcomes without ``duplicate`` ones, and a refusal right after the same refusal left out: an event
    delivered again is a duplicate if it was accepted, and refused again if it was refused."""
    kept: list[Record] = []
    for outcome in outcomes:
        if outcome["kind"] == "duplicate" or (outcome["kind"] == "rejected" and kept and kept[-1] == outcome):
            continue
        kept.append(outcome)
    return kept


@pytest.fixture(scope="module")
def in_process(fest: Fest, events: list[Event]) -> list[Record]:
    """The in-process engine's outcomes over the events in the keys' order, then the advance to the
    fest's end, as the JSON values the pipeline writes."""
    engine = Engine(fest)
    outcomes = [
        outcome_to_dict(outcome)
        for event in sorted(events, key=lambda event: input_order(event_input(event)))
        for outcome in engine.apply(event).outcomes
    ]
    outcomes.extend(outcome_to_dict(outcome) for outcome in engine.advance_to(fest.ends_at).outcomes)
    plain: list[Record] = json.loads(json.dumps(outcomes, default=str))
    return plain


def _split_by_key(in_process: list[Record], piped: dict[str, list[Record]]) -> dict[str, list[Record]]:
    """The in-process outcomes, each given to the key whose engine produced the same outcome in the
    pipeline, in the in-process order (an outcome the pipeline did not produce goes to ``missing``)."""
    keys_of: dict[str, list[str]] = {}
    for key, outcomes in sorted(piped.items()):
        for outcome in outcomes:
            keys_of.setdefault(json.dumps(outcome, sort_keys=True), []).append(key)
    split: dict[str, list[Record]] = {}
    for outcome in in_process:
        keys = keys_of.get(json.dumps(outcome, sort_keys=True))
        split.setdefault(keys.pop(0) if keys else "missing", []).append(outcome)
    return split


def _journal_totals(entries: list[Record]) -> Iterator[tuple[Record, dict[str, Decimal]]]:
    for entry in entries:
        sums: dict[str, Decimal] = {}
        for _account, amount, currency in entry["postings"]:
            sums[currency] = sums.get(currency, Decimal(0)) + Decimal(amount)
        yield entry, sums


# ---------------------------------------------------------------------------------------------- the command


def test_the_command_writes_the_three_files_and_names_the_malformed_line(cli_run: tuple[int, Path, str]) -> None:
    code, out, printed = cli_run
    assert sorted(path.name for path in out.iterdir()) == ["journal.jsonl", "outcomes.jsonl", "summary.json"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["events"] == EVENTS + 1
    assert summary["malformed"] == 1
    assert code == 1  # a malformed line makes the exit code 1, as for replay
    assert "events read: 5,001 lines, 1 malformed" in printed
    assert summary["outcomes"] == dict(Counter(r["outcome"]["kind"] for r in _records(out / "outcomes.jsonl")))


# ---------------------------------------------------------------------------------------------- equal per key


def test_outcomes_per_key_equal_the_in_process_engines(
    in_process: list[Record], cli_run: tuple[int, Path, str]
) -> None:
    """Every key's outcomes are those of one engine applying the events in the keys' order, in the same
    order: the in-process outcomes split by key (the key whose engine produced each) are each key's."""
    _code, out, _printed = cli_run
    piped = _by_key(_records(out / "outcomes.jsonl"))
    split = _split_by_key(in_process, piped)
    assert "missing" not in split
    assert sorted(split) == sorted(piped)
    for key, outcomes in piped.items():
        assert outcomes == split[key], key
    assert len(piped) == json.loads((out / "summary.json").read_text(encoding="utf-8"))["keys"]


def test_counts_by_kind_equal_the_in_process_engines(in_process: list[Record], cli_run: tuple[int, Path, str]) -> None:
    _code, out, _printed = cli_run
    expected = Counter(outcome["kind"] for outcome in in_process)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcomes"] == dict(sorted(expected.items()))
    assert expected["mission_completed"] > 0
    assert expected["credit_granted"] > 0


# ---------------------------------------------------------------------------------------------- money


def test_every_entry_balances_and_the_trial_balance_is_zero(cli_run: tuple[int, Path, str]) -> None:
    _code, out, _printed = cli_run
    entries = _records(out / "journal.jsonl")
    assert entries
    for entry, sums in _journal_totals(entries):
        assert all(total == 0 for total in sums.values()), entry
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["unbalanced_entries"] == 0
    assert summary["journal_entries"] == len(entries)
    assert summary["trial_balance"]
    assert all(Decimal(total) == 0 for total in summary["trial_balance"].values())


def test_no_budget_ever_goes_below_zero(fest: Fest, cli_run: tuple[int, Path, str]) -> None:
    """Walking each key's entries in order, no budget account's balance at that key is ever negative."""
    _code, out, _printed = cli_run
    accounts = {f"budget:{budget_id}" for budget_id in fest.economy.budgets}
    balances: dict[tuple[str, str], Decimal] = {}
    drawn = 0
    for entry in _records(out / "journal.jsonl"):
        for account, amount, _currency in entry["postings"]:
            if account in accounts:
                place = (entry["key"], account)
                balances[place] = balances.get(place, Decimal(0)) + Decimal(amount)
                assert balances[place] >= 0, entry
                drawn += Decimal(amount) < 0
    assert drawn > 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    left = {budget_id: Decimal(0) for budget_id in fest.economy.budgets}
    for (_key, account), balance in balances.items():
        left[account.removeprefix("budget:")] += balance
    assert {budget_id: Decimal(amount) for budget_id, amount in summary["budgets_left"].items()} == left


# ---------------------------------------------------------------------------------------------- delivered twice


def test_every_event_delivered_twice_gives_the_same_result(cli_run: tuple[int, Path, str], twice_run: Path) -> None:
    """Each repeat is a ``duplicate`` outcome and nothing else: the other outcomes, the journal and the
    money are the same."""
    _code, out, _printed = cli_run
    once, twice = _records(out / "outcomes.jsonl"), _records(twice_run / "outcomes.jsonl")
    once_by_key, twice_by_key = _by_key(once), _by_key(twice)
    assert sorted(twice_by_key) == sorted(once_by_key)
    for key, outcomes in once_by_key.items():
        assert _without_repeats(twice_by_key[key]) == _without_repeats(outcomes), key
    kinds_once = Counter(r["outcome"]["kind"] for r in once)
    kinds_twice = Counter(r["outcome"]["kind"] for r in twice)
    repeats = kinds_twice["duplicate"] - kinds_once["duplicate"] + kinds_twice["rejected"] - kinds_once["rejected"]
    assert repeats == EVENTS
    assert (twice_run / "journal.jsonl").read_text(encoding="utf-8") == (out / "journal.jsonl").read_text(
        encoding="utf-8"
    )
    first = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    second = json.loads((twice_run / "summary.json").read_text(encoding="utf-8"))
    for name in ("trial_balance", "budgets_left", "journal_entries", "keys", "rounds", "messages"):
        assert second[name] == first[name], name


# ---------------------------------------------------------------------------------------------- split by owner


def _rounds_in_process(fest: Fest, events: list[Event], model: KeyModel) -> tuple[int, dict[str, KeyRun]]:
    """The pipeline's rounds without Beam: each key's run over its events and the messages of the round before."""
    by_key: dict[str, list[str]] = {}
    for event in events:
        by_key.setdefault(model.route(fest, event), []).append(event_input(event))
    previous: list[tuple[str, str]] = []
    for number in range(1, 10):
        inputs = model.round_inputs(by_key, previous)
        runs = {key: run_key(fest, key, None, 0, lines, end=True, model=model) for key, lines in inputs.items()}
        sent = sorted({message for run in runs.values() for message in run.messages})
        if sent == previous:
            return number, runs
        previous = sent
    raise AssertionError("the messages still changed after 9 rounds")


def test_split_by_owner_the_pipeline_runs_the_rounds_each_key_as_alone(
    fest: Fest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Split by viewer and fest keys, events are forwarded to the fest's key and its messages come back in
    the next round (to one viewer, or to every viewer): each key's outcomes and journal are those of its
    engine run alone over its events and the messages it was sent, and the money adds up. (The owner
    split of the default components is not complete yet, so the stream leaves claims out, and each
    key is compared with its own run rather than with one engine.)"""
    stream = simulate_events(fest, viewers=60, creators=4, days=3, seed=5)
    events = [event for event in itertools.islice(stream, 1_500) if event.type != "claim"][:400]
    folder = tmp_path_factory.mktemp("split")
    (folder / "events.jsonl").write_text("".join(f"{dumps_event(e)}\n" for e in events), encoding="utf-8")
    model = KeyModel(split=True)
    run = run_pipeline(fest, folder / "events.jsonl", folder / "out", model=model)
    rounds, runs = _rounds_in_process(fest, events, model)
    assert run.rounds == rounds >= 2
    assert run.summary["messages"] > 0
    piped = _by_key(_records(folder / "out" / "outcomes.jsonl"))
    assert sorted(piped) == sorted(key for key, key_run in runs.items() if key_run.outcomes)
    assert len({owners.kind_of(key) for key in piped}) == 2
    for key, key_run in runs.items():
        assert piped.get(key, []) == [json.loads(line)["outcome"] for line in key_run.outcomes], key
    journal = (folder / "out" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert journal == [line for key in sorted(runs) for line in runs[key].journal]
    assert run.summary["unbalanced_entries"] == 0
    assert all(Decimal(total) == 0 for total in run.summary["trial_balance"].values())
