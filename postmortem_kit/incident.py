"""Incident folders: create one from the template, copy the bundled sample incident."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat

from postmortem_kit.errors import PostmortemError
from postmortem_kit.report import REPORT_FILE, Report, save_report
from postmortem_kit.resources import resource_path

NOTEBOOK_FILE = "postmortem.ipynb"
SUBFOLDERS = ("evidence", "report")


def write_notebook(incident_dir: str | os.PathLike) -> Path:
    """Write the incident's notebook from the packaged template (outputs cleared).

    The parameters cell keeps ``incident_dir = "."``: the notebook opens next to its report.
    """
    target = Path(incident_dir) / NOTEBOOK_FILE
    nb = nbformat.read(resource_path("template_notebook"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, target)
    return target


def new_incident(incident_dir: str | os.PathLike, *, id: str, title: str) -> Path:  # noqa: A002
    """Create an incident folder: ``postmortem.yaml`` skeleton, notebook, ``evidence/``,
    ``report/``.

    Raises
    ------
    PostmortemError
        If the folder already holds a report (nothing is overwritten).
    """
    folder = Path(incident_dir)
    if (folder / REPORT_FILE).exists():
        raise PostmortemError(f"{folder / REPORT_FILE} already exists; not overwriting it")
    folder.mkdir(parents=True, exist_ok=True)
    for sub in SUBFOLDERS:
        (folder / sub).mkdir(exist_ok=True)
    save_report(Report(id=id, title=title), folder)
    if not (folder / NOTEBOOK_FILE).exists():
        write_notebook(folder)
    return folder


def copy_sample_incident(out_dir: str | os.PathLike) -> Path:
    """Copy the bundled sample incident (INC-2041) into ``out_dir`` and give it a notebook.

    An existing copy is replaced, so ``make demo`` always starts from the committed sample.
    """
    sample = resource_path("sample_incident")
    target = Path(out_dir) / sample.name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(sample, target, ignore=shutil.ignore_patterns("report", "*.ipynb"))
    write_notebook(target)
    return target
