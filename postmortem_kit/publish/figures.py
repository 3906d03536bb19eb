"""Collect the figures and evidence tables of an executed notebook for the published report.

Plotly 6.1+ emits figures in a kernel only as ``application/vnd.plotly.v1+json``, which
nbconvert's HTML exporter drops. We render that mimetype ourselves into a ``<div>`` plus a
call to ``Plotly.newPlot``, with ids derived from the cell position so that publishing twice
gives the same bytes. plotly.js itself is embedded once by the template.

Tables (``text/html`` outputs such as a DataFrame) of tagged cells are published too, after
a strict sanitiser keeps only table markup and text.

Which section an output belongs to is said by a cell tag ``report:<section>``
(``report:summary``, ``report:timeline``, ``report:root-cause``, ``report:actions``,
``report:lessons``); cells without such a tag are not published.
"""

from __future__ import annotations

import nh3
import plotly.io as pio
from nbformat import NotebookNode

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"

#: cell tag → section key of the report model
SECTION_TAGS: dict[str, str] = {
    "report:summary": "summary",
    "report:timeline": "timeline",
    "report:root-cause": "root_cause",
    "report:actions": "actions",
    "report:lessons": "lessons",
}

DEFAULT_HEIGHT = "460px"
HTML_MIMETYPE = "text/html"
_TABLE_TAGS = {
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "p", "b", "strong", "em",
    "code", "br", "ul", "li", "span", "div",
}  # fmt: skip
_TABLE_ATTRIBUTES = {"th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}


def table_html(fragment: str) -> str:
    """An HTML output reduced to table markup and text (no script, style, links or handlers)."""
    return nh3.clean(fragment, tags=_TABLE_TAGS, attributes=_TABLE_ATTRIBUTES, link_rel=None)


_PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["toImage"]}


def figure_html(figure: dict, div_id: str) -> str:
    """One interactive figure as HTML, without plotly.js (the page embeds it once).

    The figure keeps the height it was built with (small multiples are tall); others get
    :data:`DEFAULT_HEIGHT`.
    """
    height = (figure.get("layout") or {}).get("height")
    return pio.to_html(
        figure,
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        config=_PLOT_CONFIG,
        validate=False,
        default_height=f"{int(height)}px" if height else DEFAULT_HEIGHT,
        default_width="100%",
    )


def collect_figures(nb: NotebookNode) -> dict[str, list[dict]]:
    """Figures and tables of tagged cells by section (not yet rendered).

    Returns
    -------
    dict
        section key → list of ``{"id", "kind", "title", "figure" | "html"}`` in notebook
        order; ``kind`` is ``"figure"`` (a plotly figure dict) or ``"table"`` (raw HTML).
    """
    out: dict[str, list[dict]] = {key: [] for key in SECTION_TAGS.values()}
    for cell_index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        sections = [SECTION_TAGS[t] for t in tags if t in SECTION_TAGS]
        if not sections:
            continue
        for output_index, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            item_id = f"figure-{cell_index}-{output_index}"
            if PLOTLY_MIMETYPE in data:
                figure = data[PLOTLY_MIMETYPE]
                title = (figure.get("layout", {}).get("title") or {}).get("text", "")
                item = {"id": item_id, "kind": "figure", "figure": figure, "title": title}
            elif HTML_MIMETYPE in data:
                html = data[HTML_MIMETYPE]
                html = "".join(html) if isinstance(html, list) else html
                item = {"id": item_id, "kind": "table", "html": html, "title": ""}
            else:
                continue
            out[sections[0]].append(item)
    return out


def render_figures(figures: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Give each collected item its final, safe ``"html"``."""
    rendered: dict[str, list[dict]] = {}
    for section, items in figures.items():
        rendered[section] = [
            {**item, "html": figure_html(item["figure"], item["id"])}
            if item["kind"] == "figure"
            else {**item, "html": table_html(item["html"])}
            for item in items
        ]
    return rendered
