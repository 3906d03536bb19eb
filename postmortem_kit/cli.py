"""The ``postmortem`` command: one group, each subcommand calls one public function.

Errors print one line (``error: ...``) and exit non-zero; no traceback for expected failures.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from postmortem_kit.errors import PostmortemError


def _clear_errors(function):
    """Turn our errors into one clear line and exit status 1."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except PostmortemError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="postmortem-kit")
def main() -> None:
    """postmortem-kit: turn an incident's evidence into a published postmortem."""


@main.command("new")
@click.argument("incident_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--id", "incident_id", required=True, help="Incident id, e.g. INC-2041.")
@click.option("--title", required=True, help="One-line title of the incident.")
@_clear_errors
def new_command(incident_dir: Path, incident_id: str, title: str) -> None:
    """Create INCIDENT_DIR with a report skeleton and the notebook."""
    from postmortem_kit.incident import new_incident

    folder = new_incident(incident_dir, id=incident_id, title=title)
    click.echo(f"created {folder}/postmortem.yaml and {folder}/postmortem.ipynb")


@main.command("publish")
@click.argument("incident_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf", "md"]),
    default="html",
    show_default=True,
    help="html: one offline page; pdf: printed by chromium; md: GitHub Markdown + PNG figures.",
)
@click.option(
    "--audience",
    default="internal",
    show_default=True,
    help="internal (credentials redacted) or external (every sensitive value redacted), "
    "or a profile from redaction.yaml / pyproject.toml.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Publish status 'published' despite check errors (the report shows a mark).",
)
@click.option("--local-tz", default=None, help="Zone for the timeline's local-time column.")
@click.option(
    "--build-time", default=None, help="Text of the footer's build-time line (reproducible)."
)
@_clear_errors
def publish_command(
    incident_dir: Path,
    out: Path | None,
    fmt: str,
    audience: str,
    force: bool,
    local_tz: str | None,
    build_time: str | None,
) -> None:
    """Execute the incident's notebook and publish its report (HTML, PDF or Markdown)."""
    from postmortem_kit.publish import publish

    path = publish(
        incident_dir,
        out=out,
        format=fmt,
        audience=audience,
        force=force,
        local_timezone=local_tz,
        build_time=build_time,
    )
    click.echo(str(path))


@main.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/demo"),
    show_default=True,
    help="Folder to copy the sample incident into.",
)
@_clear_errors
def demo_command(out: Path) -> None:
    """Copy the bundled sample incident (INC-2041) and publish it end to end."""
    from postmortem_kit.incident import copy_sample_incident
    from postmortem_kit.publish import publish

    folder = copy_sample_incident(out)
    click.echo(f"sample incident copied to {folder}", err=True)
    path = publish(folder)
    size = path.stat().st_size / 1e6
    click.echo(f"published report ({size:.1f} MB):", err=True)
    click.echo(str(path))


def _add_family_commands() -> None:
    """Commands that live with their family (ingest, publish), added to the one group."""
    from postmortem_kit.ingest.cli import formats_command, import_logs_command
    from postmortem_kit.publish.commands import check_command, trends_command

    for command in (import_logs_command, formats_command, check_command, trends_command):
        main.add_command(command)


_add_family_commands()

if __name__ == "__main__":
    main()
