"""Where the files installed with the package live: templates, the template notebook, the
sample incident.

A wheel carries them under ``postmortem_kit/_resources`` (see ``pyproject.toml``); a source
checkout (editable install, tests) keeps them at the top of the tree.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from postmortem_kit.errors import PostmortemError

_INSTALLED = Path(str(files("postmortem_kit"))) / "_resources"
_SOURCE_TREE = Path(__file__).resolve().parent.parent

#: resource name → path inside ``_resources`` and inside the source tree
RESOURCES: dict[str, str] = {
    "templates": "templates",
    "template_notebook": "notebooks/postmortem.ipynb",
    "sample_incident": "data/INC-2041",
}
_INSTALLED_LAYOUT = {
    "templates": "templates",
    "template_notebook": "notebooks/postmortem.ipynb",
    "sample_incident": "sample/INC-2041",
}


def resource_path(name: str) -> Path:
    """The path of a packaged resource: ``templates``, ``template_notebook`` or
    ``sample_incident``.

    Raises
    ------
    PostmortemError
        If the resource is missing from both the installed package and the source tree.
    """
    candidates = [_INSTALLED / _INSTALLED_LAYOUT[name], _SOURCE_TREE / RESOURCES[name]]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise PostmortemError(
        f"packaged resource {name!r} not found (looked in {', '.join(map(str, candidates))}); "
        "reinstall postmortem-kit"
    )
