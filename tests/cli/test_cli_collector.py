"""The shell, not the model, tunes the garbage collector: for replay, ingest and simulate, and only while they run."""

from __future__ import annotations

import argparse
import gc
import io
from pathlib import Path
from typing import IO

import pytest

from festengine import cli
from festengine._collector import LONG_RUN_THRESHOLDS, long_run_collector

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "missions" / "community-fest"


def _settings() -> tuple[tuple[int, int, int], int]:
    return gc.get_threshold(), gc.get_freeze_count()


@pytest.mark.parametrize(
    ("command", "tuned"),
    [("replay", True), ("ingest", True), ("simulate", True), ("validate", False), ("explain", False)],
)
def test_long_runs_collect_rarely_and_restore_the_settings(
    command: str, tuned: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[tuple[tuple[int, int, int], int]] = []

    def record(_args: argparse.Namespace, _out: IO[str]) -> int:
        seen.append(_settings())
        return 0

    monkeypatch.setattr(cli, f"_cmd_{command}", record)
    argv = {
        "replay": ["replay", str(PACK), "events.jsonl"],
        "ingest": ["ingest", str(PACK), "events.jsonl", "--db", str(tmp_path / "s.db")],
        "simulate": ["simulate", str(PACK)],
        "validate": ["validate", str(PACK)],
        "explain": ["explain", str(PACK)],
    }[command]
    before = _settings()
    assert cli.main(argv, out=io.StringIO()) == 0
    assert _settings() == before
    ((thresholds, frozen),) = seen
    if tuned:
        assert thresholds == LONG_RUN_THRESHOLDS
        assert frozen > 0  # the fest and the imported modules are left out of the collector's passes
    else:
        assert (thresholds, frozen) == before


def test_the_settings_are_restored_when_the_run_fails() -> None:
    before = _settings()
    during: list[tuple[int, int, int]] = []

    def failing_run() -> None:
        with long_run_collector():
            during.append(gc.get_threshold())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        failing_run()
    assert during == [LONG_RUN_THRESHOLDS]
    assert _settings() == before


def test_the_model_never_touches_the_collector() -> None:
    """engine/, economy/ and social/ do not import gc: collector tuning belongs to the shell."""
    model = ROOT / "src" / "festengine"
    for folder in ("engine", "economy", "social"):
        for path in sorted((model / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            assert "import gc" not in text, path
            assert "from gc " not in text, path
