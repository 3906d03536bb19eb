"""postmortem-kit: turn an incident's evidence into a published postmortem."""

from postmortem_kit.report import Report, compute_durations, load_report, save_report

__all__ = ["Report", "compute_durations", "load_report", "save_report"]
__version__ = "0.1.0"
