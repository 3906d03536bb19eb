"""``postmortem check``: a deterministic review of a report before it is published.

The criteria live in :mod:`postmortem_kit.publish.check_rules` as a table; this module runs
them and presents the findings as text (CLI), HTML (notebook) or JSON (CI). Errors block
publishing a report whose status is ``published`` (see :func:`publish_gate`); warnings are
advice, and fail only with ``strict``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import os

from postmortem_kit.errors import OptionsError, PublishError
from postmortem_kit.options import Options
from postmortem_kit.publish.check_rules import RULES, Level, Rule
from postmortem_kit.report import Report, load_report

_COLOURS = {"error": "#b00020", "warning": "#8a6d00", "ok": "#1b5e20"}


class CheckFailedError(PublishError):
    """A report marked ``published`` has check errors and no override was given."""


@dataclasses.dataclass(frozen=True)
class CheckOptions(Options):
    """Options of :func:`check_report` and :func:`check`.

    Attributes
    ----------
    disable
        Rule ids to skip (see :data:`~postmortem_kit.publish.check_rules.RULES`).
    short_root_cause_words
        A one-sentence root cause with fewer words than this is "too short".
    trigger_similarity
        Word-sequence similarity (0..1) above which the root cause "restates the trigger".
    coverage_tolerance
        How far the first/last timeline row may be from impact start/resolution.
    extra_blame_words
        More words or phrases to warn about, on top of the built-in table.
    people
        More people's names to warn about (besides authors, owners, timeline actors).
    """

    disable: tuple[str, ...] = ()
    short_root_cause_words: int = 12
    trigger_similarity: float = 0.8
    coverage_tolerance: dt.timedelta = dt.timedelta(minutes=5)
    extra_blame_words: tuple[str, ...] = ()
    people: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        known = {rule.id for rule in RULES}
        unknown = [r for r in self.disable if r not in known]
        if unknown:
            raise OptionsError(
                f"unknown rule id(s) {', '.join(map(repr, unknown))}; rules: "
                f"{', '.join(sorted(known))}"
            )


@dataclasses.dataclass(frozen=True)
class Finding:
    """One problem: the rule, its level, the field, what to do, and the sentence quoted."""

    rule: str
    level: Level
    field: str
    message: str
    quote: str | None = None

    def __str__(self) -> str:
        line = f"{self.level:<7}  {self.rule:<19}  {self.field}: {self.message}"
        return line + (f'\n{"":28}"{self.quote}"' if self.quote else "")

    def to_dict(self) -> dict:
        """The finding as plain JSON-ready data."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """All findings of one check run.

    ``ok`` is true when there are no errors; ``str()`` is the CLI listing and
    ``_repr_html_`` the notebook table.
    """

    report_id: str
    status: str
    today: dt.date
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of level ``error``."""
        return tuple(f for f in self.findings if f.level == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings of level ``warning``."""
        return tuple(f for f in self.findings if f.level == "warning")

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors

    def passed(self, *, strict: bool = False) -> bool:
        """True when there are no errors (and, with ``strict``, no warnings)."""
        return not self.findings if strict else self.ok

    def exit_code(self, *, strict: bool = False) -> int:
        """0 when :meth:`passed`, else 1 (for CI)."""
        return 0 if self.passed(strict=strict) else 1

    def headline(self) -> str:
        """``INC-2041: 2 errors, 1 warning`` or ``INC-2041: no problems found``."""
        if not self.findings:
            return f"{self.report_id}: no problems found"
        e, w = len(self.errors), len(self.warnings)
        return f"{self.report_id}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"

    def __str__(self) -> str:
        lines = [f"check {self.headline()} (as of {self.today.isoformat()})"]
        lines += [str(f) for f in self.findings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = _COLOURS["error" if self.errors else "warning" if self.warnings else "ok"]
        rows = "".join(
            f'<tr class="{f.level}"><td style="color:{_COLOURS[f.level]};font-weight:600">'
            f"{f.level}</td><td><code>{html.escape(f.rule)}</code></td>"
            f"<td><code>{html.escape(f.field)}</code></td><td>{html.escape(f.message)}"
            + (f"<br><q><em>{html.escape(f.quote)}</em></q>" if f.quote else "")
            + "</td></tr>"
            for f in self.findings
        )
        table = (
            '<table class="postmortem-check"><thead><tr><th>Level</th><th>Rule</th>'
            f"<th>Field</th><th>Finding</th></tr></thead><tbody>{rows}</tbody></table>"
            if self.findings
            else ""
        )
        return (
            f'<div class="postmortem-check"><p style="color:{colour};font-weight:600">'
            f"check {html.escape(self.headline())} (as of {self.today.isoformat()})</p>"
            f"{table}</div>"
        )

    def to_dict(self) -> dict:
        """The result as plain data (``json.dumps`` ready)."""
        return {
            "report": self.report_id,
            "status": self.status,
            "today": self.today.isoformat(),
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        """The result as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


@dataclasses.dataclass(frozen=True)
class PublishGate:
    """What :func:`publish_gate` decided: the check result, and the mark to print if the
    report goes out with errors because of an override."""

    result: CheckResult
    overridden: bool
    mark: str | None


def _run(rule: Rule, report: Report, opts: CheckOptions, today: dt.date) -> list[Finding]:
    return [
        Finding(rule.id, rule.level, hit.field, hit.message, hit.quote)
        for hit in rule.run(report, opts, today)
    ]


def check_report(report: Report, *, today: dt.date | None = None, **options) -> CheckResult:
    """Review a report against the rules table.

    Parameters
    ----------
    report
        The report to review.
    today
        The date overdue actions are judged against; default today (UTC).
    **options
        See :class:`CheckOptions`.

    Returns
    -------
    CheckResult
        Findings in rule-table order; ``result.ok`` is false when any is an error.
    """
    opts = CheckOptions.from_kwargs("check_report", **options)
    today = today or dt.datetime.now(dt.UTC).date()
    findings: list[Finding] = []
    for rule in RULES:
        if rule.id not in opts.disable:
            findings += _run(rule, report, opts, today)
    return CheckResult(report.id, report.status, today, tuple(findings))


def check(incident_dir: str | os.PathLike, **options) -> CheckResult:
    """Load an incident's ``postmortem.yaml`` and review it (see :func:`check_report`).

    Parameters
    ----------
    incident_dir
        The incident folder, or the report file itself.
    **options
        ``today`` and the options of :class:`CheckOptions`.

    Raises
    ------
    ReportError
        If the report cannot be loaded (the message names the field and line).
    """
    return check_report(load_report(incident_dir), **options)


def publish_gate(
    report: Report, *, override: bool = False, today: dt.date | None = None, **options
) -> PublishGate:
    """Decide whether a report may be published, for ``postmortem publish``.

    A report whose status is ``published`` must pass the check (no errors). ``override``
    lets it out anyway and returns the visible mark the published page must carry. Drafts
    and reports in review are never refused (they are shared for review).

    Raises
    ------
    CheckFailedError
        If the status is ``published``, there are errors, and ``override`` is false; the
        message lists the errors.
    """
    result = check_report(report, today=today, **options)
    if report.status != "published" or result.ok:
        return PublishGate(result, overridden=False, mark=None)
    rules = ", ".join(dict.fromkeys(f.rule for f in result.errors))
    count = len(result.errors)
    if not override:
        first = result.errors[0]
        raise CheckFailedError(
            f"{report.id} has status 'published' but fails the check with {count} error"
            f"{'s' * (count != 1)} ({rules}; first: {first.field}: {first.message}); fix them, "
            "run `postmortem check` for the list, or override to publish with a visible mark"
        )
    mark = (
        f"Published despite {count} unresolved review error{'s' * (count != 1)} "
        f"({rules}) — check overridden"
    )
    return PublishGate(result, overridden=True, mark=mark)
