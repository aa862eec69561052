"""The Beam transforms: read events, route them to owner keys, apply each key's inputs in a stateful DoFn.

``RunFest`` takes a ``PCollection`` of events (wire JSON lines, or :class:`~festengine.events.Event`
values), and optionally the messages fed back from an earlier run, and gives four ``PCollection``\\ s of
JSON text: ``outcomes``, ``journal``, ``messages`` (to other keys: the feedback) and ``problems``
(malformed event lines, which reach no key).

Each owner kind is one stateful ``DoFn`` keyed by its owner key (``viewer:u1``, ``fest:*``). A key
buffers its inputs in a ``BagState`` and keeps one event-time timer: it fires when the watermark
passes the earliest waiting input's time plus the fest's allowed lateness (rounded up to the next
``tick``, so that one firing applies every input that became due in the tick), or else the fest's
end plus the lateness. A firing applies the inputs then due, in the key's order
(:func:`festengine.beam.keyfold.input_order`), to the key's engine, whose snapshot bytes are the
key's ``ReadModifyWriteState``; the firing at the end applies what is left and advances the key's
engine to the end, so windows close, claims lapse and commissions settle. An input that arrives
after its key's end was applied is applied when the watermark next passes it.

For bounded input (``bounded=True``) each key instead gathers all its inputs (``GroupByKey``) and
runs once from nothing to the end, which is what its one firing at the end would do.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any, Final

import apache_beam as beam
from apache_beam.coders import BytesCoder, StrUtf8Coder, TupleCoder, VarIntCoder
from apache_beam.pvalue import PBegin, PCollection, TaggedOutput
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (
    BagStateSpec,
    ReadModifyWriteRuntimeState,
    ReadModifyWriteStateSpec,
    TimerSpec,
    on_timer,
)
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from festengine.beam import owners
from festengine.beam.keyfold import KeyRun, event_input, run_key
from festengine.catalog.loader import load_fest
from festengine.catalog.model import Fest
from festengine.errors import EventParseError
from festengine.events import Event, parse_event

__all__ = ["JOURNAL", "MESSAGES", "OUTCOMES", "PROBLEMS", "TAGS", "ReadEvents", "RunFest"]

#: the outputs of :class:`RunFest`, by name
OUTCOMES: Final = "outcomes"
JOURNAL: Final = "journal"
MESSAGES: Final = "messages"
PROBLEMS: Final = "problems"
TAGS: Final = (OUTCOMES, JOURNAL, MESSAGES, PROBLEMS)
#: how much of a malformed line a problem record repeats
_LINE_SHOWN: Final = 200
_MICROS: Final = 1_000_000
#: what a key's DoFn takes: (the key, one input); a key is text, so its coder is deterministic
_KeyedInput = tuple[str, str]


class ReadEvents(beam.PTransform[PBegin, PCollection[str]]):
    """The lines of a JSON Lines file of events (each parsed, and refused if malformed, by :class:`RunFest`)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self._path = os.fspath(path)

    def expand(self, pbegin: PBegin) -> PCollection[str]:
        read = pbegin | "Read lines" >> beam.io.ReadFromText(self._path)
        lines: PCollection[str] = read | "Skip blank lines" >> beam.Filter(str.strip)
        return lines


class _RouteEvents(beam.DoFn):
    """An event line to ``(its primary owner key, the event as an input)``, at the event's time;
    a malformed line to the problems output."""

    def __init__(self, fest: Fest, model: owners.KeyModel) -> None:
        super().__init__()
        self._fest = fest
        self._model = model

    def process(self, element: str | Event) -> Iterator[Any]:
        if isinstance(element, Event):
            event = element
        else:
            try:
                event = parse_event(element)
            except EventParseError as error:
                problem = {"line": element[:_LINE_SHOWN], "problems": list(error.reasons)}
                yield TaggedOutput(PROBLEMS, json.dumps(problem, separators=(",", ":"), ensure_ascii=False))
                return
        key = self._model.route(self._fest, event)
        yield TimestampedValue((key, event_input(event)), event.occurred_at.timestamp())


def _route_message(line: str, model: owners.KeyModel) -> Iterator[TimestampedValue[tuple[str, str]]]:
    """A message input to ``(the key it goes to, the input)``, at its cause's time (a message to every
    key of a kind is fanned out by :func:`_fanned_out` instead)."""
    to = owners.message_to(line[1:])
    if model.broadcast_kind(to) is None:
        yield TimestampedValue((to, line), owners.message_at(line[1:]))


def _fanned_out(
    keyed: PCollection[tuple[str, str]], fed_back: PCollection[str], model: owners.KeyModel
) -> PCollection[tuple[str, str]]:
    """Each message to every key of a kind (``viewer:*``), as an input of each key of that kind that has
    other inputs: a key with none has no state for the message to change."""
    keys = (
        keyed
        | "Keys" >> beam.Map(_key_of).with_output_types(str)
        | "Keys of broadcast kinds" >> beam.Filter(_of_broadcast_kind, model)
        | "Distinct keys" >> beam.Distinct()
    )
    fanned: PCollection[tuple[str, str]] = fed_back | "Fan out broadcasts" >> beam.FlatMap(
        _to_every_key, beam.pvalue.AsList(keys), model
    )
    return fanned


def _key_of(element: tuple[str, str]) -> str:
    return element[0]


def _of_broadcast_kind(key: str, model: owners.KeyModel) -> bool:
    return owners.kind_of(key) in model.broadcast_kinds()


def _to_every_key(line: str, keys: list[str], model: owners.KeyModel) -> Iterator[TimestampedValue[tuple[str, str]]]:
    kind = model.broadcast_kind(owners.message_to(line[1:]))
    if kind is not None:
        at = owners.message_at(line[1:])
        for key in sorted(keys):
            if owners.kind_of(key) == kind:
                yield TimestampedValue((key, line), at)


class _Clock:
    """The timers' times, in whole microseconds: an input is due at its time plus the allowed lateness,
    rounded up to the tick, and no later than the key's end (the fest's end plus the lateness)."""

    __slots__ = ("end", "lateness", "tick")

    def __init__(self, fest: Fest, tick: timedelta | None) -> None:
        self.lateness = _micros(fest.allowed_lateness)
        self.tick = None if tick is None else max(_micros(tick), 1)
        self.end = round(fest.ends_at.timestamp() * _MICROS) + self.lateness

    def due(self, at: float) -> int:
        if self.tick is None:
            return self.end
        late = round(at * _MICROS) + self.lateness
        return min(math.ceil(late / self.tick) * self.tick, self.end)


class _ApplyKeys(beam.DoFn):
    """The stateful DoFn of one owner kind: buffers a key's inputs, applies them when due (see the module).

    One event-time timer per key, set to the earliest time an input is due, else to the key's end; a
    firing at or after the end applies every input left and advances the key's engine to the end.
    """

    INPUTS = BagStateSpec("inputs", TupleCoder((VarIntCoder(), StrUtf8Coder())))
    ENGINE = ReadModifyWriteStateSpec("engine", BytesCoder())
    EMITTED = ReadModifyWriteStateSpec("emitted", VarIntCoder())
    #: when the key's timer is set for (whole microseconds)
    NEXT = ReadModifyWriteStateSpec("next", VarIntCoder())
    DUE = TimerSpec("due", TimeDomain.WATERMARK)

    def __init__(self, fest: Fest, tick: timedelta | None, model: owners.KeyModel) -> None:
        super().__init__()
        self._fest = fest
        self._clock = _Clock(fest, tick)
        self._model = model

    def process(
        self,
        element: tuple[str, str],
        timestamp: Any = beam.DoFn.TimestampParam,
        inputs: Any = beam.DoFn.StateParam(INPUTS),
        following: Any = beam.DoFn.StateParam(NEXT),
        timer: Any = beam.DoFn.TimerParam(DUE),
    ) -> None:
        _key, line = element
        when = self._clock.due(timestamp.micros / _MICROS)
        inputs.add((when, line))
        current = following.read()
        if current is None or when < current:
            timer.set(Timestamp(micros=when))
            following.write(when)

    @on_timer(DUE)
    def on_due(
        self,
        key: Any = beam.DoFn.KeyParam,
        fired: Any = beam.DoFn.TimestampParam,
        inputs: Any = beam.DoFn.StateParam(INPUTS),
        engine: Any = beam.DoFn.StateParam(ENGINE),
        emitted: Any = beam.DoFn.StateParam(EMITTED),
        following: Any = beam.DoFn.StateParam(NEXT),
        timer: Any = beam.DoFn.TimerParam(DUE),
    ) -> Iterator[Any]:
        at_end = fired.micros >= self._clock.end
        buffered = list(inputs.read())
        ready = [line for when, line in buffered if at_end or when <= fired.micros]
        waiting = [(when, line) for when, line in buffered if not at_end and when > fired.micros]
        inputs.clear()
        for item in waiting:
            inputs.add(item)
        if waiting:  # the next input due
            after: int | None = min(when for when, _line in waiting)
        else:  # nothing waits: the end, unless this was it
            after = None if at_end else self._clock.end
        if after is None:
            following.clear()
        else:
            timer.set(Timestamp(micros=after))
            following.write(after)
        if ready or at_end:
            yield from self._run(key, ready, engine, emitted, end=at_end)

    def _run(
        self,
        key: str,
        lines: list[str],
        engine: ReadModifyWriteRuntimeState,
        emitted: ReadModifyWriteRuntimeState,
        *,
        end: bool,
    ) -> Iterator[Any]:
        run: KeyRun = run_key(self._fest, key, engine.read(), emitted.read() or 0, lines, end=end, model=self._model)
        engine.write(run.state)
        emitted.write(run.emitted)
        yield from _emitted(run)


class _ApplyGathered(beam.DoFn):
    """Bounded input: one owner kind's keys, each with all its inputs gathered, each run once from nothing
    to the fest's end (what a key's one firing at the end does in :class:`_ApplyKeys`)."""

    def __init__(self, fest: Fest, model: owners.KeyModel) -> None:
        super().__init__()
        self._fest = fest
        self._model = model

    def process(self, element: tuple[str, Iterable[str]]) -> Iterator[Any]:
        key, lines = element
        yield from _emitted(run_key(self._fest, key, None, 0, lines, end=True, model=self._model))


def _emitted(run: KeyRun) -> Iterator[Any]:
    """What a key's run emitted, on the DoFn's outputs."""
    yield from run.outcomes
    for record in run.journal:
        yield TaggedOutput(JOURNAL, record)
    for _to, line in run.messages:
        yield TaggedOutput(MESSAGES, line)


class RunFest(beam.PTransform[Any, dict[str, PCollection[str]]]):
    """Run a fest over a ``PCollection`` of events: ``events | RunFest(fest)``, or
    ``{"events": events, "messages": fed_back} | RunFest(fest)``; gives a dict of four ``PCollection``\\ s
    of JSON text, by :data:`TAGS` (see the module).

    ``fest``: a compiled fest or a pack's path. ``tick``: how far apart in event time a key's firings
    are at least (a key applies its due inputs once per tick; default one hour); ``None``: a key
    applies everything once, when the watermark passes the fest's end (what a bounded input does
    anyway, as its watermark passes every time at once). ``model``: how the fest's state is owned
    (default: :class:`festengine.beam.owners.KeyModel`'s). ``bounded``: the inputs are bounded and
    each key applies them all at once (the ``tick`` is not used): each owner kind's keys gather their
    inputs (a ``GroupByKey``) and each key runs once from nothing to the fest's end, instead of the
    stateful ``DoFn``. On the DirectRunner a stateful key's timer may fire once the inputs of one
    source are in, before those of another source (the messages fed back) reach it, so the rounds
    of a bounded run gather.
    """

    def __init__(
        self,
        fest: Fest | str | os.PathLike[str],
        *,
        tick: timedelta | None = timedelta(hours=1),
        model: owners.KeyModel | None = None,
        bounded: bool = False,
    ) -> None:
        super().__init__()
        self._fest = fest if isinstance(fest, Fest) else load_fest(fest)
        self._model = model or owners.KeyModel()
        self._bounded = bounded
        if tick is not None and tick <= timedelta(0):
            raise ValueError(f"tick must be positive, not {tick}")
        self._tick = tick

    def expand(self, inputs: Any) -> dict[str, PCollection[str]]:
        events, fed_back = (inputs["events"], inputs.get("messages")) if isinstance(inputs, dict) else (inputs, None)
        routed = events | "Route events" >> beam.ParDo(_RouteEvents(self._fest, self._model)).with_outputs(
            PROBLEMS, main="keyed"
        )
        keyed = [routed.keyed]
        if fed_back is not None:
            keyed.append(fed_back | "Route messages" >> beam.FlatMap(_route_message, self._model))
        merged = keyed | "Inputs" >> beam.Flatten()
        if fed_back is not None and self._model.broadcast_kinds():
            merged = [merged, _fanned_out(merged, fed_back, self._model)] | "With broadcasts" >> beam.Flatten()
        results: dict[str, list[PCollection[str]]] = {tag: [] for tag in (OUTCOMES, JOURNAL, MESSAGES)}
        for kind in self._model.owner_kinds():
            taken = merged | f"Take {kind} keys" >> beam.Filter(_of_kind, kind).with_output_types(_KeyedInput)
            if self._bounded:
                applied = (
                    taken
                    | f"Gather {kind} keys' inputs" >> beam.GroupByKey()
                    | f"Apply {kind} keys"
                    >> beam.ParDo(_ApplyGathered(self._fest, self._model)).with_outputs(
                        JOURNAL, MESSAGES, main=OUTCOMES
                    )
                )
            else:
                applied = taken | f"Apply {kind} keys" >> beam.ParDo(
                    _ApplyKeys(self._fest, self._tick, self._model)
                ).with_outputs(JOURNAL, MESSAGES, main=OUTCOMES)
            for tag, pcolls in results.items():
                pcolls.append(applied[tag])
        gathered = {tag: pcolls | f"All {tag}" >> beam.Flatten() for tag, pcolls in results.items()}
        return {**gathered, PROBLEMS: routed[PROBLEMS]}


def _of_kind(element: tuple[str, str], kind: str) -> bool:
    return owners.kind_of(element[0]) == kind


def _micros(duration: timedelta) -> int:
    return (duration.days * 86_400 + duration.seconds) * _MICROS + duration.microseconds
