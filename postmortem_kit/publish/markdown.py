"""GitHub-flavoured Markdown of a published report (for a wiki or a repository).

Rendered from the same context as the HTML page (so from the redacted report); figures are
PNG files beside it. Raw HTML in any field is neutralised: ``<`` and ``>`` become entities,
so GitHub shows them as text.
"""

from __future__ import annotations

from postmortem_kit.publish.render import safe_url
from postmortem_kit.report.model import SECTIONS


def _text(value: object) -> str:
    """A field as Markdown text with raw HTML neutralised."""
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(value: object) -> str:
    """A table cell: one line, pipes escaped."""
    return _text(value).replace("\n", " ").replace("|", "\\|").strip() or "—"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _items(values: list[str]) -> list[str]:
    return [f"- {_text(v)}" for v in values] or ["- —"]


def _figures(context: dict, section: str, images: dict[str, str]) -> list[str]:
    """Figures as PNG images; evidence tables as their sanitised HTML (GitHub renders it)."""
    out = []
    for item in context["figures"].get(section, []):
        if item["kind"] == "table":
            out += [item["html"], ""]
        elif item["id"] in images:
            alt = _cell(item.get("title") or item["id"]).replace("]", "\\]")
            out += [f"![{alt}]({images[item['id']]})", ""]
    return out


def render_markdown(context: dict, images: dict[str, str]) -> str:
    """The report as GitHub-flavoured Markdown.

    Parameters
    ----------
    context
        From :func:`postmortem_kit.publish.exporter.build_context`.
    images
        Figure id → relative path of its PNG.
    """
    r = context["report"]
    s = r.summary
    zone = context["local_timezone"]
    lines = [f"# {_text(r.id)}: {_text(r.title)}", ""]
    if context.get("review_mark"):
        lines += [f"> **{_text(context['review_mark'])}**", ""]
    lines += [
        f"**Severity:** {_text(r.severity)} · **Status:** {_text(r.status)} · "
        f"**Authors:** {_text(', '.join(r.authors)) or '—'} · "
        f"**Services:** {_text(', '.join(r.services)) or '—'} · "
        f"**Users affected:** "
        f"{f'{s.users_affected:,}' if s.users_affected is not None else '—'}",
        "",
    ]
    header = ["Key time", "UTC"] + ([zone] if zone else [])
    rows = [[t["label"], t["utc"]] + ([t["local"]] if zone else []) for t in context["key_times"]]
    lines += _table(header, rows) + [""]
    lines += [" · ".join(f"**{d['label']}** {d['value']}" for d in context["durations"]), ""]
    lines += ["## Contents", ""]
    lines += [f"{i}. [{h}](#{i}-{h.lower().replace(' ', '-')})" for i, (_, h) in
              enumerate(SECTIONS, 1)] + [""]  # fmt: skip

    lines += ["## 1. Summary", "", _text(s.narrative), ""]
    for label, value in (("Impact", s.impact), ("Trigger", s.trigger), ("Detection", s.detection)):
        lines += [f"**{label}:** {_text(value) or '—'}", ""]
    lines += _figures(context, "summary", images)

    lines += ["## 2. Timeline", ""] + _figures(context, "timeline", images)
    header = ["Date", "UTC"] + ([zone] if zone else []) + ["Kind", "Event", "Source", "Provenance"]
    rows = [
        [row["date"], row["utc"]]
        + ([row["local"]] if zone else [])
        + [row["event"].kind, row["event"].description, row["event"].source,
           f"`{row['event'].provenance}`"]
        for row in context["timeline"]
    ]  # fmt: skip
    lines += _table(header, rows) + [""]

    rc = r.root_cause
    lines += ["## 3. Root cause analysis", "", "### Root cause", "", _text(rc.root_cause), ""]
    lines += ["### Contributing factors", ""] + _items(rc.contributing_factors) + [""]
    lines += ["### Five whys", ""] + [f"{i}. {_text(w)}" for i, w in enumerate(rc.five_whys, 1)]
    lines += ["", "### Recommendations", ""] + _items(rc.recommendations) + [""]
    lines += _figures(context, "root_cause", images)

    lines += ["## 4. Corrective and preventive actions", ""]
    header = ["ID", "Action", "Type", "Owner", "Due", "Status", "Priority", "Ticket"]
    rows = [
        [a["action"].id, a["action"].description, a["action"].type, a["action"].owner,
         a["due"] + (" **overdue**" if a["overdue"] else ""), a["action"].status,
         a["action"].priority or "—", a["action"].ticket]
        for a in context["actions"]
    ]  # fmt: skip
    lines += _table(header, rows) + [""] + _figures(context, "actions", images)

    ls = r.lessons
    lines += ["## 5. Lessons learned", ""]
    for heading, values in (
        ("What went well", ls.went_well),
        ("What went wrong", ls.went_wrong),
        ("Where we got lucky", ls.got_lucky),
        ("Recommendations for incident response", ls.recommendations),
    ):
        lines += [f"### {heading}", ""] + _items(values) + [""]
    lines += _figures(context, "lessons", images)

    if r.links:
        lines += ["## Supporting links", ""]
        lines += [
            f"- [{_cell(link.title)}]({safe_url(link.url)})"
            if safe_url(link.url)
            else f"- {_cell(link.title)} ({_cell(link.url)})"
            for link in r.links
        ] + [""]
    lines += ["---", "", f"<!-- build-time -->Built: {_text(context['build_time'])}", ""]
    return "\n".join(lines)
