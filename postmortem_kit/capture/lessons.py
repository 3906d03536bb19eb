"""Section 5, Lessons learned: what went well, what went wrong, where we got lucky, and
recommendations for the incident-response process."""

from __future__ import annotations

import ipywidgets as widgets

from postmortem_kit.capture.fields import ListField
from postmortem_kit.capture.section import SectionEditor


class LessonsEditor(SectionEditor):
    """Section 5: lessons for the next incident."""

    heading = "Lessons learned"

    def build(self) -> list[widgets.Widget]:
        b = self.binding
        return [
            self.add(ListField(b, ("lessons", "went_well"), "What went well")),
            self.add(ListField(b, ("lessons", "went_wrong"), "What went wrong")),
            self.add(ListField(b, ("lessons", "got_lucky"), "Where we got lucky")),
            self.add(ListField(b, ("lessons", "recommendations"), "Process recommendations")),
        ]
