"""Section 3, Root cause analysis: root cause, trigger, contributing factors, five whys and
recommendations. The trigger is the summary's ``trigger`` field, shown here too."""

from __future__ import annotations

import ipywidgets as widgets

from postmortem_kit.capture.fields import ListField, MarkdownField
from postmortem_kit.capture.section import SectionEditor


class RootCauseEditor(SectionEditor):
    """Section 3: why it happened and what to change."""

    heading = "Root cause analysis"

    def build(self) -> list[widgets.Widget]:
        b = self.binding
        return [
            self.add(MarkdownField(b, ("root_cause", "root_cause"), "Root cause", rows=6)),
            self.add(MarkdownField(b, ("summary", "trigger"), "Trigger", rows=3)),
            self.add(ListField(b, ("root_cause", "contributing_factors"), "Contributing factors")),
            self.add(ListField(b, ("root_cause", "five_whys"), "Five whys", ordered=True, rows=5)),
            self.add(ListField(b, ("root_cause", "recommendations"), "Recommendations")),
        ]
