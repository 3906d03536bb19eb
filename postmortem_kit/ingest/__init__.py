"""Evidence import: the log format registry and its readers.

``load_logs`` turns log files of any registered format into one UTC, time-sorted pandas
frame whose ``attrs["import_report"]`` accounts for every line read.
"""

from postmortem_kit.ingest.cli import format_table, import_logs_to
from postmortem_kit.ingest.columns import CORE_COLUMNS, SEVERITIES, normalise_severity
from postmortem_kit.ingest.formats import BUILTIN_FORMATS
from postmortem_kit.ingest.importreport import FileReport, ImportReport
from postmortem_kit.ingest.logs import LoadOptions, import_report, load_logs
from postmortem_kit.ingest.registry import (
    ENTRY_POINT_GROUP,
    LOG_FORMATS,
    FormatRegistry,
    LogFormat,
    ParseContext,
    get_format,
    register_format,
    sniff_format,
)
from postmortem_kit.ingest.timestamps import STYLES, TimeStyle

__all__ = [
    "BUILTIN_FORMATS",
    "CORE_COLUMNS",
    "ENTRY_POINT_GROUP",
    "LOG_FORMATS",
    "SEVERITIES",
    "STYLES",
    "FileReport",
    "FormatRegistry",
    "ImportReport",
    "LoadOptions",
    "LogFormat",
    "ParseContext",
    "TimeStyle",
    "format_table",
    "get_format",
    "import_logs_to",
    "import_report",
    "load_logs",
    "normalise_severity",
    "register_format",
    "sniff_format",
]
