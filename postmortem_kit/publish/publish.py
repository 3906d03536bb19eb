"""``publish``: review, execute the incident's notebook, export for an audience and a format.

The steps, each failing before anything is written:

1. load the report (errors name field and line) and run the review gate: a report whose
   status is ``published`` must pass ``postmortem check`` unless ``force=True``, and then the
   page carries a visible mark;
2. execute the notebook with papermill (kernel ``python3``);
3. export with :class:`PostmortemExporter` for the audience (redaction of the report and of
   every figure's data and hover text);
4. write the format (a table: ``html``, ``pdf``, ``md``) atomically, with the redaction report
   next to it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from postmortem_kit.errors import PublishError
from postmortem_kit.options import Options
from postmortem_kit.publish.check import publish_gate
from postmortem_kit.publish.exporter import PostmortemExporter
from postmortem_kit.report import atomic_write_text, load_report, report_path
from postmortem_kit.resources import resource_path
from postmortem_kit.workbench import PUBLISHING_VARIABLE

NOTEBOOK_FILE = "postmortem.ipynb"
REPORT_DIR = "report"
REPORT_STEM = "postmortem"
#: seconds to wait for a cell's output after it finished executing
IOPUB_TIMEOUT = 120
#: set by jupyter_server in the kernels of JupyterLab sessions (live figures need a frontend)
SESSION_VARIABLE = "JPY_SESSION_NAME"


@dataclasses.dataclass(frozen=True)
class PublishOptions(Options):
    """Options of :func:`publish`.

    Attributes
    ----------
    out
        Output file; default ``<incident>/report/postmortem.<format>``.
    format
        ``html`` (default), ``pdf`` (printed by Debian's chromium) or ``md`` (GitHub-flavoured
        Markdown with PNG figures beside it).
    audience
        ``internal`` (credentials redacted) or ``external`` (every kind of sensitive value),
        or a profile of your own (``audiences:`` in ``postmortem.yaml`` or
        ``[tool.postmortem.audiences]`` in ``pyproject.toml``).
    force
        Publish a report with ``status: published`` even when the check finds errors; the
        page then says so.
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
    format: str = "html"
    audience: str = "internal"
    force: bool = False
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


@contextlib.contextmanager
def _headless_kernel_environment():
    """Hide the notebook-session marker from the kernel papermill starts, so figures come out
    static even when publishing from inside JupyterLab (live figures are widgets, which a
    published page must not depend on), and tell it that it publishes
    (:data:`PUBLISHING_VARIABLE`), so that it builds no section editors."""
    saved = os.environ.pop(SESSION_VARIABLE, None)
    publishing = os.environ.get(PUBLISHING_VARIABLE)
    os.environ[PUBLISHING_VARIABLE] = "1"
    try:
        yield
    finally:
        if saved is not None:
            os.environ[SESSION_VARIABLE] = saved
        if publishing is None:
            os.environ.pop(PUBLISHING_VARIABLE, None)
        else:
            os.environ[PUBLISHING_VARIABLE] = publishing


def executed_notebook(folder: Path, *, kernel_name: str, execute: bool = True):
    """The incident notebook after papermill ran it with ``incident_dir`` set."""
    source = incident_notebook(folder)
    if not execute:
        return nbformat.read(source, as_version=4)
    with tempfile.TemporaryDirectory(prefix="postmortem-publish-") as tmp:
        executed = Path(tmp) / NOTEBOOK_FILE
        try:
            with _headless_kernel_environment():
                papermill.execute_notebook(
                    str(source),
                    str(executed),
                    parameters={"incident_dir": str(folder)},
                    kernel_name=kernel_name,
                    cwd=str(folder),
                    progress_bar=False,
                    log_output=False,
                    # the kernel's own startup warnings are noise for someone publishing
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                    # papermill's default (4 s) for output to arrive after a cell finished
                    # is too short for a large incident on a loaded 2-core machine
                    iopub_timeout=IOPUB_TIMEOUT,
                )
        except PapermillExecutionError as exc:
            raise PublishError(f"{source}: {_failure_line(exc)}") from None
        return nbformat.read(executed, as_version=4)


def _write_html(html: str, out: Path, resources: dict) -> Path:
    atomic_write_text(out, html)
    return out


def _write_pdf(html: str, out: Path, resources: dict) -> Path:
    from postmortem_kit.publish.browser import print_pdf

    partial = out.with_name(f".{out.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="postmortem-pdf-") as tmp:
            page = Path(tmp) / "report.html"
            page.write_text(html, encoding="utf-8")
            print_pdf(page, partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def _write_markdown(html: str, out: Path, resources: dict) -> Path:
    from postmortem_kit.publish.browser import screenshot_figures
    from postmortem_kit.publish.markdown import render_markdown

    context = resources["postmortem"]
    ids = [
        item["id"]
        for items in context["figures"].values()
        for item in items
        if item["kind"] == "figure"
    ]
    images_dir = out.parent / f"{out.stem}-figures"
    images: dict[str, str] = {}
    if ids:
        with tempfile.TemporaryDirectory(prefix="postmortem-md-") as tmp:
            page = Path(tmp) / "report.html"
            page.write_text(html, encoding="utf-8")
            shots = screenshot_figures(page, ids, images_dir)
        images = {div_id: f"{images_dir.name}/{path.name}" for div_id, path in shots.items()}
    atomic_write_text(out, render_markdown(context, images))
    return out


#: format → (file suffix, writer(html, out, resources))
FORMATS: dict[str, tuple[str, Callable[[str, Path, dict], Path]]] = {
    "html": (".html", _write_html),
    "pdf": (".pdf", _write_pdf),
    "md": (".md", _write_markdown),
}


def publish(incident_dir: str | os.PathLike, **options) -> Path:
    """Review, execute and publish an incident's report.

    Parameters
    ----------
    incident_dir
        Folder holding ``postmortem.yaml`` (and optionally ``postmortem.ipynb``).
    **options
        See :class:`PublishOptions`.

    Returns
    -------
    Path
        The file written. ``<stem>.redaction.json`` beside it says what was redacted (kinds,
        counts, places; never the values).

    Raises
    ------
    PublishError
        If the review, the notebook, the redaction or the export fails; nothing is written
        in that case.
    """
    opts = PublishOptions.from_kwargs("publish", **options)
    if opts.format not in FORMATS:
        raise PublishError(
            f"unknown format {opts.format!r}; choose one of {', '.join(sorted(FORMATS))}"
        )
    suffix, writer = FORMATS[opts.format]
    folder = Path(incident_dir).resolve()
    report = load_report(report_path(folder))
    gate = publish_gate(report, override=opts.force)
    out = Path(opts.out) if opts.out else folder / REPORT_DIR / f"{REPORT_STEM}{suffix}"
    nb = executed_notebook(folder, kernel_name=opts.kernel_name, execute=opts.execute)
    exporter = PostmortemExporter(
        incident_dir=str(folder),
        local_timezone=opts.local_timezone or "",
        build_time=opts.build_time or "",
        audience=opts.audience,
        review_mark=gate.mark or "",
    )
    html, resources = exporter.from_notebook_node(nb, resources={"metadata": {"path": str(folder)}})
    out.parent.mkdir(parents=True, exist_ok=True)
    written = writer(html, out, resources)
    resources["redaction_report"].write(out.with_name(f"{out.stem}.redaction.json"))
    return written
