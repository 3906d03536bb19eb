"""``postmortem trends``: one offline HTML page about many incidents.

Reads the ``postmortem.yaml`` of each incident folder and shows incidents per month and
severity, TTD/TTM/TTR median and p90 per month, trigger and root-cause categories, and open
and overdue actions across incidents. The page embeds plotly.js once and the numbers it
draws as JSON (``<script id="trends-data">``), and loads nothing from the network.

Categories come from a keyword table (first matching row wins, ``unknown`` otherwise); a tag
``trigger:<category>`` or ``root-cause:<category>`` on an incident overrides the keywords.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from postmortem_kit.errors import OptionsError, PublishError
from postmortem_kit.options import Options
from postmortem_kit.report import (
    REPORT_FILE,
    Report,
    atomic_write_text,
    compute_durations,
    format_duration,
    load_report,
)
from postmortem_kit.resources import resource_path

#: category → keywords, in priority order; a keyword matches at a word start, any case.
DEFAULT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "config change": ("config", "configuration", "misconfigur", "feature flag", "flag",
                      "setting", "toggle"),
    "deploy": ("deploy", "release", "rollout", "rolled out", "canary", "upgrade", "version",
               "migration"),
    "capacity": ("capacity", "traffic spike", "load", "saturat", "exhaust", "out of memory",
                 "oom", "connection pool", "quota", "rate limit", "disk full", "cpu", "memory",
                 "throttl"),
    "dependency": ("dependency", "upstream", "third-party", "third party", "vendor",
                   "provider", "dns", "cdn", "external api", "certificate"),
    "hardware": ("hardware", "disk failure", "failed disk", "power", "nic", "rack",
                 "host failure", "server failure"),
}  # fmt: skip
UNKNOWN = "unknown"
SEVERITIES: tuple[str, ...] = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")
#: The durations drawn over time: label of :func:`compute_durations` rows.
TREND_DURATIONS: tuple[str, ...] = ("TTD", "TTM", "TTR")
TEMPLATE = "index.html.j2"
_PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["toImage"]}
_SEVERITY_COLOURS = ("#7f0000", "#c62828", "#ef6c00", "#f9a825", "#9e9e9e")


@dataclasses.dataclass(frozen=True)
class TrendsOptions(Options):
    """Options of :func:`trends`.

    Attributes
    ----------
    out
        The HTML file to write (required).
    today
        Date that decides which actions are overdue; default today (UTC).
    build_time
        The page's build-time line (the only line that differs between two builds).
    categories
        ``{category: [keywords]}`` replacing :data:`DEFAULT_CATEGORIES` (order = priority).
    title
        Page title.
    """

    out: str | os.PathLike | None = None
    today: dt.date | None = None
    build_time: str | None = None
    categories: Mapping[str, Sequence[str]] | None = None
    title: str = "Incident trends"

    def __post_init__(self) -> None:
        if self.out is None:
            raise OptionsError("trends() needs out=, the HTML file to write")
        if self.categories is None:
            return
        if not isinstance(self.categories, Mapping) or not self.categories:
            raise OptionsError("categories must map category names to lists of keywords")
        for name, keywords in self.categories.items():
            if isinstance(keywords, str) or not all(isinstance(k, str) and k for k in keywords):
                raise OptionsError(f"category {name!r}: give a list of keywords, not {keywords!r}")


# --------------------------------------------------------------------------- numbers


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks (numpy's
    default); ``None`` for no values."""
    data = sorted(values)
    if not data:
        return None
    position = (len(data) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return data[low] + (data[high] - data[low]) * (position - low)


def categorise(text: str, categories: Mapping[str, Sequence[str]]) -> str:
    """The first category with a keyword at a word start of ``text``; ``unknown`` if none."""
    for category, keywords in categories.items():
        if any(re.search(rf"\b{re.escape(k)}", text, re.IGNORECASE) for k in keywords):
            return category
    return UNKNOWN


def incident_start(report: Report) -> dt.datetime | None:
    """When the incident began: impact start, else detection, else its first timeline row."""
    summary = report.summary
    first = min((e.time for e in report.timeline), default=None)
    moment = summary.impact_start or summary.detected or first
    return moment.astimezone(dt.UTC) if moment else None


def _category(report: Report, prefix: str, text: str, categories: Mapping) -> str:
    for tag in report.tags:
        if tag.lower().startswith(prefix + ":"):
            return tag.split(":", 1)[1].strip()
    return categorise(text, categories)


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _stats(values: list[float]) -> dict:
    """Count, median and p90 in minutes, rounded to milliseconds' worth of minutes."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 5)

    median, p90 = percentile(values, 0.5), percentile(values, 0.9)
    return {"n": len(values), "median": rounded(median), "p90": rounded(p90)}


def summarise(
    reports: Sequence[Report], *, today: dt.date, categories: Mapping[str, Sequence[str]]
) -> dict:
    """Everything the page shows, as plain JSON-ready data (durations in minutes)."""
    incidents = []
    overdue = []

    def order(report: Report) -> tuple:
        start = incident_start(report)
        return (start is None, start.isoformat() if start else "", report.id)

    for report in sorted(reports, key=order):
        start = incident_start(report)
        durations = {d.label: d.value for d in compute_durations(report.summary)}
        open_actions = [a for a in report.actions if a.status in ("open", "in progress")]
        late = [a for a in report.actions if a.is_overdue(today)]
        incidents.append(
            {
                "id": report.id,
                "title": report.title,
                "severity": report.severity,
                "status": report.status,
                "start": start.isoformat() if start else None,
                "month": start.strftime("%Y-%m") if start else None,
                **{
                    label: durations[label].total_seconds() / 60 if durations[label] else None
                    for label in TREND_DURATIONS
                },
                "trigger": _category(report, "trigger", report.summary.trigger, categories),
                "root_cause": _category(
                    report, "root-cause", report.root_cause.root_cause, categories
                ),
                "open_actions": len(open_actions),
                "overdue_actions": len(late),
            }
        )
        overdue += [
            {
                "incident": report.id,
                "id": a.id,
                "description": a.description,
                "owner": a.owner,
                "due": a.due.isoformat(),
                "status": a.status,
                "days_overdue": (today - a.due).days,
            }
            for a in late
        ]
    dated = [i for i in incidents if i["month"]]
    months = (
        _months(min(i["month"] for i in dated), max(i["month"] for i in dated)) if dated else []
    )
    per_month = {m: {s: 0 for s in SEVERITIES} for m in months}
    for incident in dated:
        per_month[incident["month"]][incident["severity"]] += 1
    for counts in per_month.values():
        counts["total"] = sum(counts[s] for s in SEVERITIES)
    durations = {}
    for label in TREND_DURATIONS:
        rows = {m: _stats([i[label] for i in dated if i["month"] == m and i[label] is not None])
                for m in months}  # fmt: skip
        rows["all"] = _stats([i[label] for i in incidents if i[label] is not None])
        durations[label] = rows
    names = [*categories, UNKNOWN]
    names += sorted({i[k] for i in incidents for k in ("trigger", "root_cause")} - set(names))
    return {
        "today": today.isoformat(),
        "incidents": incidents,
        "undated": [i["id"] for i in incidents if not i["month"]],
        "months": months,
        "severities": list(SEVERITIES),
        "per_month": per_month,
        "durations": durations,
        "categories": names,
        "triggers": {c: sum(i["trigger"] == c for i in incidents) for c in names},
        "root_causes": {c: sum(i["root_cause"] == c for i in incidents) for c in names},
        "actions": {
            "open": sum(i["open_actions"] for i in incidents),
            "overdue": sum(i["overdue_actions"] for i in incidents),
        },
        "overdue": sorted(overdue, key=lambda a: (a["due"], a["incident"], a["id"])),
    }


# --------------------------------------------------------------------------- figures


def _html(figure: go.Figure, div_id: str) -> str:
    figure.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 50})
    return pio.to_html(
        figure, include_plotlyjs=False, full_html=False, div_id=div_id, config=_PLOT_CONFIG
    )


def figures(data: dict) -> dict[str, str]:
    """The page's four charts as HTML pieces (plotly.js not included)."""
    months = data["months"]
    per_month = go.Figure(
        [
            go.Bar(name=s, x=months, y=[data["per_month"][m][s] for m in months], marker_color=c)
            for s, c in zip(SEVERITIES, _SEVERITY_COLOURS, strict=True)
        ]
    )
    per_month.update_layout(barmode="stack", title="Incidents per month and severity")
    per_month.update_yaxes(title="incidents", dtick=1)
    times = go.Figure()
    for label, colour in zip(TREND_DURATIONS, ("#1565c0", "#2e7d32", "#6a1b9a"), strict=True):
        for stat, dash in (("median", "solid"), ("p90", "dash")):
            times.add_trace(
                go.Scatter(
                    name=f"{label} {stat}",
                    x=months,
                    y=[data["durations"][label][m][stat] for m in months],
                    mode="lines+markers",
                    line={"color": colour, "dash": dash},
                    connectgaps=False,
                )
            )
    times.update_layout(title="Time to detect, mitigate, resolve (minutes)")
    times.update_yaxes(title="minutes", rangemode="tozero")
    names = data["categories"]
    causes = go.Figure(
        [
            go.Bar(
                name="trigger", y=names, x=[data["triggers"][c] for c in names], orientation="h"
            ),
            go.Bar(
                name="root cause", y=names, x=[data["root_causes"][c] for c in names],
                orientation="h",
            ),
        ]
    )  # fmt: skip
    causes.update_layout(barmode="group", title="Triggers and root causes by category")
    causes.update_yaxes(autorange="reversed")
    ids = [i["id"] for i in data["incidents"]]
    actions = go.Figure(
        [
            go.Bar(name="open", x=ids, y=[i["open_actions"] for i in data["incidents"]]),
            go.Bar(
                name="overdue", x=ids, y=[i["overdue_actions"] for i in data["incidents"]],
                marker_color="#c62828",
            ),
        ]
    )  # fmt: skip
    actions.update_layout(barmode="group", title="Open and overdue actions per incident")
    actions.update_yaxes(dtick=1)
    return {
        "per_month": _html(per_month, "trends-per-month"),
        "durations": _html(times, "trends-durations"),
        "categories": _html(causes, "trends-categories"),
        "actions": _html(actions, "trends-actions"),
    }


# --------------------------------------------------------------------------- page


def incident_folders(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """Incident folders among ``paths``: a folder with ``postmortem.yaml``, or the subfolders
    of a folder that have one.

    Raises
    ------
    PublishError
        If a path holds no report at all.
    """
    found = []
    for path in map(Path, paths):
        if (path / REPORT_FILE).is_file():
            found.append(path)
            continue
        children = sorted(p for p in path.glob(f"*/{REPORT_FILE}")) if path.is_dir() else []
        if not children:
            raise PublishError(f"{path}: no {REPORT_FILE} here or in its subfolders")
        found += [c.parent for c in children]
    return found


def _minutes(value: float | None) -> str:
    return format_duration(dt.timedelta(minutes=value)) if value is not None else "—"


def _json(data: dict) -> Markup:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render(data: dict, *, title: str, build_time: str) -> str:
    """The trends page as one HTML string."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_path("templates") / "trends"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["minutes"] = _minutes
    return env.get_template(TEMPLATE).render(
        data=data,
        data_json=_json(data),
        figures={k: Markup(v) for k, v in figures(data).items()},
        plotlyjs=Markup(get_plotlyjs()),
        title=title,
        build_time=build_time,
        durations=TREND_DURATIONS,
    )


def trends(incident_dirs: Sequence[str | os.PathLike], *, out, **options) -> Path:
    """Write the trends page for many incidents.

    Parameters
    ----------
    incident_dirs
        Incident folders, or folders of incident folders.
    out
        The HTML file to write.
    **options
        See :class:`TrendsOptions`.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    PublishError
        If a folder holds no report or two folders hold the same incident id;
        :class:`ReportError` names the file, field and line of an invalid report.
    """
    opts = TrendsOptions.from_kwargs("trends", out=out, **options)
    if not incident_dirs:
        raise PublishError("trends needs at least one incident folder")
    reports: dict[str, Path] = {}
    loaded = []
    for folder in incident_folders(incident_dirs):
        report = load_report(folder)
        if report.id in reports:
            raise PublishError(f"incident {report.id} is in both {reports[report.id]} and {folder}")
        reports[report.id] = folder
        loaded.append(report)
    today = opts.today or dt.datetime.now(dt.UTC).date()
    categories = {k: tuple(v) for k, v in (opts.categories or DEFAULT_CATEGORIES).items()}
    data = summarise(loaded, today=today, categories=categories)
    build_time = opts.build_time or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    page = render(data, title=opts.title, build_time=build_time)
    target = Path(opts.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, page)
    return target
