"""Root cause exploration: figures, log patterns, anomaly hints, computed impact, metric sources.

One public function per view; each takes keyword options that reject unknown names, and
``show=False`` returns the figure (or table) without displaying it. Figures are plain
``plotly.graph_objects.Figure`` objects built from time buckets, never raw points of a
large frame.
"""

from postmortem_kit.explore.accept import (
    accept_anomaly,
    accept_impact,
    accept_key_times,
    promote_to_timeline,
)
from postmortem_kit.explore.anomalies import find_anomalies
from postmortem_kit.explore.compare import compare_windows
from postmortem_kit.explore.http_view import http_view
from postmortem_kit.explore.impact import ComputedImpact, computed_impact
from postmortem_kit.explore.metric_formats import (
    METRIC_FORMATS,
    MetricFormat,
    load_metrics,
    metric_format_table,
    metric_formats,
)
from postmortem_kit.explore.metrics_panel import metrics_panel
from postmortem_kit.explore.overview import incident_overview
from postmortem_kit.explore.patterns import LogPatterns, log_patterns
from postmortem_kit.explore.prometheus import metrics_from_source, query_prometheus

__all__ = [
    "METRIC_FORMATS",
    "ComputedImpact",
    "LogPatterns",
    "MetricFormat",
    "accept_anomaly",
    "accept_impact",
    "accept_key_times",
    "compare_windows",
    "computed_impact",
    "find_anomalies",
    "http_view",
    "incident_overview",
    "load_metrics",
    "log_patterns",
    "metric_format_table",
    "metric_formats",
    "metrics_from_source",
    "metrics_panel",
    "promote_to_timeline",
    "query_prometheus",
]
