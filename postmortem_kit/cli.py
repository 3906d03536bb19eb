"""The ``postmortem`` command: one group, each subcommand calls one public function.

Errors print one line (``error: ...``) and exit non-zero; no traceback for expected failures.
"""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path

import click

from postmortem_kit.errors import PostmortemError


def clear_errors(function):
    """Turn our errors into one clear line and exit status 1."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except PostmortemError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper


#: commands that live with their family, imported only when used (keeps ``--help`` fast):
#: name → (module:attribute, one-line help for the command list)
FAMILY_COMMANDS: dict[str, tuple[str, str]] = {
    "import-logs": (
        "postmortem_kit.ingest.cli:import_logs_command",
        "Import log files and print the import report (every line accounted for).",
    ),
    "formats": (
        "postmortem_kit.ingest.cli:formats_command",
        "List every supported log, event and metrics format with an example.",
    ),
    "check": (
        "postmortem_kit.publish.commands:check_command",
        "Review a postmortem before publishing (exit 1 on errors).",
    ),
    "trends": (
        "postmortem_kit.publish.commands:trends_command",
        "Publish one HTML page of trends across many incidents.",
    ),
}


class _Group(click.Group):
    """The command group: its own commands plus :data:`FAMILY_COMMANDS`, loaded lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *FAMILY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in FAMILY_COMMANDS:
            module, attribute = FAMILY_COMMANDS[name][0].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, FAMILY_COMMANDS[name][1]) for name in FAMILY_COMMANDS]
        rows += [(name, command.get_short_help_str(70)) for name, command in self.commands.items()]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="postmortem-kit")
def main() -> None:
    """postmortem-kit: turn an incident's evidence into a published postmortem."""


@main.command("new")
@click.argument("incident_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--id", "incident_id", required=True, help="Incident id, e.g. INC-2041.")
@click.option("--title", required=True, help="One-line title of the incident.")
@clear_errors
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
    "or a profile from postmortem.yaml / pyproject.toml (audiences).",
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
@clear_errors
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
@clear_errors
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


if __name__ == "__main__":
    main()
