"""Safe pieces of the published page: Markdown through the sanitiser, links."""

from __future__ import annotations

import re

import pytest

from postmortem_kit.publish.render import markdown_html, safe_url


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://tracker.example/browse/SRE-1", True),
        ("mailto:sre@example.org", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("https://[host-3]/browse/SRE-1", False),  # host replaced by redaction: not a link
        ("https:///nohost", False),
    ],
)
def test_safe_url(url, kept):
    assert (safe_url(url) != "") is kept


def test_markdown_is_rendered_and_raw_html_is_not():
    out = markdown_html("**bold** <img src=x onerror=alert(1)> [x](javascript:alert(1))")
    assert "<strong>bold</strong>" in out
    assert "<img" not in out  # raw HTML is shown as text, never as a tag
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert re.findall(r'href="([^"]*)"', out) == ["#harmful-link"]
