"""Markdown for the form previews, and list fields written as Markdown lists.

A list field (five whys, contributing factors, lessons) is edited as one text box: one item
per line, optionally bulleted (``-``, ``*``, ``1.``); indented lines continue the item above,
so an item may span lines. :func:`items_to_text` and :func:`text_to_items` are inverses.
"""

from __future__ import annotations

import html
import re

try:  # mistune ships with nbconvert; fall back to escaped text without it
    import mistune

    _RENDER = mistune.create_markdown(escape=True, plugins=["strikethrough", "table", "url"])
except ImportError:  # pragma: no cover - nbconvert is a dependency
    _RENDER = None

_BULLET = re.compile(r"^(?:[-*+]|\d+[.)])\s+")


def render_markdown(text: str) -> str:
    """Markdown to HTML for a preview; raw HTML in the text is escaped, not rendered."""
    if not text.strip():
        return '<p class="pmk-empty"><em>Nothing written yet.</em></p>'
    if _RENDER is None:
        return f"<pre>{html.escape(text)}</pre>"
    return str(_RENDER(text))


def items_to_text(items: list[str], *, ordered: bool = False) -> str:
    """A list field as the text box shows it: ``- item`` lines, continuations indented."""
    lines = []
    for number, item in enumerate(items, start=1):
        marker = f"{number}. " if ordered else "- "
        first, *rest = item.split("\n") or [""]
        lines.append(marker + first)
        indent = " " * len(marker)
        lines.extend(indent + line if line else "" for line in rest)
    return "\n".join(lines)


def text_to_items(text: str) -> list[str]:
    """Read a list field's text box back into items.

    A line starting at the margin starts an item (its bullet or number is dropped); an
    indented line continues the item above (its indent is dropped, as Markdown ignores it);
    blank lines between items are ignored.
    """
    items: list[list[str]] = []
    pending_blank = 0
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line:
            pending_blank += 1
            continue
        if items and raw.startswith((" ", "\t")):
            items[-1].extend([""] * pending_blank)
            items[-1].append(line.lstrip())
        else:
            items.append([_BULLET.sub("", line.strip(), count=1)])
        pending_blank = 0
    return ["\n".join(parts) for parts in items]


def render_items(items: list[str], *, ordered: bool = False) -> str:
    """A list field as an HTML preview."""
    if not items:
        return render_markdown("")
    return render_markdown(items_to_text(items, ordered=ordered))
