"""``benchmarks/scale.py`` runs and reports every figure (the keyed core only: the DirectRunner's worker
processes take seconds to start, and the pipeline has its own tests)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip(
    "apache_beam", reason="the Beam pipeline needs the beam extra (pip install 'festengine[beam]'), not installed here"
)

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "scale.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("festengine_scale_benchmark", BENCHMARK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_json_report_has_every_figure(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    bench.main(["--events", "400", "--viewers", "50", "--creators", "4", "--rounds", "1", "--no-beam", "--json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    for key in ("engine", "sharded_1", "sharded_2", "sharded_scaling"):
        assert report[key] > 0, key
    assert report["sharded_rounds"] >= 1
    assert report["keys"] >= 1
    assert not any(key.startswith("beam_") for key in report)  # only without --no-beam
