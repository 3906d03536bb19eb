"""The ``check`` and ``trends`` subcommands (added to the ``postmortem`` group by cli.py).

Errors print one line (``error: ...``) and exit 1. ``check`` exits 0 when the report has no
errors (warnings alone pass unless ``--strict``) and 1 otherwise, so CI can gate on it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from postmortem_kit.cli import clear_errors as _clear_errors


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


_TODAY = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Judge overdue actions as of this date (YYYY-MM-DD); default today (UTC).",
)


@click.command("check")
@click.argument("incident_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--disable",
    multiple=True,
    metavar="RULE",
    help="Skip a rule (repeatable), e.g. blameless-names.",
)
@_TODAY
@_clear_errors
def check_command(
    incident_dir: Path, strict: bool, as_json: bool, disable: tuple[str, ...], today
) -> None:
    """Review INCIDENT_DIR's postmortem before publishing (exit 1 on errors)."""
    from postmortem_kit.publish.check import check

    result = check(incident_dir, today=_date(today), disable=disable)
    click.echo(result.to_json() if as_json else str(result))
    sys.exit(result.exit_code(strict=strict))


@click.command("trends")
@click.argument(
    "incident_dirs",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="HTML file."
)
@click.option("--title", default="Incident trends", show_default=True, help="Page title.")
@click.option("--build-time", default=None, help="Text of the build-time line (reproducible).")
@_TODAY
@_clear_errors
def trends_command(
    incident_dirs: tuple[Path, ...], out: Path, title: str, build_time: str | None, today
) -> None:
    """Publish one HTML page of trends across INCIDENT_DIRS (incident folders or their
    parents)."""
    from postmortem_kit.publish.trends import trends

    path = trends(
        list(incident_dirs), out=out, title=title, build_time=build_time, today=_date(today)
    )
    click.echo(str(path))
