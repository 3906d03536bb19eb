"""``load_events``: evidence files in, one frame of timeline candidate events out."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import glob
import os
from pathlib import Path
from typing import Any

import pandas as pd

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.events.archive import ArchiveDisplay, is_zip, unzipped
from postmortem_kit.ingest.events.context import ParseContext
from postmortem_kit.ingest.events.model import Event, events_frame
from postmortem_kit.ingest.events.registry import detect_format, event_formats, get_event_format
from postmortem_kit.ingest.events.report import EventImportReport, InputReport
from postmortem_kit.ingest.events.times import TimeReader, resolve_zone
from postmortem_kit.options import Options

#: File name endings read when a plain folder is given (other files are skipped, and listed).
FOLDER_SUFFIXES: tuple[str, ...] = (".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".gz", ".bz2")
#: Files of a plain folder above this size are not sniffed (event exports are small; logs
#: are not): they are listed as skipped.
FOLDER_MAX_BYTES = 64 * 2**20


@dataclasses.dataclass(frozen=True)
class LoadEventsOptions(Options):
    """Keyword options of :func:`load_events` (see there)."""

    format: str = "auto"
    tz: str | dt.tzinfo | None = None
    source: str | None = None
    relative_to: str | os.PathLike[str] | None = None


def load_events(
    paths: str | os.PathLike[str] | list[str | os.PathLike[str]],
    *,
    format: str = "auto",
    tz: str | dt.tzinfo | None = None,
    source: str | None = None,
    relative_to: str | os.PathLike[str] | None = None,
    **unknown: Any,
) -> pd.DataFrame:
    """Import chat, alert, paging, Kubernetes and deploy records as timeline candidate events.

    Parameters
    ----------
    paths
        A file, a folder (a Slack export, or a folder of event files), a ZIP archive of
        either (Slack's export is one), a glob, or a list.
    format
        ``"auto"`` (sniff each input) or a format name: ``slack``, ``pagerduty``,
        ``alertmanager``, ``k8s-events``, ``deploys`` (see :func:`event_format_table`).
    tz
        IANA zone for times written without a UTC offset; without it UTC is assumed and the
        import report warns.
    source
        The ``source`` column for every input; default the file or folder name.
    relative_to
        Folder that provenance paths are written relative to (the incident folder).

    Returns
    -------
    pandas.DataFrame
        Columns ``time`` (UTC), ``source``, ``kind``, ``description``, ``actor``,
        ``provenance`` (``file:line``), ``severity``, ``url``, ``suggested_kind``,
        ``record_id``, ``count``; sorted by time, stable for equal times. The
        :class:`EventImportReport` is on ``df.attrs["import_report"]``.

    Raises
    ------
    IngestError
        For an unknown format or zone, a missing path, an input no format recognises, or a
        file that is not an event export (invalid JSON, binary, empty).
    postmortem_kit.errors.OptionsError
        For an unknown keyword option.
    """
    options = LoadEventsOptions.from_kwargs(
        "load_events", format=format, tz=tz, source=source, relative_to=relative_to, **unknown
    )
    zone = resolve_zone(options.tz)
    chosen = None if options.format == "auto" else get_event_format(options.format)
    base = Path(options.relative_to) if options.relative_to is not None else None
    display = ArchiveDisplay(_displayer(base))
    report = EventImportReport()
    rows: list[tuple[Event, str, str]] = []
    with contextlib.ExitStack() as unpacked:  # archives' temporary folders, until the end
        for path, explicit in _inputs(paths, chosen, report, display, unpacked):
            ctx = ParseContext(
                path=path,
                time=TimeReader(zone=zone),
                report=InputReport(path=display(path), format="", reason=""),
                display=display,
            )
            if chosen is not None:
                event_format, reason = chosen, "format= given"
            else:
                found = detect_format(path, ctx)
                if found is None:
                    if not explicit:
                        report.skipped.append(f"{display(path)}: no event format recognised")
                        continue
                    raise IngestError(
                        f"{display(path)}: no event format recognised (tried "
                        f"{', '.join(f.name for f in event_formats())}); pass format="
                    )
                event_format, reason = found
            ctx.report.format, ctx.report.reason = event_format.name, reason
            event_format.parse(path, ctx)
            ctx.report.notes[:0] = ctx.time.notes()
            report.inputs.append(ctx.report)
            name = options.source or display.name(path)
            rows.extend((event, name, f"{display(file)}:{line}") for event, file, line in ctx.rows)
    frame = events_frame(rows)
    frame.attrs["import_report"] = report
    return frame


def _inputs(
    paths: Any,
    chosen: Any,
    report: EventImportReport,
    display: ArchiveDisplay,
    unpacked: contextlib.ExitStack,
) -> list[tuple[Path, bool]]:
    """``(path, named explicitly)`` per input; plain folders expand to their event files,
    and a ZIP archive is unpacked (in ``unpacked``) and read as the folder it holds."""
    items = list(paths) if isinstance(paths, list | tuple) else [paths]
    out: list[tuple[Path, bool]] = []
    for item in items:
        text = os.fspath(item)
        if any(c in text for c in "*?[") and not Path(text).exists():
            matches = sorted(glob.glob(text))
            if not matches:
                raise IngestError(f"{text}: the pattern matches no file")
            out.extend((Path(m), True) for m in matches)
            continue
        path = Path(text)
        if not path.exists():
            raise IngestError(f"{text}: no such file or folder")
        if is_zip(path):
            folder = unpacked.enter_context(unzipped(path, display(path)))
            display.add(folder, path)
            path = folder
        if path.is_dir() and not _is_folder_input(path, chosen):
            out.extend(_folder_inputs(path, chosen, report, display))
            continue
        out.append((path, True))
    return out


def _folder_inputs(
    folder: Path, chosen: Any, report: EventImportReport, display: Any
) -> list[tuple[Path, bool]]:
    """The event files of a plain folder, and its subfolders that a folder format reads."""
    out: list[tuple[Path, bool]] = []
    for entry in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if entry.is_dir():
            if _is_folder_input(entry, chosen):
                out.append((entry, False))
        elif not entry.name.lower().endswith(FOLDER_SUFFIXES):
            report.skipped.append(f"{display(entry)}: not an event file name")
        elif entry.stat().st_size > FOLDER_MAX_BYTES:
            report.skipped.append(
                f"{display(entry)}: {entry.stat().st_size // 2**20} MB is too large to sniff "
                "as an event export; name it explicitly"
            )
        else:
            out.append((entry, False))
    return out


def _is_folder_input(path: Path, chosen: Any) -> bool:
    if chosen is not None:
        return chosen.folder
    return any(f.folder and f.sniff(path, None) for f in event_formats())


def _displayer(base: Path | None):
    """The function writing a path as it appears in provenance (POSIX separators)."""
    if base is None:
        return lambda p: Path(p).as_posix()
    root = base.resolve()

    def display(path: Path) -> str:
        full = Path(path).resolve()
        try:
            return full.relative_to(root).as_posix()
        except ValueError:
            return Path(os.path.relpath(full, root)).as_posix()

    return display
