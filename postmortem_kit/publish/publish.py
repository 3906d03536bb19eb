"""``publish``: execute an incident's notebook with papermill and export the report page."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from postmortem_kit.errors import PublishError
from postmortem_kit.options import Options
from postmortem_kit.publish.exporter import PostmortemExporter
from postmortem_kit.report import atomic_write_text, load_report, report_path
from postmortem_kit.resources import resource_path

NOTEBOOK_FILE = "postmortem.ipynb"
REPORT_DIR = "report"
REPORT_HTML = "postmortem.html"


@dataclasses.dataclass(frozen=True)
class PublishOptions(Options):
    """Options of :func:`publish`.

    Attributes
    ----------
    out
        Output HTML file; default ``<incident>/report/postmortem.html``.
    kernel_name
        Jupyter kernel that executes the notebook.
    local_timezone
        Zone of the timeline's second time column; default the first source's zone.
    build_time
        Footer build-time line (for reproducible builds); default now.
    execute
        Run the notebook first (``False`` exports its saved outputs as they are).
    """

    out: str | os.PathLike | None = None
    kernel_name: str = "python3"
    local_timezone: str | None = None
    build_time: str | None = None
    execute: bool = True


def incident_notebook(incident_dir: str | os.PathLike) -> Path:
    """The incident's own notebook, or the packaged template when it has none."""
    own = Path(incident_dir) / NOTEBOOK_FILE
    return own if own.exists() else resource_path("template_notebook")


def _failure_line(exc: PapermillExecutionError) -> str:
    return (
        f"notebook cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}".strip()
        if exc.exec_count is not None
        else f"notebook failed: {exc.ename}: {exc.evalue}"
    )


def publish(incident_dir: str | os.PathLike, **options) -> Path:
    """Execute the incident notebook and publish one self-contained HTML report.

    Parameters
    ----------
    incident_dir
        Folder holding ``postmortem.yaml`` (and optionally ``postmortem.ipynb``).
    **options
        See :class:`PublishOptions`.

    Returns
    -------
    Path
        The HTML file written.

    Raises
    ------
    PublishError
        If the notebook fails or the export fails; nothing is written in that case.
    """
    opts = PublishOptions.from_kwargs("publish", **options)
    folder = Path(incident_dir).resolve()
    load_report(report_path(folder))  # fail early, with field and line, on a bad report
    out = Path(opts.out) if opts.out else folder / REPORT_DIR / REPORT_HTML
    out.parent.mkdir(parents=True, exist_ok=True)
    source = incident_notebook(folder)
    with tempfile.TemporaryDirectory(prefix="postmortem-publish-") as tmp:
        executed = Path(tmp) / NOTEBOOK_FILE
        if opts.execute:
            try:
                papermill.execute_notebook(
                    str(source),
                    str(executed),
                    parameters={"incident_dir": str(folder)},
                    kernel_name=opts.kernel_name,
                    cwd=str(folder),
                    progress_bar=False,
                    log_output=False,
                )
            except PapermillExecutionError as exc:
                raise PublishError(f"{source}: {_failure_line(exc)}") from None
            nb = nbformat.read(executed, as_version=4)
        else:
            nb = nbformat.read(source, as_version=4)
    exporter = PostmortemExporter(
        incident_dir=str(folder),
        local_timezone=opts.local_timezone or "",
        build_time=opts.build_time or "",
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"path": str(folder)}})
    atomic_write_text(out, body)
    return out
