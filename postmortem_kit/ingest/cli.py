"""The ingest family's commands (``postmortem import-logs`` and ``postmortem formats``) and
the functions behind them. The command group in :mod:`postmortem_kit.cli` adds them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from postmortem_kit.errors import IngestError, PostmortemError
from postmortem_kit.ingest.importreport import ImportReport
from postmortem_kit.ingest.logs import load_logs
from postmortem_kit.ingest.registry import LOG_FORMATS


def format_table() -> list[dict[str, str]]:
    """Every registered log format as a row: name, aliases, description, how it is sniffed,
    its parser, its timestamp rule and an example line."""
    rows = []
    for fmt in LOG_FORMATS:
        rows.append(
            {
                "name": fmt.name,
                "aliases": ", ".join(fmt.aliases),
                "description": fmt.description,
                "sniff": getattr(fmt.sniff, "__qualname__", repr(fmt.sniff)),
                "parser": f"{fmt.parse.__module__}.{getattr(fmt.parse, '__qualname__', '')}",
                "timestamp": fmt.timestamp,
                "example": fmt.example,
            }
        )
    return rows


def import_logs_to(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    out: str | os.PathLike | None = None,
    **options: Any,
) -> ImportReport:
    """Import logs with :func:`~postmortem_kit.ingest.load_logs` and write the frame to a
    Parquet file when ``out`` is given.

    Returns
    -------
    ImportReport
        The import report (its ``str`` is what ``postmortem import-logs`` prints).
    """
    frame = load_logs(paths, **options)
    report = frame.attrs["import_report"]
    if out is not None:
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.attrs = {}
        try:
            frame.to_parquet(target, index=False)
        except (OSError, ValueError) as exc:
            raise IngestError(f"{target}: cannot write Parquet: {exc}") from None
    return report


@click.command("import-logs")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", default="auto", show_default=True, help="Format name, or auto.")
@click.option("--tz", default=None, help="IANA zone for timestamps without an offset.")
@click.option("--year", type=int, default=None, help="Year of the first line (BSD syslog).")
@click.option(
    "--dayfirst/--monthfirst", default=None,
    help="Slash dates (03/04/2026) are day first or month first; default: as each file shows.",
)  # fmt: skip
@click.option("--since", default=None, help="Keep events at or after this time (ISO 8601).")
@click.option("--until", default=None, help="Keep events at or before this time (ISO 8601).")
@click.option("--strict", is_flag=True, help="Fail on the first line that cannot be imported.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write a Parquet file."
)
def import_logs_command(paths, fmt, tz, year, dayfirst, since, until, strict, out) -> None:
    """Import log files (paths, globs or folders) and print the import report."""
    window = (since, until) if since or until else None
    try:
        report = import_logs_to(
            list(paths), out=out, format=fmt, tz=tz, year=year, window=window, strict=strict,
            dayfirst=dayfirst,
        )  # fmt: skip
    except PostmortemError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(report))
    if out is not None:
        click.echo(f"\nwrote {report.rows:,} rows to {out}")


@click.command("formats")
def formats_command() -> None:
    """List every supported format (logs, events, metrics) with an example."""
    from postmortem_kit.explore import metric_format_table
    from postmortem_kit.ingest.events import event_format_table

    click.echo("LOGS (load_logs; sources kind: logs)\n")
    for row in format_table():
        alias = f" (also: {row['aliases']})" if row["aliases"] else ""
        click.echo(f"{row['name']}{alias}: {row['description']}")
        click.echo(f"    time:    {row['timestamp']}")
        click.echo(f"    example: {row['example']}")
    click.echo("\nEVENTS (load_events; sources kind: events)\n")
    for row in event_format_table():
        click.echo(f"{row['name']}: {row['maps']}")
        click.echo(f"    time:    {row['time rule']}")
        click.echo(f"    example: {row['example']}")
    click.echo("\nMETRICS (load_metrics; sources kind: metrics)\n")
    for row in metric_format_table().to_dict("records"):
        click.echo(f"{row['name']}: {row['description']}")
        click.echo(f"    example: {row['example']}")
