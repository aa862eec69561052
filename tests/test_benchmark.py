"""The engine benchmark (`make bench`) runs and reports what issue 3 asks, on a small workload.

It is a benchmark, not a timed test: nothing here asserts a speed, only that it runs, reports the
keys it promises, and that its reference and floor count what they say they count.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from festengine import load_fest
from festengine.catalog.model import Subject
from festengine.events import dumps_event
from festengine.sim import workload_events

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "engine.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("festengine_benchmark", BENCHMARK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_json_report_has_the_keys_issue_3_names(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    bench.main(["--events", "1500", "--viewers", "200", "--creators", "10", "--json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    for key in ("events_per_s", "jsonl_events_per_s", "reference_events_per_s", "ratio_to_reference",
                "bytes_per_viewer", "floor_events_per_s", "floor_jsonl_events_per_s"):  # fmt: skip
        assert report[key] > 0, key
    assert report["events"] == 1500 + report["stream_lifecycle_events"]
    assert report["ratio_rounds"] == 10  # the engine and the reference alternate round by round
    assert 0 < report["ratio_min"] <= report["ratio_median"] <= report["ratio_max"]
    assert report["ledger_balanced"] is True
    assert report["build"] in ("pure", "compiled")
    assert not any(key.startswith("compiled_") for key in report)  # only with --compiled-python


def test_the_floor_counts_each_new_event_once_per_viewer_mission_of_its_type(bench: ModuleType) -> None:
    fest = load_fest(bench.PACK)
    events = list(workload_events(fest, viewers=50, creators=4, events=800, seed=3))
    per_type = {t: sum(m.subject is Subject.VIEWER for m in ms) for t, ms in fest.missions_by_event.items()}
    parsed, from_lines = bench.Floor(fest), bench.Floor(fest)
    for event in [*events, *events[:100]]:  # the repeated ids count nothing
        parsed.apply(event)
        from_lines.apply_line(dumps_event(event))
    assert sum(parsed.progress.values()) == sum(per_type.get(e.type, 0) for e in events)
    assert from_lines.progress == parsed.progress
    assert len(parsed.seen) == len(events)


def test_compiled_figures_come_only_from_a_compiled_build(bench: ModuleType) -> None:
    """--compiled-python runs the benchmark with that interpreter and refuses one that runs the pure build."""
    small = ["--events", "300", "--viewers", "30", "--creators", "3"]
    if bench.build_name() == "compiled":
        figures = bench.compiled_figures(sys.executable, small)
        assert set(figures) == {f"compiled_{key}" for key in bench.COMPILED_KEYS}
    else:
        with pytest.raises(SystemExit, match="runs the pure build, not a compiled one"):
            bench.compiled_figures(sys.executable, small)
