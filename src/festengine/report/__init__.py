"""The simulation report: ``report.html`` (one self-contained page that opens offline) and ``report.json``.

``write_report(out_dir, data)`` writes both. The JSON needs nothing beyond festengine; the HTML
draws its charts with plotly, the optional extra ``festengine[report]``, imported only here: without
it, ``report.json`` is still written and a :class:`ReportDependencyError` says how to install plotly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs

from festengine.report.charts import ReportDependencyError, plotly_modules
from festengine.report.data import ReportData
from festengine.report.html import SECTIONS, render_html

__all__ = ["SECTIONS", "ReportData", "ReportDependencyError", "ReportFiles", "write_json", "write_report"]


@attrs.frozen(slots=True)
class ReportFiles:
    html: Path
    json: Path


def write_json(out_dir: str | os.PathLike[str], data: ReportData) -> Path:
    """Write ``report.json`` (every number of the report; money as decimal strings)."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.json"
    path.write_text(json.dumps(data.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_report(out_dir: str | os.PathLike[str], data: ReportData) -> ReportFiles:
    """Write ``report.json`` and ``report.html`` into ``out_dir`` (created if needed)."""
    json_path = write_json(out_dir, data)
    plotly = plotly_modules()
    html_path = Path(out_dir) / "report.html"
    html_path.write_text(render_html(data, plotly), encoding="utf-8")
    return ReportFiles(html_path, json_path)
