"""Event import: chat, alerts, paging, Kubernetes events and deploys as timeline candidates.

``load_events(paths, format="auto", tz=None, source=None, relative_to=None)`` returns one
frame of events with an import report on ``df.attrs["import_report"]``. The formats are rows
of one table (:data:`FORMATS`), extended through the ``postmortem_kit.event_formats`` entry
point group.
"""

from postmortem_kit.ingest.events.load import LoadEventsOptions, load_events
from postmortem_kit.ingest.events.model import COLUMNS, EVENT_KINDS, SUGGESTED_KIND, Event
from postmortem_kit.ingest.events.registry import (
    ENTRY_POINT_GROUP,
    FORMATS,
    EventFormat,
    event_format_table,
    event_formats,
    get_event_format,
    load_plugins,
    register,
)
from postmortem_kit.ingest.events.report import EventImportReport, InputReport, Reject

__all__ = [
    "COLUMNS",
    "ENTRY_POINT_GROUP",
    "EVENT_KINDS",
    "FORMATS",
    "SUGGESTED_KIND",
    "Event",
    "EventFormat",
    "EventImportReport",
    "InputReport",
    "LoadEventsOptions",
    "Reject",
    "event_format_table",
    "event_formats",
    "get_event_format",
    "load_events",
    "load_plugins",
    "register",
]
