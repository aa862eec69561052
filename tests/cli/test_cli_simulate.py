"""``festengine simulate`` on the command line: impossible sizes are refused as usage errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from festengine.cli import main

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


def test_more_days_than_the_fest_has_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--days 400 on a 21-day fest: exit 2, argparse's usage line and a message naming the limit;
    nothing is written (it used to be cut to 21 days without a word)."""
    out = tmp_path / "out"
    code = main(["simulate", str(PACK), "--days", "400", "--out", str(out)])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0].startswith("usage: festengine simulate [-h]")
    assert lines[-1] == (
        "festengine simulate: error: days must be between 1 and 21 "
        "(the fest 'community_fest_2026' has 21 days), not 400"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--seeds", "1", "argument --seeds: must be at least 2, not 1"),
        ("--days", "0", "argument --days: must be at least 1, not 0"),
        ("--viewers", "-5", "argument --viewers: must be at least 1, not -5"),
        ("--creators", "many", "argument --creators: 'many' is not a whole number"),
    ],
)
def test_impossible_sizes_are_refused_by_argparse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    """A size below its minimum never reaches the simulator: argparse exits 2 with the reason."""
    with pytest.raises(SystemExit) as caught:
        main(["simulate", str(PACK), option, value, "--out", str(tmp_path / "out")])
    assert caught.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"festengine simulate: error: {message}"
    assert not (tmp_path / "out").exists()


def test_seeds_runs_consecutive_seeds_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--seed 3 --seeds 2 runs seeds 3 and 4; the summary says which run the detailed figures are."""
    out = tmp_path / "out"
    code = main(["simulate", str(PACK), "--viewers", "60", "--creators", "3", "--days", "1", "--seed", "3",
                 "--seeds", "2", "--out", str(out)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "seeds 3 to 4 (2 runs, the others in " in printed
    assert "the figures above are seed 3's" in printed
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "timings.json"]
