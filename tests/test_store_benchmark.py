"""The store benchmark (``benchmarks/store.py``) runs and reports its keys on a tiny workload.

A benchmark, not a timed test: nothing here asserts a speed.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "store.py"


def test_the_json_report_has_every_batch_size_and_the_http_rate(capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints events/s and the ratio to the engine for batches of 1, 100 and 1,000, and HTTP events/s."""
    pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    spec = importlib.util.spec_from_file_location("festengine_store_benchmark", BENCHMARK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.main(["--events", "300", "--viewers", "30", "--creators", "3", "--rounds", "1", "--json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    for name in ("engine", "store_batch_1", "store_batch_100", "store_batch_1000"):
        assert report[name]["events_per_cpu_s"] > 0, name
        assert report[name]["ratio_to_engine"] > 0, name
    assert report["http_events_per_s"] > 0
    assert report["events"] > 300
