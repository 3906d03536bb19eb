"""Computed impact from access logs: each number next to the definition that produced it."""

from __future__ import annotations

import dataclasses

import pandas as pd

from postmortem_kit.explore._common import (
    describe_step,
    incident_window,
    require_columns,
    show_frame,
    to_utc,
)
from postmortem_kit.explore.http_view import is_error
from postmortem_kit.options import Options
from postmortem_kit.report import Report, format_duration


@dataclasses.dataclass(frozen=True)
class ImpactOptions(Options):
    """Options of :func:`computed_impact`.

    Attributes
    ----------
    window
        ``(start, end)``, end exclusive; default: impact start to resolved (or mitigated).
    errors
        Statuses that count as failed: ``"5xx"`` or ``"4xx+5xx"``.
    client_column
        Column identifying who was affected: ``client`` (IP) or ``user``.
    slo_target
        Availability objective, e.g. ``0.999`` for 99.9 % of requests succeeding.
    slo_period
        The SLO's period, e.g. ``"30D"``; the error budget is for this period.
    """

    window: tuple | None = None
    errors: str = "5xx"
    client_column: str = "client"
    slo_target: float = 0.999
    slo_period: str = "30D"


@dataclasses.dataclass
class ComputedImpact:
    """Impact numbers with their definitions.

    ``table`` has one row per measure: ``measure``, ``value``, ``shown`` (formatted) and
    ``definition`` (what exactly was counted, with the window and inputs).
    """

    window: tuple[pd.Timestamp, pd.Timestamp]
    table: pd.DataFrame

    def __getitem__(self, measure: str):
        return self.table.set_index("measure").loc[measure, "value"]

    def summary_text(self) -> str:
        """One paragraph for the report's impact field, numbers with definitions."""
        lines = [f"Computed from access logs, {self.window[0]:%Y-%m-%d %H:%M}–"
                 f"{self.window[1]:%H:%M} UTC:"]  # fmt: skip
        for r in self.table.itertuples():
            lines.append(f"- {r.measure.replace('_', ' ')}: {r.shown} ({r.definition})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.table[["measure", "shown", "definition"]].to_html(index=False)


def computed_impact(report: Report | None, logs: pd.DataFrame, *, show: bool = True, **options):
    """Failed requests, error ratio, clients affected and SLO budget burn in the incident window.

    Parameters
    ----------
    report
        The postmortem; its impact start and resolved (or mitigated) time are the window.
    logs
        A ``load_logs`` frame; rows with a ``status`` are requests (other rows are ignored).
    show
        Display the table in the notebook; the result is returned either way.
    **options
        See :class:`ImpactOptions`; unknown names raise ``OptionsError``.

    Returns
    -------
    ComputedImpact
        Measures ``requests``, ``failed_requests``, ``error_ratio``, ``clients_seen``,
        ``clients_affected``, ``clients_affected_share``, ``error_budget``,
        ``budget_burned`` and ``burn_rate``, each with its definition.
    """
    opts = ImpactOptions.from_kwargs("computed_impact", **options)
    require_columns(logs, ("timestamp", "status"), "logs")
    if not 0 < opts.slo_target < 1:
        raise ValueError(f"slo_target={opts.slo_target}: expected a fraction such as 0.999")
    if opts.window is not None:
        start, end = to_utc(opts.window[0]), to_utc(opts.window[1])
    else:
        window = incident_window(report)
        if window is None:
            raise ValueError("no impact start and resolved/mitigated time; pass window=(a, b)")
        start, end = window
    access = logs[logs["status"].notna()]
    times = to_utc(access["timestamp"])
    inside = ((times >= start) & (times < end)).to_numpy()
    rows = access[inside]
    failed = is_error(rows["status"], opts.errors).to_numpy()
    where = f"[{start:%H:%M:%S}, {end:%H:%M:%S}) UTC"
    failed_def = "status ≥ 500" if opts.errors == "5xx" else "status ≥ 400"
    n, n_failed = len(rows), int(failed.sum())
    measures = [
        ("requests", n, f"{n:,}", f"access-log rows with a status, timestamp in {where}"),
        ("failed_requests", n_failed, f"{n_failed:,}", f"those rows with {failed_def}"),
    ]
    ratio = n_failed / n if n else float("nan")
    measures.append(("error_ratio", ratio, f"{ratio:.2%}", "failed_requests ÷ requests"))
    col = opts.client_column
    if col in rows.columns:
        who = rows[col].astype("string")
        seen = int(who.dropna().nunique())
        hit = int(who[failed].dropna().nunique())
        share = hit / seen if seen else float("nan")
        measures += [
            ("clients_seen", seen, f"{seen:,}", f"distinct `{col}` with a request in the window"),
            ("clients_affected", hit, f"{hit:,}", f"distinct `{col}` with ≥ 1 failed request"),
            ("clients_affected_share", share, f"{share:.1%}", "clients_affected ÷ clients_seen"),
        ]  # fmt: skip
    measures += _budget(access, times, n_failed, ratio, opts)
    table = pd.DataFrame(measures, columns=["measure", "value", "shown", "definition"])
    result = ComputedImpact(window=(start, end), table=table)
    if show:
        show_frame(table[["measure", "shown", "definition"]], True)
    return result


def _budget(access, times, n_failed, ratio, opts) -> list[tuple]:
    """Error budget of the SLO period at the observed traffic, and how much was burned."""
    allowed = 1 - opts.slo_target
    period = pd.Timedelta(opts.slo_period)
    span = times.max() - times.min() if len(times) > 1 else pd.Timedelta(0)
    if span <= pd.Timedelta(0):
        return []
    per_hour = len(access) / (span.total_seconds() / 3600)
    expected = per_hour * period.total_seconds() / 3600
    budget = allowed * expected
    burned = n_failed / budget if budget else float("nan")
    target = f"{opts.slo_target * 100:.4f}".rstrip("0").rstrip(".") + " %"
    period_text = describe_step(period)
    return [
        (
            "error_budget",
            budget,
            f"{budget:,.0f} failed requests",
            f"(1 − {target}) × requests expected in {period_text} at the logs' average "
            f"{per_hour:,.0f}/h over {format_duration(span.to_pytimedelta())}",
        ),
        (
            "budget_burned",
            burned,
            f"{burned:.1%} of the {period_text} budget",
            "failed_requests ÷ error_budget",
        ),
        (
            "burn_rate",
            ratio / allowed,
            f"{ratio / allowed:,.1f}×",
            f"error_ratio ÷ (1 − {target}): how many times faster than the SLO allows",
        ),
    ]
