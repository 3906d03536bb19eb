"""The nbconvert exporter registered as ``postmortem`` (``jupyter nbconvert --to postmortem``).

The five sections are rendered from ``postmortem.yaml`` — never from widget state — and the
notebook contributes only the figures of cells tagged ``report:<section>``. The page is one
self-contained file: plotly.js is embedded once and nothing is loaded from the network.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from plotly.offline import get_plotlyjs
from traitlets import Bool, Unicode, default

from postmortem_kit.publish.figures import collect_figures, render_figures, table_html
from postmortem_kit.publish.redact import Redactor
from postmortem_kit.publish.render import (
    escape,
    local_time,
    markdown_html,
    safe_url,
    utc_time,
)
from postmortem_kit.report import KEY_TIMES, SECTIONS, compute_durations, load_report
from postmortem_kit.report.durations import format_duration
from postmortem_kit.report.model import KEY_TIME_LABELS
from postmortem_kit.resources import resource_path


class PostmortemExporter(HTMLExporter):
    """Publish a postmortem notebook and its ``postmortem.yaml`` as one offline HTML page."""

    export_from_notebook = "Postmortem report"

    incident_dir = Unicode(
        "",
        help="Incident folder holding postmortem.yaml; default: the notebook's folder.",
    ).tag(config=True)
    local_timezone = Unicode(
        "",
        help="IANA zone for the timeline's local-time column; default: the first source's zone.",
    ).tag(config=True)
    build_time = Unicode(
        "",
        help="The build-time line printed in the footer (the only line that differs between "
        "two builds of the same incident); default: now, in UTC.",
    ).tag(config=True)
    embed_plotlyjs = Bool(True, help="Embed plotly.js in the page (never from a CDN).").tag(
        config=True
    )
    audience = Unicode(
        "internal",
        help="Audience profile: 'internal' redacts credentials, 'external' every kind of "
        "sensitive value (profiles configurable in postmortem.yaml or pyproject.toml).",
    ).tag(config=True)
    review_mark = Unicode(
        "",
        help="A visible line printed under the header when publishing overrode the review.",
    ).tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return "postmortem"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(resource_path("templates"))]

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    def _incident_folder(self, resources: dict) -> Path:
        if self.incident_dir:
            return Path(self.incident_dir)
        path = (resources or {}).get("metadata", {}).get("path") or os.getcwd()
        return Path(path)

    def from_notebook_node(self, nb, resources=None, **kw):
        """Render the report page; see the class docstring.

        The report and every figure pass through the audience's redactor first; its
        findings are left in ``resources["redaction_report"]``. Any redaction failure raises,
        so nothing is rendered.
        """
        resources = self._init_resources(resources)
        folder = self._incident_folder(resources)
        report = load_report(folder)
        figures = collect_figures(nb)
        redactor = Redactor.for_audience(folder, self.audience)
        redactor.scan(
            report,
            *(item.get("figure") or item["html"] for items in figures.values() for item in items),
        )
        report = redactor.redact_report(report)
        figures = {
            section: [_redact_item(redactor, item) for item in items]
            for section, items in figures.items()
        }
        resources["redaction_report"] = redactor.findings()
        resources["postmortem"] = build_context(
            report,
            figures=render_figures(figures),
            local_timezone=self.local_timezone or None,
            build_time=self.build_time or None,
            audience=self.audience,
            review_mark=self.review_mark or None,
        )
        resources["plotlyjs"] = get_plotlyjs() if self.embed_plotlyjs else ""
        return super().from_notebook_node(nb, resources, **kw)

    def default_filters(self):
        """Our template's filters on top of nbconvert's."""
        yield from super().default_filters()
        yield ("markdown_safe", markdown_html)
        yield ("esc", escape)
        yield ("safe_url", safe_url)


def _redact_item(redactor: Redactor, item: dict) -> dict:
    if item["kind"] == "figure":
        return {**item, "figure": redactor.redact_figure(item["figure"], name=item["id"])}
    clean = table_html(item["html"])  # no script left for the redactor to refuse
    return {**item, "html": redactor.redact_html_fragment(clean, where=item["id"])}


def build_context(
    report,
    *,
    figures: dict[str, list[dict]] | None = None,
    local_timezone: str | None = None,
    build_time: str | None = None,
    today: dt.date | None = None,
    audience: str = "internal",
    review_mark: str | None = None,
) -> dict:
    """Everything the template needs, with times already formatted.

    Parameters
    ----------
    report
        The validated report.
    figures
        Section key → figure HTML pieces (from :func:`collect_figures`).
    local_timezone
        Zone for the second time column; default the first source with a zone.
    build_time
        Footer line; default now (UTC).
    today
        Date used to mark overdue actions; default today (UTC).
    audience
        Name of the audience the page was redacted for (shown in the footer).
    review_mark
        Visible line when the pre-publication review was overridden.
    """
    zone = local_timezone or next((s.timezone for s in report.sources if s.timezone), None)
    today = today or dt.datetime.now(dt.UTC).date()
    summary = report.summary
    key_times = [
        {
            "label": KEY_TIME_LABELS[name],
            "utc": utc_time(getattr(summary, name)),
            "local": local_time(getattr(summary, name), zone),
        }
        for name in KEY_TIMES
    ]
    durations = [
        {"label": d.label, "description": d.description, "value": format_duration(d.value)}
        for d in compute_durations(summary)
    ]
    timeline = [
        {
            "date": event.time.astimezone(dt.UTC).strftime("%Y-%m-%d"),
            "utc": event.time.astimezone(dt.UTC).strftime("%H:%M:%S"),
            "local": local_time(event.time, zone),
            "event": event,
        }
        for event in report.sorted_timeline()
    ]
    actions = [
        {"action": a, "overdue": a.is_overdue(today), "due": a.due.isoformat() if a.due else "—"}
        for a in report.actions
    ]
    return {
        "report": report,
        "sections": SECTIONS,
        "key_times": key_times,
        "durations": durations,
        "timeline": timeline,
        "actions": actions,
        "local_timezone": zone,
        "figures": figures or {key: [] for key, _ in SECTIONS},
        "audience": audience,
        "review_mark": review_mark,
        "build_time": build_time or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
