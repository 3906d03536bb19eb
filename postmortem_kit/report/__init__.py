"""The postmortem document: model, YAML load/save (atomic), validation, durations."""

from postmortem_kit.report.durations import (
    DURATIONS,
    Duration,
    compute_durations,
    format_duration,
    key_time_problems,
)
from postmortem_kit.report.model import (
    KEY_TIMES,
    SCHEMA_VERSION,
    SECTIONS,
    Action,
    Lessons,
    Link,
    Report,
    RootCause,
    Source,
    Summary,
    TimelineEvent,
)
from postmortem_kit.report.store import (
    REPORT_FILE,
    atomic_write_text,
    dump_report,
    file_digest,
    load_report,
    parse_report,
    report_path,
    save_report,
)

__all__ = [
    "DURATIONS",
    "KEY_TIMES",
    "REPORT_FILE",
    "SCHEMA_VERSION",
    "SECTIONS",
    "Action",
    "Duration",
    "Lessons",
    "Link",
    "Report",
    "RootCause",
    "Source",
    "Summary",
    "TimelineEvent",
    "atomic_write_text",
    "compute_durations",
    "dump_report",
    "file_digest",
    "format_duration",
    "key_time_problems",
    "load_report",
    "parse_report",
    "report_path",
    "save_report",
]
