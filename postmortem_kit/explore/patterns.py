"""Log patterns: messages mined into templates (drain3), ranked by how they changed.

Variable parts (UUIDs, IPs, hex ids, numbers) are masked first with vectorised regular
expressions, so a million lines usually reduce to a few thousand distinct masked messages;
only those go through drain3's template miner, in order of first appearance (deterministic).
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from postmortem_kit.explore._common import (
    SERIES_COLORS,
    add_key_time_lines,
    add_phases,
    bucket_starts,
    choose_bucket,
    describe_step,
    escape,
    incident_windows,
    plot_time,
    require_columns,
    show_figure,
    show_frame,
    to_utc,
)
from postmortem_kit.options import Options
from postmortem_kit.report import Report

#: (pattern, replacement) applied in order before mining. RE2-compatible (no lookaround)
#: so pandas runs them in pyarrow, not row by row in Python.
MASKS: tuple[tuple[str, str], ...] = (
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<UUID>"),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", "<IP>"),
    (r"\b0x[0-9a-fA-F]+\b", "<HEX>"),
    (r"\b[0-9a-fA-F]{8,}\b", "<HEX>"),
    (r"\b\d+(?:\.\d+)?", "<NUM>"),
)
STATUSES = ("new", "spiking", "dropped", "steady", "no baseline")


@dataclasses.dataclass(frozen=True)
class PatternOptions(Options):
    """Options of :func:`log_patterns`.

    Attributes
    ----------
    during, before, after
        ``(start, end)`` windows; default: the incident window (impact start to resolved)
        and windows of the same length right before and after it.
    statuses
        Which templates the table lists: ``new`` (absent before, at least ``min_count``
        during), ``spiking`` (rate during ≥ ``spike_ratio`` × rate before), ``dropped``
        (rate during ≤ rate before ÷ ``spike_ratio``), ``steady`` (the rest), ``no baseline``
        (would be new or spiking, but its sources logged nothing before the incident).
    min_count
        Fewest lines during the incident for a template to be new or spiking (or before it,
        to be dropped).
    spike_ratio
        Rate change that counts as spiking or dropped.
    top
        Rows of the table, and templates drawn in the figure.
    examples
        Example lines (with provenance) per template.
    similarity, depth
        drain3's ``sim_th`` and tree depth.
    bucket, max_buckets
        Time buckets of the figure.
    """

    during: tuple | None = None
    before: tuple | None = None
    after: tuple | None = None
    statuses: tuple[str, ...] = ("new", "spiking")
    min_count: int = 3
    spike_ratio: float = 3.0
    top: int = 15
    examples: int = 3
    similarity: float = 0.4
    depth: int = 4
    bucket: str | None = None
    max_buckets: int = 300


@dataclasses.dataclass
class LogPatterns:
    """What :func:`log_patterns` found.

    Attributes
    ----------
    table
        Ranked templates (see :func:`log_patterns`).
    figure
        Lines per bucket of the top templates over time.
    templates
        The template id of every input row (aligned with the logs' index).
    catalogue
        Every template: ``template_id``, ``template``, ``count``.
    """

    table: pd.DataFrame
    figure: go.Figure
    templates: pd.Series
    catalogue: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.table.drop(columns=["examples"]).to_html(index=False)


def mask_messages(messages: pd.Series) -> pd.Series:
    """Messages with variable parts replaced by ``<UUID>``, ``<IP>``, ``<HEX>``, ``<NUM>``."""
    out = messages.astype("string").fillna("")
    for pattern, replacement in MASKS:
        out = out.str.replace(pattern, replacement, regex=True)
    return out.str.strip()


def mine_templates(
    messages: pd.Series, *, similarity: float = 0.4, depth: int = 4
) -> tuple[pd.Series, pd.DataFrame]:
    """Template id per message, and the catalogue (id, template, count).

    Template ids are numbered by first appearance (1, 2, …), independent of drain3's ids.
    """
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    logging.getLogger("drain3").setLevel(logging.WARNING)
    masked = mask_messages(messages)
    codes, uniques = pd.factorize(masked, sort=False)
    config = TemplateMinerConfig()
    config.drain_sim_th = similarity
    config.drain_depth = depth
    config.profiling_enabled = False
    miner = TemplateMiner(config=config)
    cluster_of_unique = np.array(
        [miner.add_log_message(str(m))["cluster_id"] for m in uniques], dtype="int64"
    )
    clusters = cluster_of_unique[codes] if len(codes) else np.array([], dtype="int64")
    order, renumber = pd.factorize(pd.Series(clusters), sort=False)
    ids = pd.Series(order + 1, index=messages.index, name="template_id")
    text = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    counts = np.bincount(order, minlength=len(renumber))
    catalogue = pd.DataFrame(
        {
            "template_id": np.arange(1, len(renumber) + 1),
            "template": [text[int(c)] for c in renumber],
            "count": counts,
        }
    )
    return ids, catalogue


def log_patterns(report: Report | None, logs: pd.DataFrame, *, show: bool = True, **options):
    """Cluster log messages into templates and rank those that changed in the incident.

    Parameters
    ----------
    report
        The postmortem; its incident window is the default ``during`` window.
    logs
        A ``load_logs`` frame (``timestamp``, ``message``; ``provenance`` and ``source``
        are used for examples when present).
    show
        Display the table and the figure in the notebook; the result is returned either way.
    **options
        See :class:`PatternOptions`; unknown names raise ``OptionsError``.

    Returns
    -------
    LogPatterns
        ``table`` columns: ``template_id``, ``template``, ``status``, ``before``,
        ``during``, ``after`` (line counts), ``per_hour_before``, ``per_hour_during``,
        ``per_hour_after``, ``change`` (rate during ÷ rate before; inf for new), ``score``
        (``(during - expected) / sqrt(expected + 1)`` where expected is the before-rate
        times the during-window length), ``first_seen`` and ``first_provenance`` (first line
        in the during window), ``sources`` and ``examples``. Ranked by ``score``.
    """
    opts = PatternOptions.from_kwargs("log_patterns", **options)
    bad = [s for s in opts.statuses if s not in STATUSES]
    if bad:
        raise ValueError(f"statuses {bad}: expected some of {STATUSES}")
    require_columns(logs, ("timestamp", "message"), "logs")
    windows = incident_windows(report, opts.during, opts.before, opts.after)
    ids, catalogue = mine_templates(logs["message"], similarity=opts.similarity, depth=opts.depth)
    times = to_utc(logs["timestamp"])
    table = _rank(logs, times, ids, catalogue, windows, opts)
    shown = table[table["status"].isin(opts.statuses)].head(opts.top).reset_index(drop=True)
    shown.attrs["windows"] = {k: (v[0].isoformat(), v[1].isoformat()) for k, v in windows.items()}
    figure = _figure(report, times, ids, shown, opts)
    result = LogPatterns(table=shown, figure=figure, templates=ids, catalogue=catalogue)
    if show:
        show_frame(shown, True)
        show_figure(figure, True)
    return result


def _rank(logs, times, ids, catalogue, windows, opts) -> pd.DataFrame:
    table = catalogue[["template_id", "template"]].copy()
    hours = {}
    for name, (start, end) in windows.items():
        inside = ((times >= start) & (times < end)).to_numpy()
        counts = np.bincount(ids.to_numpy()[inside], minlength=len(catalogue) + 1)[1:]
        table[name] = counts
        hours[name] = (end - start).total_seconds() / 3600
        table[f"per_hour_{name}"] = counts / hours[name]
    expected = table["before"] * hours["during"] / hours["before"]
    table["score"] = (table["during"] - expected) / np.sqrt(expected + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["change"] = table["per_hour_during"] / table["per_hour_before"]
    new = (table["before"] == 0) & (table["during"] >= opts.min_count)
    spiking = ~new & (table["during"] >= opts.min_count) & (table["change"] >= opts.spike_ratio)
    dropped = (table["before"] >= opts.min_count) & (table["change"] <= 1 / opts.spike_ratio)
    table["status"] = np.select([new, spiking, dropped], ["new", "spiking", "dropped"], "steady")
    # A template cannot be "new" when none of its sources logged anything before the
    # incident (a file that starts late, or a time zone off by hours): say so instead.
    blind = _without_baseline(logs, times, ids, windows.before, len(catalogue))
    table.loc[blind & table["status"].isin(["new", "spiking"]).to_numpy(), "status"] = "no baseline"
    d0, d1 = windows.during
    inside = ((times >= d0) & (times < d1)).to_numpy()
    during_rows = logs[inside].assign(_tid=ids[inside], _time=times[inside])
    during_rows = during_rows.sort_values("_time", kind="stable")
    firsts = during_rows.groupby("_tid", sort=False).head(opts.examples)
    examples, first_seen, first_prov, sources = {}, {}, {}, {}
    for tid, rows in firsts.groupby("_tid", sort=False):
        prov = rows["provenance"] if "provenance" in rows else pd.Series("", index=rows.index)
        examples[tid] = [f"{m}  [{p}]" for m, p in zip(rows["message"], prov, strict=True)]
        first_seen[tid] = rows["_time"].iloc[0]
        first_prov[tid] = str(prov.iloc[0])
    if "source" in during_rows:
        for tid, values in during_rows.groupby("_tid", sort=False)["source"]:
            sources[tid] = ", ".join(sorted(values.astype("string").dropna().unique()))
    table["first_seen"] = table["template_id"].map(first_seen)
    table["first_provenance"] = table["template_id"].map(first_prov)
    table["sources"] = table["template_id"].map(sources).fillna("")
    table["examples"] = table["template_id"].map(examples)
    table["examples"] = table["examples"].apply(lambda v: v if isinstance(v, list) else [])
    table = table.sort_values(["score", "template_id"], ascending=[False, True], kind="stable")
    columns = ["template_id", "template", "status", "before", "during", "after",
               "per_hour_before", "per_hour_during", "per_hour_after", "change", "score",
               "first_seen", "first_provenance", "sources", "examples"]  # fmt: skip
    return table[columns].reset_index(drop=True)


def _without_baseline(logs, times, ids, before, n) -> np.ndarray:
    """Per template (1..n): True when no source it occurs in has lines in ``before``."""
    if "source" not in logs:
        seen = bool(((times >= before[0]) & (times < before[1])).any())
        return np.full(n, not seen)
    source = logs["source"].astype("string").fillna("")
    in_before = ((times >= before[0]) & (times < before[1])).to_numpy()
    covered = set(source[in_before].unique())
    pairs = pd.DataFrame({"tid": ids.to_numpy(), "source": source.to_numpy()}).drop_duplicates()
    pairs["covered"] = pairs["source"].isin(covered)
    any_covered = pairs.groupby("tid")["covered"].any()
    return ~any_covered.reindex(np.arange(1, n + 1), fill_value=False).to_numpy()


def _figure(report, times, ids, shown, opts) -> go.Figure:
    fig = go.Figure()
    if len(times):
        start, end = times.min(), times.max()
        step = (
            pd.Timedelta(opts.bucket)
            if opts.bucket
            else choose_bucket(start, end, opts.max_buckets)
        )
        label = describe_step(step)
        buckets = bucket_starts(times, step)
        grid = np.arange(buckets.min(), buckets.max() + step.value, step.value)
        for i, row in enumerate(shown.itertuples()):
            mine = buckets[(ids == row.template_id).to_numpy()]
            counts = np.bincount((mine - grid[0]) // step.value, minlength=len(grid))
            name = f"#{row.template_id} {row.template[:70]}"
            fig.add_trace(
                go.Scatter(
                    x=plot_time(pd.to_datetime(grid, unit="ns", utc=True)), y=counts,
                    mode="lines", name=escape(name), line={"width": 1.5,
                    "color": SERIES_COLORS[i % len(SERIES_COLORS)]},
                    hovertemplate=f"#{row.template_id} ({row.status}): %{{y}} lines<extra></extra>",
                )
            )  # fmt: skip
        fig.update_xaxes(range=[plot_time(start), plot_time(end)], type="date")
        fig.update_yaxes(title_text=f"lines per {label}")
    add_phases(fig, report)
    add_key_time_lines(fig, report)
    fig.update_layout(
        title={"text": "log templates that changed in the incident", "y": 0.98},
        template="plotly_white",
        height=460 + 20 * len(shown),
        margin={"t": 90, "l": 60, "r": 20, "b": 40},
        legend={"font": {"size": 10}, "orientation": "h", "y": -0.22, "yanchor": "top"},
        xaxis_title="time (UTC)",
        meta={"templates": shown["template_id"].tolist()},
    )
    return fig
