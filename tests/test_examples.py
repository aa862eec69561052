"""Every runnable example in examples/ runs and says what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from festengine.testing.scenario import run_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _run(name: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own examples, run by this interpreter
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart_completes_a_mission_and_keeps_the_books_balanced() -> None:
    """The quick start shows a duplicate, a completed mission, points and balanced books."""
    out = _run("quickstart.py")
    assert "e2: duplicate" in out
    assert "missions completed: daily_like_tapper" in out
    assert "points: 5" in out
    assert "books balance: True" in out


def test_snapshot_restore_example_resumes_identically() -> None:
    """The snapshot example's resumed run is byte-identical to the uninterrupted one."""
    assert "identical to the whole run: True" in _run("snapshot_restore.py")


@pytest.mark.parametrize("scenario", sorted((EXAMPLES / "scenarios").glob("scenario_*.yaml")), ids=lambda p: p.stem)
def test_example_scenarios_pass(scenario: Path) -> None:
    """Each example scenario's expectations hold."""
    result = run_scenario(scenario)
    assert result.passed, result.failures
