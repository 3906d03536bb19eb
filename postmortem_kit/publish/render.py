"""Turn report values into safe HTML pieces for the published report.

Everything a person typed is either escaped (plain fields) or rendered from Markdown and then
sanitised with nh3 (long text fields), so no field can run script or change the page.
"""

from __future__ import annotations

import datetime as dt
import html
import urllib.parse
from zoneinfo import ZoneInfo

import mistune
import nh3

_MARKDOWN = mistune.create_markdown(escape=True, plugins=["strikethrough", "table", "url"])

#: Tags and attributes allowed in rendered Markdown; everything else is stripped.
_ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def markdown_html(text: str | None) -> str:
    """Render Markdown to sanitised HTML (raw HTML in the input is escaped, not passed)."""
    if not text:
        return ""
    rendered = _MARKDOWN(text)
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def escape(value: object) -> str:
    """Escape any value for HTML text or attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: str | None) -> str:
    """The URL if it is a well-formed http(s) or mailto URL, else an empty string.

    Rejects ``javascript:`` and other schemes, and URLs whose host a redaction replaced with a
    placeholder (``https://[host-1]/...``), which are shown as text instead of a dead link.
    """
    if not url:
        return ""
    url = url.strip()
    lowered = url.lower()
    if lowered.startswith("mailto:"):
        return url
    if not lowered.startswith(("http://", "https://")):
        return ""
    try:
        host = urllib.parse.urlsplit(url).hostname
    except ValueError:
        return ""
    return url if host else ""


def utc_time(moment: dt.datetime | None, *, seconds: bool = True) -> str:
    """``2026-10-14 14:07:00 UTC`` or ``—``."""
    if moment is None:
        return "—"
    fmt = "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    return moment.astimezone(dt.UTC).strftime(fmt)


def local_time(moment: dt.datetime | None, zone: str | None) -> str:
    """Time in a named zone with its abbreviation, e.g. ``16:07:00 CEST``; ``—`` if unknown."""
    if moment is None or not zone:
        return "—"
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime("%Y-%m-%d %H:%M:%S %Z")
