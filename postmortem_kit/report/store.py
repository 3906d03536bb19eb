"""Reading and writing ``postmortem.yaml``: errors with line numbers, atomic writes.

Loading keeps the round-trip YAML so that saving changes only what changed: comments, key
order and formatting that a person wrote by hand survive an edit made in the notebook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from postmortem_kit.errors import ReportError, ReportValidationError
from postmortem_kit.report.durations import key_time_problems
from postmortem_kit.report.model import SCHEMA_VERSION, Report

REPORT_FILE = "postmortem.yaml"


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True

    def represent_datetime(representer, value):
        return representer.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())

    yaml.representer.add_representer(dt.datetime, represent_datetime)
    return yaml


def report_path(path: str | os.PathLike) -> Path:
    """The report file for an incident folder or a report file path."""
    p = Path(path)
    return p / REPORT_FILE if p.is_dir() else p


def _line_of(tree: Any, loc: tuple) -> int | None:
    """1-based line of the deepest node of ``loc`` found in a round-trip YAML tree."""
    line = None
    node = tree
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validation_problems(exc: ValidationError, tree: Any) -> list[tuple[str, int | None, str]]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        field = _dotted(loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see the schema in the README)"
        elif err["type"] == "missing":
            message = "required but missing"
        elif err["type"] == "timezone_aware":
            message = "needs a time zone offset, e.g. 2026-10-14T14:07:00+00:00"
        else:
            got = err.get("input")
            shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
            message = f"{err['msg']} (got {shown[:60]})"
        problems.append((field, _line_of(tree, loc), message))
    return problems


def parse_report(text: str, *, path: str | None = None) -> tuple[Report, Any]:
    """Parse and validate report YAML.

    Returns
    -------
    (Report, tree)
        The model and the round-trip YAML tree it came from.

    Raises
    ------
    ReportValidationError
        Naming each bad field with its line.
    ReportError
        If the text is not YAML or not a mapping.
    """
    try:
        tree = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        raise ReportError(f"{path or 'report'}: {line}not valid YAML: {exc.problem}") from None
    if not isinstance(tree, CommentedMap):
        raise ReportError(f"{path or 'report'}: expected a mapping of report fields at the top")
    version = tree.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise ReportError(
            f"{path or 'report'}: schema_version {version} is newer than this postmortem-kit "
            f"understands ({SCHEMA_VERSION}); upgrade postmortem-kit"
        )
    try:
        report = Report.model_validate(tree)
    except ValidationError as exc:
        raise ReportValidationError(_validation_problems(exc, tree), path) from None
    problems = [
        (field, _line_of(tree, tuple(field.split("."))), message)
        for field, message in key_time_problems(report.summary)
    ]
    if problems:
        raise ReportValidationError(problems, path)
    return report, tree


def load_report(path: str | os.PathLike) -> Report:
    """Load and validate ``postmortem.yaml`` (given the file or its incident folder).

    Raises
    ------
    ReportError
        If the file is missing or unreadable; :class:`ReportValidationError` names the field
        and line of each problem.
    """
    file = report_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(
            f"{file}: no report file here (create one with `postmortem new`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{file}: cannot read: {exc}") from None
    return parse_report(text, path=str(file))[0]


def _plain(value: Any) -> Any:
    """Model data as YAML-friendly values: multi-line text as literal blocks, dates kept."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _same(old: Any, new: Any) -> bool:
    """Equal value and kind (``1 == True`` and ``"a" == LiteralScalarString("a")`` aside)."""
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        return old == new and old.utcoffset() == new.utcoffset()
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    return old == new and (isinstance(old, str) == isinstance(new, str))


def _merge(old: Any, new: Any) -> Any:
    """Write ``new`` into the round-trip tree ``old`` in place where possible, so comments
    and layout of unchanged parts survive."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        position = 0
        for key, value in new.items():
            if key in old:
                if not _same(old[key], value):
                    old[key] = _merge(old[key], value)
                position = list(old).index(key) + 1
            else:
                old.insert(position, key, value)
                position += 1
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        del old[len(new) :]
        for i, value in enumerate(new):
            if i < len(old):
                old[i] = _merge(old[i], value)
            else:
                old.append(value)
        return old
    if isinstance(old, str) and isinstance(new, str) and str(old) == str(new):
        return old
    return new


def dump_report(report: Report, *, base_text: str | None = None) -> str:
    """Serialise a report to YAML text, merged into ``base_text`` when given."""
    data = _plain(_without_defaults(report))
    yaml = _yaml()
    tree = None
    if base_text:
        try:
            tree = yaml.load(base_text)
        except YAMLError:
            tree = None
    tree = _merge(tree, data) if isinstance(tree, CommentedMap) else data
    buffer = io.StringIO()
    yaml.dump(tree, buffer)
    return buffer.getvalue()


def _without_defaults(report: Report) -> dict:
    data = report.model_dump(mode="python", exclude_none=False)
    if not data.get("audiences"):
        data.pop("audiences", None)  # optional block: only written when someone configured it
    else:
        data["audiences"] = report.model_dump(mode="python", exclude_none=True)["audiences"]
    # Keep every section visible (even empty) so a person editing the YAML sees the shape,
    # but drop ``None`` scalars inside list rows to keep rows short.
    for row in data.get("actions", []):
        for key in [k for k, v in row.items() if v is None]:
            del row[key]
    return data


def file_digest(path: str | os.PathLike) -> str | None:
    """SHA-256 of a file's bytes, or ``None`` when it does not exist."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write text to ``path`` atomically: a temporary file in the same folder, fsync, rename.

    A crash or exception mid-write leaves the old file untouched and no temporary file behind.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def save_report(report: Report, path: str | os.PathLike) -> Path:
    """Validate and write a report atomically, keeping comments of the file it replaces.

    Parameters
    ----------
    report
        The report to write; its key times must be in order.
    path
        The report file or its incident folder.

    Returns
    -------
    Path
        The file written.
    """
    file = report_path(path)
    report = Report.model_validate(report.model_dump())
    problems = key_time_problems(report.summary)
    if problems:
        raise ReportValidationError([(f, None, m) for f, m in problems], str(file))
    base = file.read_text(encoding="utf-8") if file.exists() else None
    atomic_write_text(file, dump_report(report, base_text=base))
    return file
