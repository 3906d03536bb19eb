"""The exceptions postmortem-kit raises: specific types that say what went wrong and where."""

from __future__ import annotations


class PostmortemError(Exception):
    """Base class of every error postmortem-kit raises on purpose.

    The message is one line a user can act on; the CLI prints it without a traceback.
    """


class ReportError(PostmortemError):
    """The report file (``postmortem.yaml``) is missing, unreadable or invalid."""


class ReportValidationError(ReportError):
    """The report parsed but a field is wrong.

    Parameters
    ----------
    problems
        One ``(field, line, message)`` triple per problem; ``line`` is 1-based or ``None``.
    path
        The file the report came from, if any.
    """

    def __init__(self, problems: list[tuple[str, int | None, str]], path: str | None = None):
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        lines = []
        for field, line, message in problems:
            at = f"line {line}: " if line else ""
            lines.append(f"{where}{at}{field}: {message}")
        super().__init__("\n".join(lines))


class ReportConflictError(ReportError):
    """The report changed on disk since it was loaded; writing would overwrite someone's work."""


class IngestError(PostmortemError):
    """An evidence file cannot be imported (names the file, line and reason)."""


class PublishError(PostmortemError):
    """Publishing failed; nothing was written to the output."""


class OptionsError(PostmortemError, TypeError):
    """A function got a keyword option it does not know."""
