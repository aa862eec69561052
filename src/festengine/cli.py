"""The ``festengine`` command: init, validate, schema, explain, replay and simulate fest packs;
ingest, serve and back up durable stores; read their analytics (creators fit, streams best); run a
fest on Apache Beam (pipeline).

Exit codes: 0 success; 1 the input is invalid (problems, malformed event lines, rejected events with
``--strict``); 2 the command line itself is wrong (argparse's convention).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from festengine import __version__
from festengine._collector import long_run_collector
from festengine.errors import EventParseError, FestEngineError, FestValidationError

__all__ = ["main"]

#: The commands that run through many events: the collector is tuned for them (``festengine._collector``).
_LONG_RUNS = frozenset({"replay", "ingest", "simulate"})
#: The command that passes the options it does not know on (to Apache Beam).
_PASSES_OPTIONS_ON = "pipeline"


class Progress:
    """A one-line progress bar on a terminal; silent when the stream is not one."""

    def __init__(self, stream: IO[str], total: int | None, label: str, *, enabled: bool | None = None) -> None:
        self.stream = stream
        self.total = total
        self.label = label
        self.enabled = stream.isatty() if enabled is None else enabled
        self._last = -1

    def update(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        total = total if total is not None else self.total
        if total:
            percent = min(100, done * 100 // total)
            if percent == self._last:
                return
            self._last = percent
            filled = percent * 30 // 100
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {done:,}/{total:,}")
        elif done % 10_000 == 0:
            self.stream.write(f"\r{self.label} {done:,}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _summary_line(path: str, fest: Any) -> str:
    rules = len(fest.commission.rules)
    return (
        f"{path}: ok: fest {fest.id!r}: {len(fest.missions)} missions, {len(fest.journeys)} journeys, "
        f"{len(fest.badges)} badges, {len(fest.economy.gifts)} gifts, {rules} commission rules, "
        f"{len(fest.promotions)} promotions"
    )


def _cmd_validate(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.catalog.loader import load_fest

    failed = False
    report: list[dict[str, Any]] = []
    for path in args.paths:
        try:
            fest = load_fest(path)
        except FestValidationError as error:
            failed = True
            report.append({"path": path, "ok": False, "problems": [p.as_dict() for p in error.problems]})
            if args.format == "text":
                for problem in error.problems:
                    out.write(f"{problem}\n")
            continue
        report.append({"path": path, "ok": True, "fest": fest.id, "missions": len(fest.missions),
                       "journeys": len(fest.journeys), "badges": len(fest.badges),
                       "gifts": len(fest.economy.gifts), "commission_rules": len(fest.commission.rules)})  # fmt: skip
        if args.format == "text":
            out.write(_summary_line(path, fest) + "\n")
    if args.format == "json":
        out.write(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


def _cmd_schema(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.catalog.shipped import shipped_schema_text

    text = shipped_schema_text()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        out.write(text)
    return 0


def _cmd_init(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.catalog.starter import write_starter_pack

    for path in write_starter_pack(args.folder, force=args.force):
        out.write(f"wrote {path}\n")
    out.write(f"check it with: festengine validate {args.folder}\n")
    return 0


def _cmd_explain(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.catalog.explain import explain_fest
    from festengine.catalog.loader import load_fest

    fest = load_fest(args.path)
    if args.mission_id is not None and args.mission_id not in fest.missions:
        from festengine.catalog._suggest import suggest

        hint = suggest(args.mission_id, fest.missions)
        sys.stderr.write(f"festengine: no mission {args.mission_id!r} in {args.path}{hint}\n")
        return 1
    for mission_id, text in explain_fest(fest, args.mission_id):
        out.write(f"{mission_id}: {text}\n")
    return 0


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def _cmd_replay(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.assembly import Engine
    from festengine.catalog.loader import load_fest
    from festengine.engine.outcomes import outcome_to_dict
    from festengine.events import read_events

    fest = load_fest(args.pack)
    engine = Engine(fest)
    events_path = Path(args.events)
    progress = Progress(sys.stderr, _count_lines(events_path) if sys.stderr.isatty() else None, "replay")
    reader = read_events(events_path)
    kinds: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    applied = duplicates = 0
    outcomes_file = Path(args.outcomes).open("w", encoding="utf-8") if args.outcomes else None  # noqa: SIM115
    try:
        for step in engine.apply_many(reader):
            if step.duplicate:  # its one outcome, Duplicate, is not counted again below
                duplicates += 1
            elif (rejection := step.rejected) is not None:
                rejected[rejection.code] += 1
            else:
                applied += 1
            for outcome in step.outcomes:
                kinds[outcome.kind] += 1
                if outcomes_file is not None:
                    outcomes_file.write(json.dumps(outcome_to_dict(outcome), separators=(",", ":")) + "\n")
            progress.update(reader.lines_read)
    finally:
        progress.close()
        if outcomes_file is not None:
            outcomes_file.close()
    if args.snapshot:
        Path(args.snapshot).write_bytes(engine.snapshot())
    _write_summary(
        out,
        events_path,
        _Tally(
            reader.lines_read,
            reader.malformed,
            reader.problem_counts,
            reader.errors,
            applied,
            duplicates,
            rejected,
            kinds,
        ),
    )
    return 1 if reader.malformed or (args.strict and rejected) else 0


@attrs.frozen
class _Tally:
    """What a run over a JSON Lines file did: the summary ``replay`` and ``ingest`` print."""

    lines_read: int
    malformed: int
    problem_counts: Counter[str]
    errors: list[EventParseError]  # the first few malformed lines' errors
    applied: int
    duplicates: int
    rejected: Counter[str]
    kinds: Counter[str]


def _write_summary(out: IO[str], events_path: Path, tally: _Tally) -> None:
    out.write(f"events read: {tally.lines_read:,} lines, {tally.malformed:,} malformed\n")
    for kind, count in sorted(tally.problem_counts.items()):
        out.write(f"  {kind}: {count:,}\n")
    out.write(f"applied: {tally.applied:,}\nduplicates: {tally.duplicates:,}\n")
    out.write(f"rejected: {sum(tally.rejected.values()):,}\n")
    for code, count in sorted(tally.rejected.items()):
        out.write(f"  {code}: {count:,}\n")
    out.write(f"missions completed: {tally.kinds['mission_completed']:,}\n")
    out.write(f"badges awarded: {tally.kinds['badge_awarded']:,}\n")
    for error in tally.errors:
        sys.stderr.write(f"{events_path}:{error}\n")
    if tally.malformed > len(tally.errors):
        sys.stderr.write(f"… and {tally.malformed - len(tally.errors):,} more malformed lines\n")


def _cmd_simulate(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.sim.run import simulate_to_dir
    from festengine.sim.simulator import SimulationError

    progress = Progress(sys.stderr, None, "simulate")
    try:
        summary = simulate_to_dir(
            args.pack,
            viewers=args.viewers,
            creators=args.creators,
            days=args.days,
            seed=args.seed,
            out_dir=Path(args.out),
            write_events=args.events,
            write_outcomes=args.outcomes,
            progress=progress.update,
            seeds=args.seeds,
        )
    except SimulationError as error:  # an impossible size, such as more days than the fest has
        sys.stderr.write(f"{args.usage}festengine simulate: error: {error}\n")
        return 2
    finally:
        progress.close()
    out.write(f"{summary}\n")
    out.write(f"report: {Path(args.out) / 'report.html'}\n")
    return 0


def _cmd_pipeline(args: argparse.Namespace, out: IO[str]) -> int:
    try:
        from festengine.beam import run_pipeline
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("apache_beam"):
            raise
        sys.stderr.write("festengine pipeline needs Apache Beam: pip install 'festengine[beam]'\n")
        return 1
    options = [f"--runner={args.runner}", *args.beam_options]
    run = run_pipeline(args.pack, args.events, args.out, options=options, tick=args.tick)
    summary = run.summary
    out.write(f"rounds: {run.rounds}\n")
    out.write(f"events read: {summary['events']:,} lines, {summary['malformed']:,} malformed\n")
    out.write(f"keys: {summary['keys']:,}\nmessages between keys: {summary['messages']:,}\n")
    out.write(f"outcomes: {sum(summary['outcomes'].values()):,}\njournal entries: {summary['journal_entries']:,}\n")
    balance = ", ".join(f"{amount} {currency}" for currency, amount in summary["trial_balance"].items())
    out.write(f"trial balance: {balance or 'no entries'}\n")
    for problem in run.problems:
        sys.stderr.write(f"{args.events}: {problem}\n")
    out.write(f"wrote: {Path(args.out) / 'outcomes.jsonl'}, journal.jsonl, summary.json\n")
    return 1 if summary["malformed"] else 0


def _duration(text: str) -> Any:
    """An argparse type: a positive duration written like ``15m``, ``1h`` or ``1d``."""
    from festengine.catalog._values import _parse_duration

    try:
        duration = _parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if not duration:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive duration")
    return duration


def _add_pipeline_command(commands: Any) -> None:
    pipeline = commands.add_parser(
        "pipeline",
        help="run a fest over a JSON Lines file of events on Apache Beam (needs festengine[beam])",
        description="Run a fest over a JSON Lines file of events on Apache Beam, state owned by keys, in rounds "
        "until the messages between keys no longer change; write outcomes.jsonl, journal.jsonl and summary.json. "
        "Options this command does not know are passed on to Beam (--direct_num_workers=2, --project=...).",
    )
    pipeline.add_argument("pack", metavar="PACK")
    pipeline.add_argument("events", metavar="EVENTS.jsonl")
    pipeline.add_argument("--out", required=True, metavar="DIR", help="the folder to write the three files into")
    pipeline.add_argument("--runner", default="DirectRunner", help="the Beam runner (default: DirectRunner)")
    pipeline.add_argument("--tick", type=_duration, default=None,
                          help="run the stateful DoFn, each key applying its due inputs once per TICK of event "
                               "time (15m, 1h...); default: each key gathers its inputs and applies them once, "
                               "with the same result")  # fmt: skip
    pipeline.set_defaults(run=_cmd_pipeline, beam_options=[])


def _at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        return value

    return parse


def _cmd_test(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.testing.scenario import run_scenario

    failed = 0
    for path in args.scenarios:
        result = run_scenario(path)
        out.write(f"{'PASS' if result.passed else 'FAIL'} {path}: {result.name}\n")
        for failure in result.failures:
            out.write(f"  - {failure}\n")
        failed += not result.passed
    passed = len(args.scenarios) - failed
    out.write(f"scenarios: {passed} passed, {failed} failed\n")
    return 1 if failed else 0


def _cmd_ingest(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.catalog.loader import load_fest
    from festengine.store import FestStore
    from festengine.store.ingest import ingest_file

    fest = load_fest(args.pack)
    events_path = Path(args.events)
    progress = Progress(sys.stderr, _count_lines(events_path) if sys.stderr.isatty() else None, "ingest")
    with FestStore.open(args.db, fest, snapshot_every=args.snapshot_every) as store:
        try:
            summary = ingest_file(store, events_path, batch=args.batch, progress=progress.update)
        finally:
            progress.close()
        if args.snapshot:
            Path(args.snapshot).write_bytes(store.engine.snapshot())
    if summary.restarted:
        out.write("the file changed since it was last ingested: read from its start (logged events are duplicates)\n")
    elif summary.resumed_after_line:
        out.write(f"resumed after line {summary.resumed_after_line:,} (committed by an earlier run)\n")
    _write_summary(
        out,
        events_path,
        _Tally(
            summary.lines_read,
            summary.malformed,
            summary.problem_counts,
            summary.errors,
            summary.applied,
            summary.duplicates,
            summary.rejected,
            summary.kinds,
        ),
    )
    return 1 if summary.malformed else 0


def _cmd_serve(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.store.serving import serve

    serve(args.pack, args.db, host=args.host, port=args.port)
    return 0


def _cmd_diff(args: argparse.Namespace, out: IO[str]) -> int:
    """What changes from OLD_PACK to NEW_PACK and, given the live state, what the change will do."""
    from festengine.assembly import Engine
    from festengine.catalog.loader import load_fest
    from festengine.engine.upgrade import RULES

    old, new = load_fest(args.old), load_fest(args.new)
    if args.snapshot:
        engine: Engine | None = Engine.restore(old, Path(args.snapshot).read_bytes())
    elif args.db:
        from festengine.store import FestStore

        with FestStore.open(args.db, old, read_only=True) as store:
            engine = store.engine
            if store.fest.fingerprint != old.fingerprint:
                out.write(f"the store runs a later pack (version {len(store.pack_versions.upgrades) + 1}): from it\n")
    else:
        engine = None
    if engine is None:
        from festengine.catalog.diff import ChangeKind, diff_fests

        diff = diff_fests(old, new)
        lines = [f"{c.describe()}: {RULES[c.kind]}" for c in diff.changes if c.kind is not ChangeKind.REFUSED]
        refusals = [c.describe() for c in diff.refused]
    else:
        plan = engine.plan_upgrade(new)
        diff, refusals = plan.diff, list(plan.refusals)
        lines = [line for line in plan.lines() if not line.startswith("refused: ")]
    out.write(f"{args.old} → {args.new}: {len(diff.changes)} change{'s' * (len(diff.changes) != 1)}\n")
    for line in lines:
        out.write(f"  {line}\n")
    for reason in refusals:
        out.write(f"  refused: {reason}\n")
    if refusals:
        out.write("the change would be refused\n")
    return 1 if refusals else 0


def _cmd_backup(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.store import backup_store

    backup_store(args.db, args.target)
    out.write(f"backed up {args.db} to {args.target}\n")
    return 0


def _age_range(text: str) -> Any:
    """An argparse type: an age range such as ``18-34`` or ``55+``."""
    from festengine.analytics.audience import AgeRange

    try:
        return AgeRange.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _cmd_creators_fit(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.analytics.audience import FitQuery
    from festengine.catalog.loader import load_fest
    from festengine.store import FestStore

    if args.region is None and args.age is None and args.category is None:
        sys.stderr.write(f"{args.usage}festengine creators fit: error: name --region, --age and/or --category\n")
        return 2
    query = FitQuery(region=args.region, age=args.age, category=args.category, min_sample=args.min_sample)
    with FestStore.open(args.db, load_fest(args.pack), read_only=True) as store:
        ranking = store.analytics.audience.fit(query)
    if args.json:
        out.write(json.dumps(ranking.to_dict(), indent=2) + "\n")
        return 0
    out.write("rank  creator                 fit       match  profiled  buyers  in category\n")
    for c in ranking.creators:
        share = "" if c.category_share is None else f"{c.category_buyers} ({c.category_share:.0%})"
        match = "" if c.audience_match is None else f"{c.audience_match:.0%}"
        out.write(
            f"{c.rank:>4}  {c.creator_id:<22}  {c.fit:<8.4f}  {match:>5}  {c.profiled:>8}  {c.buyers:>6}  {share}\n"
        )
    if ranking.too_few:
        out.write(
            f"not ranked (fewer than {query.min_sample} profiled viewers or buyers): {', '.join(ranking.too_few)}\n"
        )
    return 0


def _cmd_streams_best(args: argparse.Namespace, out: IO[str]) -> int:
    from festengine.analytics.repurpose import best_streams
    from festengine.catalog.loader import load_fest
    from festengine.store import FestStore

    with FestStore.open(args.db, load_fest(args.pack), read_only=True) as store:
        dashboard = store.analytics.dashboard.current()
    listed = best_streams(dashboard, by=args.by, limit=args.limit, min_views=args.min_views)
    if args.json:
        out.write(json.dumps([s.to_dict() for s in listed], indent=2) + "\n")
        return 0
    out.write(f"rank  stream                  creator         {args.by:>16}   views  orders  GMV\n")
    for s in listed:
        out.write(f"{s.rank:>4}  {s.stream_id:<22}  {s.creator_id or '':<14}  {s.value!s:>16}  {s.views:>6}  "
                  f"{s.orders:>6}  {s.gmv} {dashboard.currency}\n")  # fmt: skip
    if not listed:
        out.write(f"no stream has {args.min_views:,} views or more\n")
    return 0


def _add_dashboard_commands(commands: Any) -> None:
    """``creators fit`` and ``streams best``: the store's analytics, read while it serves."""
    from festengine.analytics.repurpose import MEASURES

    creators = commands.add_parser("creators", help="creators' audiences in a store (creators fit)")
    creator_commands = creators.add_subparsers(dest="creators_command", required=True, metavar="COMMAND")
    fit = creator_commands.add_parser("fit", help="rank creators by how well their audience matches a target")
    fit.add_argument("pack", metavar="PACK")
    fit.add_argument("--db", required=True, metavar="FILE", help="the store (SQLite), opened read-only")
    fit.add_argument("--region", help="the viewers' region, as viewer_profile events give it (e.g. US)")
    fit.add_argument("--age", type=_age_range, help="an age range: 18-34 or 55+")
    fit.add_argument("--category", help="a product category the creator's buyers bought")
    fit.add_argument("--min-sample", type=_at_least(1), default=5, metavar="N",
                     help="rank only creators with N profiled viewers (and N buyers for --category); 5")  # fmt: skip
    fit.add_argument("--json", action="store_true", help="print the ranking as JSON")
    fit.set_defaults(run=_cmd_creators_fit, usage=fit.format_usage())

    streams = commands.add_parser("streams", help="streams in a store (streams best: the ones to repurpose)")
    stream_commands = streams.add_subparsers(dest="streams_command", required=True, metavar="COMMAND")
    best = stream_commands.add_parser("best", help="the streams that did best, to repurpose after the fest")
    best.add_argument("pack", metavar="PACK")
    best.add_argument("--db", required=True, metavar="FILE", help="the store (SQLite), opened read-only")
    best.add_argument("--by", choices=MEASURES, default="gpm", help="the measure (gpm)")
    best.add_argument("--limit", type=_at_least(1), default=10, metavar="N", help="how many streams (10)")
    best.add_argument("--min-views", type=_at_least(0), default=100, metavar="N",
                      help="list only streams with N views or more (100)")  # fmt: skip
    best.add_argument("--json", action="store_true", help="print the list as JSON")
    best.set_defaults(run=_cmd_streams_best)


def _add_store_commands(commands: Any) -> None:
    """``ingest``, ``serve`` and ``backup``: the durable store's commands."""
    ingest = commands.add_parser(
        "ingest", help="apply a JSON Lines file through a durable store (resumable; exit 1 if lines were malformed)"
    )
    ingest.add_argument("pack", metavar="PACK")
    ingest.add_argument("events", metavar="EVENTS.jsonl")
    ingest.add_argument("--db", required=True, metavar="FILE", help="the store (SQLite), created if missing")
    ingest.add_argument("--snapshot", metavar="OUT", help="write the final engine snapshot")
    ingest.add_argument("--batch", type=int, default=1000, metavar="N", help="events per transaction (1000)")
    ingest.add_argument("--snapshot-every", type=int, default=10_000, metavar="N", help="events between snapshots")
    ingest.set_defaults(run=_cmd_ingest)

    serve = commands.add_parser(
        "serve",
        help="serve a store over HTTP (needs festengine[serve]); POST /admin/pack when FESTENGINE_ADMIN_TOKEN is set",
    )
    serve.add_argument("pack", metavar="PACK")
    serve.add_argument("--db", required=True, metavar="FILE", help="the store (SQLite), created if missing")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_cmd_serve)

    diff = commands.add_parser(
        "diff", help="what changes between two packs and what it does to a running fest (exit 1 if refused)"
    )
    diff.add_argument("old", metavar="OLD_PACK")
    diff.add_argument("new", metavar="NEW_PACK")
    live = diff.add_mutually_exclusive_group()
    live.add_argument("--snapshot", metavar="FILE", help="the live state: an engine snapshot on OLD_PACK")
    live.add_argument("--db", metavar="FILE", help="the live state: a store created with OLD_PACK (read only)")
    diff.set_defaults(run=_cmd_diff)

    backup = commands.add_parser("backup", help="copy a store with SQLite's online backup (while it runs)")
    backup.add_argument("--db", required=True, metavar="FILE", help="the store to copy")
    backup.add_argument("target", metavar="OUT", help="the new file to write")
    backup.set_defaults(run=_cmd_backup)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="festengine", description="Run and check gamified live-shopping fests.")
    parser.add_argument("--version", action="version", version=f"festengine {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check fest packs and report every problem")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="a pack: a YAML file or a folder of them")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(run=_cmd_validate)

    init = commands.add_parser("init", help="write a small commented starter pack into a new folder")
    init.add_argument("folder", metavar="DIR")
    init.add_argument("--force", action="store_true", help="write into DIR even if it is not empty")
    init.set_defaults(run=_cmd_init)

    schema = commands.add_parser("schema", help="print the JSON Schema of a fest pack (the file festengine ships)")
    schema.add_argument("--output", "-o", help="write to this file instead of standard output")
    schema.set_defaults(run=_cmd_schema)

    explain = commands.add_parser("explain", help="describe a pack's missions in plain language")
    explain.add_argument("path", metavar="PATH")
    explain.add_argument("mission_id", nargs="?", metavar="MISSION_ID")
    explain.set_defaults(run=_cmd_explain)

    replay = commands.add_parser(
        "replay",
        help="apply a JSON Lines file of events and summarize",
        description="Apply a JSON Lines file of events and summarize. Malformed lines are counted by problem "
        "(the first 20 shown on standard error) and skipped; they make the exit code 1.",
    )
    replay.add_argument("pack", metavar="PACK")
    replay.add_argument("events", metavar="EVENTS.jsonl")
    replay.add_argument("--outcomes", metavar="FILE", help="write every outcome as JSON Lines")
    replay.add_argument("--snapshot", metavar="FILE", help="write the final engine snapshot")
    replay.add_argument("--strict", action="store_true", help="also exit 1 if any event was rejected")
    replay.set_defaults(run=_cmd_replay)

    simulate = commands.add_parser("simulate", help="simulate a whole fest and write a report")
    simulate.add_argument("pack", metavar="PACK")
    simulate.add_argument("--viewers", type=_at_least(1), default=2000)
    simulate.add_argument("--creators", type=_at_least(1), default=40)
    simulate.add_argument("--days", type=_at_least(1), default=None,
                          help="simulate only the first N fest days (at most the fest's length)")  # fmt: skip
    simulate.add_argument("--seed", type=int, default=1)
    simulate.add_argument("--seeds", type=_at_least(2), default=1, metavar="K",
                          help="run K seeds (--seed, --seed + 1, ...) and show headline figures as ranges")  # fmt: skip
    simulate.add_argument("--out", default="build/simulation", help="folder for report.html and report.json")
    simulate.add_argument("--events", action="store_true", help="also write events.jsonl")
    simulate.add_argument("--outcomes", action="store_true", help="also write outcomes.jsonl")
    simulate.set_defaults(run=_cmd_simulate, usage=simulate.format_usage())

    _add_store_commands(commands)
    _add_dashboard_commands(commands)
    _add_pipeline_command(commands)

    test = commands.add_parser("test", help="run YAML scenario files (given these events, expect these outcomes)")
    test.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml")
    test.set_defaults(run=_cmd_test)
    return parser


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        if args.command != _PASSES_OPTIONS_ON:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        args.beam_options = unknown
    stream = out if out is not None else sys.stdout
    run: Callable[[argparse.Namespace, IO[str]], int] = args.run
    collector = long_run_collector() if args.command in _LONG_RUNS else contextlib.nullcontext()
    try:
        with collector:
            return run(args, stream)
    except FestValidationError as error:
        for problem in error.problems:
            sys.stderr.write(f"{problem}\n")
        return 1
    except FestEngineError as error:
        sys.stderr.write(f"festengine: {error}\n")
        return 1
    except OSError as error:
        sys.stderr.write(f"festengine: {error}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
