"""Spike detection: an hour far above a creator's own recent normal.

For each creator and metric (gift coins, product clicks, conversions = orders), each closed local
hour in which the creator was active is compared with a **trailing baseline**: the creator's last
``window`` active hours (hours without any activity, e.g. when the creator is offline, are not part
of the baseline; otherwise a creator who streams two hours a day would look like a spike every
evening). The statistic is robust to the very outliers it looks for:

* ``baseline`` = the median of the trailing values;
* ``MAD`` = the median of their absolute deviations from the median; ``1.4826 * MAD`` estimates
  the standard deviation of normally distributed data;
* ``scale`` = ``max(1.4826 * MAD, sqrt(baseline), min_scale)``: the square root is the standard
  deviation of a Poisson count with that mean (counts of independent clicks and orders vary at
  least that much by chance), and the floor keeps a perfectly flat history from making every tiny
  bump a spike;
* the hour is a spike when ``value > baseline + k * scale`` and ``value >= min_value``, with at
  least ``min_history`` trailing hours; its ``size`` is ``(value - baseline) / scale``, a robust
  z-score.

The hour's value then joins the baseline (a lasting level shift stops being a spike after a while).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from statistics import median
from typing import Any, Final

import attrs

__all__ = ["SPIKE_METRICS", "Spike", "SpikeDetector", "SpikeSettings"]

#: The metrics watched, as named in :class:`Spike.metric`.
SPIKE_METRICS: Final = ("gift_coins", "product_clicks", "orders")

_MAD_TO_SIGMA: Final = 1.4826


@attrs.frozen(slots=True)
class SpikeSettings:
    """The knobs of spike detection (see the module's description)."""

    window: int = 24
    k: float = 5.0
    min_history: int = 6
    #: per metric: the smallest scale (in the metric's unit; 1 when not listed)
    min_scale: Mapping[str, float] = attrs.field(factory=lambda: {"gift_coins": 100.0})
    #: per metric: the smallest value worth a spike (3 when not listed)
    min_value: Mapping[str, float] = attrs.field(factory=lambda: {"gift_coins": 500.0, "product_clicks": 8.0})

    def scale_floor(self, metric: str) -> float:
        return self.min_scale.get(metric, 1.0)

    def value_floor(self, metric: str) -> float:
        return self.min_value.get(metric, 3.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "k": self.k,
            "min_history": self.min_history,
            "min_scale": dict(self.min_scale),
            "min_value": dict(self.min_value),
        }


@attrs.frozen(slots=True)
class Spike:
    """An hour of a creator far above its trailing baseline."""

    #: the hour bucket's start (POSIX seconds) and its local label
    hour: int
    at: str
    scope: str
    scope_id: str
    metric: str
    value: float
    baseline: float
    mad: float
    threshold: float
    size: float

    def to_dict(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in attrs.fields(Spike)}


class SpikeDetector:
    """Feeds closed hours in time order per (scope, metric); remembers the last ``window`` values."""

    def __init__(self, settings: SpikeSettings) -> None:
        self.settings = settings
        self._history: dict[tuple[str, str], deque[float]] = {}
        #: the smallest value worth a spike, per watched metric
        self.floors: Mapping[str, float] = {metric: settings.value_floor(metric) for metric in SPIKE_METRICS}

    def feed(self, scope_id: str, metric: str, hour: int, label: str, value: float) -> Spike | None:
        """Judge one closed hour, then add it to the baseline; the :class:`Spike` if it is one."""
        history = self._history.get((scope_id, metric))
        if history is None:
            history = self._history[(scope_id, metric)] = deque(maxlen=self.settings.window)
        spike = self.judge(scope_id, metric, hour, label, value, history)
        history.append(value)
        return spike

    def judge(
        self, scope_id: str, metric: str, hour: int, label: str, value: float, history: Sequence[float]
    ) -> Spike | None:
        """Judge one closed hour against the trailing values given (oldest first, at most ``window``),
        remembering nothing: for a caller that keeps the trailing values itself."""
        # below the smallest value worth a spike, the baseline need not be computed (most hours)
        floor = self.floors.get(metric)
        if value < (self.settings.value_floor(metric) if floor is None else floor):
            return None
        if len(history) < self.settings.min_history:
            return None
        return self._judge(scope_id, metric, hour, label, value, list(history))

    def _judge(
        self, scope_id: str, metric: str, hour: int, label: str, value: float, values: list[float]
    ) -> Spike | None:
        settings = self.settings
        baseline = float(median(values))
        mad = float(median(abs(v - baseline) for v in values))
        scale = max(_MAD_TO_SIGMA * mad, math.sqrt(max(baseline, 0.0)), settings.scale_floor(metric))
        threshold = baseline + settings.k * scale
        if value <= threshold or value < settings.value_floor(metric):
            return None
        size = round((value - baseline) / scale, 3)
        return Spike(hour, label, "creator", scope_id, metric, value, baseline, mad, round(threshold, 3), size)
