"""postmortem-kit: turn an incident's evidence into a published postmortem.

The handful of functions a notebook user needs, re-exported from their families (loaded on
first use, so ``postmortem --help`` does not import pandas and plotly):

- report: :func:`load_report`, :func:`save_report`, :func:`compute_durations`, :class:`Report`
- ingest: :func:`load_logs`, :func:`load_events`
- explore: :func:`load_metrics`, :func:`find_anomalies`, :func:`incident_overview`,
  :func:`metrics_panel`, :func:`http_view`, :func:`log_patterns`, :func:`compare_windows`,
  :func:`computed_impact`, :func:`promote_to_timeline`
- capture: :func:`edit_report`
- publish: :func:`publish`
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name → module that defines it
_EXPORTS: dict[str, str] = {
    "Report": "postmortem_kit.report",
    "load_report": "postmortem_kit.report",
    "save_report": "postmortem_kit.report",
    "compute_durations": "postmortem_kit.report",
    "load_logs": "postmortem_kit.ingest",
    "load_events": "postmortem_kit.ingest.events",
    "load_metrics": "postmortem_kit.explore",
    "find_anomalies": "postmortem_kit.explore",
    "incident_overview": "postmortem_kit.explore",
    "metrics_panel": "postmortem_kit.explore",
    "http_view": "postmortem_kit.explore",
    "log_patterns": "postmortem_kit.explore",
    "compare_windows": "postmortem_kit.explore",
    "computed_impact": "postmortem_kit.explore",
    "promote_to_timeline": "postmortem_kit.explore",
    "edit_report": "postmortem_kit.capture",
    "publish": "postmortem_kit.publish",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'postmortem_kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
