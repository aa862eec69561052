"""``festengine-tiktoklive run @creator --pack PACK [--db FILE]``: a creator's LIVE into a fest."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from festengine import Fest, FestEngineError, load_fest

from festengine_tiktoklive.feed import Feed
from festengine_tiktoklive.mapping import MappingProblem
from festengine_tiktoklive.runner import Client, follow
from festengine_tiktoklive.sinks import JsonLinesSink, Sink, open_store

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="festengine-tiktoklive", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="follow a creator's LIVE and apply its events to a fest")
    run.add_argument("creator", help="the creator's @handle")
    run.add_argument("--pack", required=True, type=Path, help="the fest pack (a folder or a YAML file)")
    run.add_argument("--db", type=Path, help="festengine's durable store; without it, print JSON Lines")
    run.add_argument("--slot", type=int, default=60, help="watch time is credited per slot of this many seconds")
    run.add_argument("--presence", type=int, default=300, help="a viewer counts as present this long after a sign")
    run.add_argument("--retries", type=int, default=10, help="failed connections in a row before giving up")
    return parser


def _report(problem: MappingProblem) -> None:
    """One JSON line per problem on standard error (standard output may carry the events)."""
    line = {"problem": problem.code, "message_id": problem.message_id, "reason": problem.reason}
    print(json.dumps(line), file=sys.stderr)


@contextlib.contextmanager
def _sink(db: Path | None, fest: Fest) -> Iterator[Sink]:
    if db is None:
        yield JsonLinesSink(sys.stdout)
    else:
        with open_store(db, fest) as store:
            yield store


def _client(creator: str) -> Client:
    from TikTokLive import TikTokLiveClient

    client: Client = TikTokLiveClient(unique_id=creator)
    return client


def main(argv: Sequence[str] | None = None, *, make_client: Callable[[str], Any] = _client) -> int:
    """Run the command line; 0 when the LIVE ended, 2 for a bad pack or option, 1 when following failed."""
    args = _parser().parse_args(argv)
    if not 1 <= args.slot <= 3_600 or not 1 <= args.presence <= 86_400:
        print("error: --slot is 1-3600 seconds and --presence 1-86400", file=sys.stderr)
        return 2
    try:
        fest = load_fest(args.pack)
    except (FestEngineError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    lateness = int(fest.allowed_lateness.total_seconds())
    if args.slot > lateness:
        print(f"error: --slot {args.slot} is longer than the fest's allowed_lateness ({lateness} s)", file=sys.stderr)
        return 2
    try:
        with _sink(args.db, fest) as sink:
            feed = Feed(fest, sink, report=_report, slot=args.slot, presence=args.presence)
            asyncio.run(follow(make_client(args.creator), feed, retries=args.retries))
    except FestEngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.db is None:
        print(f"{feed.sent} events written", file=sys.stderr)
    else:
        applied = feed.sent - feed.duplicates - feed.rejected
        print(f"{applied} events applied, {feed.duplicates} applied before, {feed.rejected} rejected", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
