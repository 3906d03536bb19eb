"""Anomaly and change hints: sustained deviations of a series from its baseline.

The method, in plain terms (so a reader can check a hint):

1. The series is put on a regular grid at its typical sampling step (duplicates averaged,
   gaps left empty, never interpolated), then smoothed with a centred running median over
   ``min_duration`` so single spikes do not count.
2. When the series repeats daily or weekly (autocorrelation > 0.4 at that lag), the median of
   the values at the same time in the three previous periods is taken off first, so a normal
   Monday peak is not an anomaly.
3. The baseline of each point is the median of the trailing window before it (a twentieth of
   the series by default) or of an explicit baseline; its spread is the larger of the
   interquartile range / 1.349 and the 1–99 % range / 4.65 (both equal the standard
   deviation for normal noise; the second keeps bursty, mostly-zero series from scoring
   every burst), floored at ``rel_floor`` of the level.
4. The score is ``(value - baseline) / spread``. A window opens where it passes
   ``threshold``; from there the baseline is frozen and the window runs while the score
   stays past ``exit_threshold`` with the same sign: its end is the return to the baseline.
   Points inside windows are then left out of the trailing baseline and the windows found
   again once.
5. Windows are ranked by ``weight``: the sum of their per-sample scores (each capped at 50),
   so a long sustained deviation outranks a short sharp one.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from postmortem_kit.explore._common import describe_step, to_utc
from postmortem_kit.options import Options
from postmortem_kit.report import format_duration

SEASONS = ("1D", "7D")
SCORE_CAP = 1000.0
TAIL_HI, TAIL_Z = 0.99, 4.65  # 1-99 % range of a normal distribution is 4.65 sigma
WEIGHT_CAP = 50.0


@dataclasses.dataclass(frozen=True)
class AnomalyOptions(Options):
    """Options of :func:`find_anomalies`.

    Attributes
    ----------
    threshold
        Smoothed robust z-score that opens a window.
    exit_threshold
        Score under which the series is back to its baseline (default ``threshold / 2``).
    min_duration
        Shortest deviation reported, e.g. ``"5min"`` (default: 5 sampling steps).
    merge_gap
        Windows closer than this are merged (default: ``min_duration``).
    window
        Length of the trailing baseline, e.g. ``"1h"`` (default: a twentieth of the series,
        at least 60 steps). Ignored when ``baseline`` is given.
    season
        ``"auto"`` (detect a daily or weekly pattern), ``"1D"``, ``"7D"`` or ``None``.
    rel_floor
        Smallest baseline spread, as a fraction of the baseline level: a flat series (a pool
        size of 50) still scores a change to 5 as finite.
    """

    threshold: float = 6.0
    exit_threshold: float | None = None
    min_duration: str | None = None
    merge_gap: str | None = None
    window: str | None = None
    season: str | None = "auto"
    rel_floor: float = 0.01


def regular_grid(series: pd.Series) -> tuple[pd.Series, pd.Timedelta]:
    """The series on a regular UTC grid at its median sampling step (gaps are NaN)."""
    s = pd.Series(series.to_numpy(dtype="float64"), index=to_utc(pd.Series(series.index)))
    s = s[np.isfinite(s.to_numpy())]
    if s.empty:
        raise ValueError("find_anomalies: the series has no finite values")
    s = s.groupby(level=0, sort=True).mean()
    ns = s.index.as_unit("ns").asi8
    diffs = np.diff(ns)
    diffs = diffs[diffs > 0]
    step = int(np.median(diffs)) if len(diffs) else 60 * 10**9
    span = ns[-1] - ns[0]
    step = max(step, span // 2_000_000 + 1)  # at most ~2M grid points
    cells = (ns - ns[0]) // step
    values = pd.Series(s.to_numpy()).groupby(cells).mean()
    grid = np.full(int(cells[-1]) + 1, np.nan)
    grid[values.index.to_numpy()] = values.to_numpy()
    index = pd.to_datetime(ns[0] + np.arange(len(grid)) * step, unit="ns", utc=True)
    return pd.Series(grid, index=index), pd.Timedelta(step, unit="ns")


def _points(duration: str | None, step: pd.Timedelta, default: int) -> int:
    if duration is None:
        return default
    return max(1, int(round(pd.Timedelta(duration) / step)))


def _season(x: pd.Series, step: pd.Timedelta, option: str | None) -> int | None:
    """Season length in grid points, or ``None``."""
    if option is None:
        return None
    candidates = SEASONS if option == "auto" else (option,)
    filled = x.interpolate(limit_direction="both").to_numpy()
    best, best_acf = None, 0.4 if option == "auto" else -np.inf
    for season in candidates:
        lag = int(round(pd.Timedelta(season) / step))
        if lag < 4 or len(x) < 4 * lag:
            continue
        a, b = filled[lag:], filled[:-lag]
        acf = np.corrcoef(a, b)[0, 1] if a.std() > 0 and b.std() > 0 else 0.0
        # A longer season must explain clearly more (a daily pattern repeats weekly too).
        if acf > best_acf + (0.1 if best is not None else 0.0):
            best, best_acf = lag, acf
    return best


def _seasonal_base(x: pd.Series, lag: int, periods: int = 3) -> pd.Series:
    """Median of the values 1..periods seasons earlier at the same phase (0 where none)."""
    shifted = np.vstack([x.shift(k * lag).to_numpy() for k in range(1, periods + 1)])
    seen = np.isfinite(shifted).any(axis=0)
    out = np.zeros(len(x))
    out[seen] = np.nanmedian(shifted[:, seen], axis=0)
    return pd.Series(out, index=x.index)


def _baseline_stats(masked, level, w, fixed, rel_floor):
    """Trailing (or fixed) median and spread of ``masked`` at each point (floored)."""
    if fixed is not None:
        center = np.full(len(masked), fixed[0])
        spread = np.full(len(masked), fixed[1])
    else:
        roll = masked.rolling(w, min_periods=max(3, w // 4))
        iqr = (roll.quantile(0.75) - roll.quantile(0.25)) / 1.349
        tails = (roll.quantile(TAIL_HI) - roll.quantile(1 - TAIL_HI)) / TAIL_Z
        spread = np.maximum(iqr, tails).shift(1).ffill().bfill().to_numpy()
        center = roll.median().shift(1).ffill().bfill().to_numpy()
    floor = rel_floor * np.abs(level.to_numpy()) + 1e-12
    return center, np.maximum(spread, floor)


def _runs(xs, center, scale, enter, leave, merge, shortest) -> list:
    """Windows ``(first, last, sign, z)`` of the smoothed residual ``xs``.

    A window opens where the z-score against the trailing baseline passes ``enter``; from
    its first point on, the baseline is frozen (so a long outage is not absorbed into it)
    and the window runs while the frozen z-score stays past ``leave`` with the same sign.
    ``z`` holds the frozen z-scores of the window's points.
    """
    z_all = (xs - center) / scale
    n = len(xs)
    runs = []
    i = 0
    while i < n:
        if not (np.isfinite(z_all[i]) and abs(z_all[i]) >= enter):
            i += 1
            continue
        sign = np.sign(z_all[i])
        a = i
        while a > 0 and np.isfinite(z_all[a - 1]) and z_all[a - 1] * sign >= leave:
            a -= 1
        c, sc = center[a], scale[a]
        b = i
        while b + 1 < n and (not np.isfinite(xs[b + 1]) or (xs[b + 1] - c) / sc * sign >= leave):
            b += 1
        while b > a and not np.isfinite(xs[b]):
            b -= 1
        z = np.clip((xs[a : b + 1] - c) / sc, -SCORE_CAP, SCORE_CAP)
        if runs and runs[-1][2] == sign and a - runs[-1][1] <= merge:
            first, _, _, z0 = runs[-1]
            gap = np.full(a - runs[-1][1] - 1, np.nan)
            runs[-1] = (first, b, sign, np.concatenate([z0, gap, z]))
        else:
            runs.append((a, b, sign, z))
        i = b + 1
    return [r for r in runs if r[1] - r[0] + 1 >= shortest]


def find_anomalies(series: pd.Series, *, baseline=None, **options) -> pd.DataFrame:
    """Windows where a series deviates from its baseline for a sustained time.

    Parameters
    ----------
    series
        Values indexed by timestamps (tz-aware; naive ones are taken as UTC). Any sampling
        step; gaps, duplicate and unsorted timestamps are fine.
    baseline
        ``None`` for a trailing baseline; ``(start, end)`` to take the median and spread of
        the series in that window (e.g. the hour before the incident); or a Series whose
        values are the baseline (e.g. the same metric a week earlier).
    **options
        See :class:`AnomalyOptions`; unknown names raise ``OptionsError``.

    Returns
    -------
    pandas.DataFrame
        One row per window, ranked by ``weight``: ``start``, ``end`` (the return to the
        baseline, exclusive), ``score`` (peak robust z, capped at 1000), ``weight`` (sum of
        the window's scores, each capped at 50), ``direction`` (``up``/``down``),
        ``peak_time``, ``peak_value``, ``baseline`` (expected value where the window opens),
        ``spread`` (robust standard deviation there), ``points`` (samples in the window)
        and ``evidence`` (one sentence). ``attrs`` holds the grid ``step`` and the
        ``season`` used.
    """
    opts = AnomalyOptions.from_kwargs("find_anomalies", **options)
    x, step = regular_grid(series)
    shortest = _points(opts.min_duration, step, 5)
    merge = _points(opts.merge_gap, step, shortest)
    w = _points(opts.window, step, max(60, len(x) // 20))
    fixed = _fixed_baseline(series, baseline)
    lag = _season(x, step, opts.season) if fixed is None else None
    base = _seasonal_base(x, lag) if lag else pd.Series(0.0, index=x.index)
    level = (
        x.rolling(w, min_periods=1).median().shift(1).bfill()
        if fixed is None
        else (pd.Series(abs(fixed[0]), index=x.index))
    )
    leave = opts.exit_threshold if opts.exit_threshold is not None else opts.threshold / 2
    # Smooth first: the spread is then that of the smoothed residual, which keeps heavy
    # tails and bursty noise from passing as sustained change.
    half = max(1, (shortest + 1) // 2)
    xs = (x - base).rolling(shortest, center=True, min_periods=half).median()
    masked = xs.copy()
    values = xs.to_numpy()
    for _ in range(2):
        center, scale = _baseline_stats(masked, level, w, fixed, opts.rel_floor)
        runs = _runs(values, center, scale, opts.threshold, leave, merge, shortest)
        if fixed is not None:
            break
        masked = xs.copy()
        for a, b, _sign, _z in runs:
            masked.iloc[a : b + 1] = np.nan
    rows = []
    for a, b, sign, z in runs:
        peak = int(np.nanargmax(z * sign)) + a
        rows.append(
            {
                "start": x.index[a],
                "end": x.index[b] + step,
                "score": float(abs(z[peak - a])),
                "weight": float(np.nansum(np.minimum(z * sign, WEIGHT_CAP))),
                "direction": "up" if sign > 0 else "down",
                "peak_time": x.index[peak],
                "peak_value": float(x.iloc[peak]),
                "baseline": float(center[a] + base.iloc[a]),
                "spread": float(scale[a]),
                "points": int(np.isfinite(x.iloc[a : b + 1]).sum()),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=["start", "end", "score", "weight", "direction", "peak_time", "peak_value",
                 "baseline", "spread", "points"],
    )  # fmt: skip
    out["evidence"] = [_evidence(r, step) for r in out.itertuples()]
    out = out.sort_values("weight", ascending=False, kind="stable", ignore_index=True)
    out.attrs["step"] = describe_step(step)
    out.attrs["season"] = None if not lag else describe_step(step * lag)
    return out


def _fixed_baseline(series: pd.Series, baseline) -> tuple[float, float] | None:
    """(median, robust spread) of an explicit baseline window or baseline series."""
    if baseline is None:
        return None
    if isinstance(baseline, pd.Series):
        values = baseline.to_numpy(dtype="float64")
    else:
        start, end = to_utc(baseline[0]), to_utc(baseline[1])
        index = to_utc(pd.Series(series.index))
        inside = ((index >= start) & (index < end)).to_numpy()
        values = series.to_numpy(dtype="float64")[inside]
    values = values[np.isfinite(values)]
    if len(values) < 3:
        raise ValueError(f"baseline has {len(values)} finite values; need at least 3")
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return float(med), float((q3 - q1) / 1.349)


def _evidence(r, step: pd.Timedelta) -> str:
    verb = "rose" if r.direction == "up" else "fell"
    length = format_duration(pd.Timedelta(r.end - r.start).to_pytimedelta())
    return (
        f"{verb} to {r.peak_value:.4g} at {r.peak_time:%Y-%m-%d %H:%M} UTC against a baseline of "
        f"{r.baseline:.4g} ± {r.spread:.2g} (robust z {r.score:.1f}); back to baseline at "
        f"{r.end:%Y-%m-%d %H:%M} UTC after {length} "
        f"({r.points} samples, step {describe_step(step)})"
    )
