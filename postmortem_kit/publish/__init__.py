"""Publishing: the nbconvert exporter, safe rendering, and ``publish``."""

from postmortem_kit.publish.exporter import PostmortemExporter, build_context
from postmortem_kit.publish.publish import PublishOptions, incident_notebook, publish

__all__ = ["PostmortemExporter", "PublishOptions", "build_context", "incident_notebook", "publish"]
