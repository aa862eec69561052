"""``festengine streams best`` and ``festengine creators fit``: a store's analytics from the command line,
read-only (so they work while ``festengine serve`` holds the store)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from festengine import load_fest
from festengine.cli import main
from festengine.sim import workload_events
from festengine.store import FestStore

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-dash") / "s.db"
    fest = load_fest(PACK)
    with FestStore.open(path, fest, synchronous="NORMAL") as store:
        store.apply_batch(workload_events(fest, viewers=60, creators=4, events=1500, seed=3, streams=True))
    return path


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_streams_best_lists_the_best_streams_by_each_measure(db: Path) -> None:
    """The JSON list equals the store's own ranking; the table names each listed stream; a writer may hold the store."""
    with FestStore.open(db, load_fest(PACK)) as writer:
        from festengine.analytics.repurpose import best_streams

        expected = [s.to_dict() for s in best_streams(writer.analytics.dashboard.current(), by="conversion",
                                                       limit=3, min_views=1)]  # fmt: skip
        code, text = _run("streams", "best", str(PACK), "--db", str(db), "--by", "conversion", "--limit", "3",
                          "--min-views", "1", "--json")  # fmt: skip
    assert code == 0
    assert json.loads(text) == expected
    assert len(expected) == 3
    code, table = _run("streams", "best", str(PACK), "--db", str(db), "--min-views", "1", "--by", "conversion")
    assert code == 0
    assert table.splitlines()[1].split()[:2] == ["1", expected[0]["stream_id"]]
    code, empty = _run("streams", "best", str(PACK), "--db", str(db), "--min-views", "100000000")
    assert code == 0
    assert "no stream has 100,000,000 views or more" in empty


def test_creators_fit_ranks_or_names_the_creators_it_cannot_rank(db: Path) -> None:
    """Without viewer profiles, a region target ranks nobody and names every creator; a category target
    ranks the creators with buyers."""
    code, text = _run("creators", "fit", str(PACK), "--db", str(db), "--region", "US", "--json")
    assert code == 0
    ranking = json.loads(text)
    assert ranking["creators"] == []
    assert ranking["too_few"]
    code, text = _run("creators", "fit", str(PACK), "--db", str(db), "--category", "electronics", "--min-sample", "1")
    assert code == 0
    assert text.startswith("rank  creator")
    assert "   1  c" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["creators", "fit", str(PACK), "--db", "x.db"],
        ["creators", "fit", str(PACK), "--db", "x.db", "--age", "34-18"],
        ["creators", "fit", str(PACK), "--db", "x.db", "--region", "US", "--min-sample", "0"],
        ["streams", "best", str(PACK), "--db", "x.db", "--by", "likes"],
    ],
)
def test_a_wrong_command_line_exits_2_with_the_reason(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv, out=io.StringIO())
    except SystemExit as exited:  # argparse's own refusals
        code = int(str(exited.code))
    assert code == 2
    assert "error" in capsys.readouterr().err


def test_a_missing_store_is_refused(tmp_path: Path) -> None:
    code, _text = _run("streams", "best", str(PACK), "--db", str(tmp_path / "none.db"))
    assert code == 1
