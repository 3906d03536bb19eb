"""Publishing is safe: planted script cannot run (checked in Chromium), and for an external
audience no planted secret survives in any published byte (HTML, Markdown, PDF)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from postmortem_kit.publish import publish
from postmortem_kit.report import Audience, Report, load_report, save_report

pytestmark = [pytest.mark.notebook]

T0 = dt.datetime(2026, 10, 14, 14, 0, tzinfo=dt.UTC)

PAYLOADS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 2">',
    "[click me](javascript:window.__xss=3)",
    '<a href="javascript:window.__xss=4">link</a>',
    '"><svg onload="window.__xss = 5">',
    "</script><script>window.__xss = 6</script>",
    '<iframe src="javascript:window.__xss=7"></iframe>',
    "<style>body { display: none }</style>",
]
PAYLOAD = " ".join(PAYLOADS)


SLACK_USER = {
    "id": "U1", "name": "jdoe", "real_name": "Jordan Doe",
    "profile": {"display_name": "jordan.doe", "real_name": "Jordan Doe"},
}  # fmt: skip


def _minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def _write_evidence(folder: Path, text: str) -> None:
    evidence = folder / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(120):
        level = "error" if 20 <= i < 50 else "info"
        message = f"request {i} handled" if i != 30 else f"upstream said: {text}"
        stamp = (T0 + dt.timedelta(seconds=30 * i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        lines.append(json.dumps({"ts": stamp, "level": level, "msg": message, "host": "app-1"}))
    (evidence / "app.jsonl").write_text("\n".join(lines) + "\n")
    deploys = [
        {"id": "CHG-1", "time": _minutes(5).isoformat(), "service": "api", "kind": "config",
         "description": f"config push {text}", "author": "deployer", "status": "succeeded"},
    ]  # fmt: skip
    (evidence / "deploys.json").write_text(json.dumps(deploys, indent=2))
    slack = evidence / "slack"
    (slack / "inc-9").mkdir(parents=True, exist_ok=True)
    (slack / "users.json").write_text(json.dumps([SLACK_USER]))
    (slack / "channels.json").write_text(json.dumps([{"id": "C1", "name": "inc-9"}]))
    messages = [
        {"type": "message", "user": "U1", "text": f"seeing errors: {text}",
         "ts": f"{_minutes(11).timestamp():.6f}"},
        {"type": "message", "user": "U1", "text": "rolling back now",
         "ts": f"{_minutes(20).timestamp():.6f}"},
    ]  # fmt: skip
    (slack / "inc-9" / "2026-10-14.json").write_text(json.dumps(messages, indent=2))


def _make_incident(folder: Path, text: str, *, status: str = "in review") -> Path:
    """An incident whose every string field (and a log line, a deploy record) holds ``text``."""
    _write_evidence(folder, text)
    report = Report.model_validate(
        {
            "id": "INC-9", "title": f"Title {text}", "severity": "SEV2", "status": status,
            "authors": [f"author {text}"], "services": [f"svc {text}"], "tags": [f"tag {text}"],
            "summary": {
                "narrative": f"Narrative {text}", "impact": f"Impact 42 users {text}",
                "users_affected": 42, "trigger": f"Trigger {text}",
                "detection": f"Detection {text}",
                "impact_start": _minutes(10), "detected": _minutes(12),
                "acknowledged": _minutes(14), "mitigated": _minutes(25), "resolved": _minutes(40),
            },
            "timeline": [
                {"time": _minutes(10), "description": f"Event {text}", "source": f"src {text}",
                 "kind": "impact", "pinned": True,
                 "provenance": f"evidence/app.jsonl:31 {text}"},
                {"time": _minutes(11), "description": f"Jordan Doe in chat: seeing errors: {text}",
                 "source": "slack", "kind": "communication", "pinned": True,
                 "provenance": "evidence/slack/inc-9/2026-10-14.json:2"},
            ],
            "root_cause": {
                "root_cause": f"Root cause {text}", "contributing_factors": [f"factor {text}"],
                "five_whys": [f"why {text}"], "recommendations": [f"rec {text}"],
            },
            "actions": [
                {"id": "A1", "description": f"Action {text}", "type": "prevent",
                 "owner": f"owner {text}", "due": dt.date(2030, 1, 1),
                 "ticket": f"javascript:alert(1) {text}", "priority": "P2"},
            ],
            "lessons": {
                "went_well": [f"well {text}"], "went_wrong": [f"wrong {text}"],
                "got_lucky": [f"lucky {text}"], "recommendations": [f"ir {text}"],
            },
            "links": [{"title": f"link {text}", "url": "javascript:window.__xss=8"}],
            "sources": [
                {"name": "app", "kind": "logs", "path": "evidence/app.jsonl", "format": "json"},
                {"name": "deploys", "kind": "events", "path": "evidence/deploys.json",
                 "format": "deploys"},
                {"name": "slack", "kind": "events", "path": "evidence/slack", "format": "slack"},
            ],
        }
    )  # fmt: skip
    save_report(report, folder)
    return folder


def test_planted_markup_cannot_run_or_change_the_page(tmp_path, page):
    folder = _make_incident(tmp_path / "xss", PAYLOAD)
    page_file = publish(folder, build_time="T")
    html = page_file.read_text()
    # the payload text is shown, escaped, in the page
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_file.as_uri(), wait_until="load")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".every(d => d.querySelector('.main-svg'))",
        timeout=30_000,
    )
    # hover every marker so hover text is rendered too
    for point in page.locator(".scatterlayer .point").all()[:40]:
        point.hover(force=True)
    state = page.evaluate(
        """() => ({
          xss: window.__xss,
          handlers: Array.from(document.querySelectorAll('*')).flatMap(el =>
              Array.from(el.attributes).filter(a => a.name.startsWith('on'))
              .map(a => el.tagName + ' ' + a.name)),
          jsLinks: Array.from(document.querySelectorAll('[href],[src]')).map(
              el => el.getAttribute('href') || el.getAttribute('src'))
              .filter(v => /^\\s*javascript:/i.test(v)),
          iframes: document.querySelectorAll('iframe').length,
          styles: document.querySelectorAll('body style').length,
          bodyVisible: getComputedStyle(document.body).display !== 'none',
          sections: Array.from(document.querySelectorAll('main > section > h2'))
              .map(h => h.textContent),
          title: document.querySelector('header h1').textContent,
          foreignScripts: Array.from(document.scripts).map(s => s.textContent.trim())
              .filter(t => !t.startsWith('/**') && !t.startsWith('window.PLOTLYENV'))
              .length,
        })"""
    )
    assert state["xss"] is None
    assert dialogs == []
    assert state["handlers"] == []
    assert state["jsLinks"] == []
    assert state["iframes"] == 0
    assert state["styles"] == 0 and state["bodyVisible"]
    assert state["foreignScripts"] == 0
    assert state["sections"][:5] == [
        "1. Summary",
        "2. Timeline",
        "3. Root cause analysis",
        "4. Corrective and preventive actions",
        "5. Lessons learned",
    ]
    assert state["title"] == f"Title {PAYLOAD}"


SECRETS = {
    "email": "alice.nguyen@harborpine.example",
    "ipv4": "10.20.30.40",
    "ipv6": "2001:db8:0:1::42",
    "internal host": "db-7.corp.harborpine.example",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEFghiJKL123456",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "github": "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
    "slack token": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "url password": "hunter2sup3rs3cret",
    "slack user": "Jordan Doe",
}
PLANTED = (
    f"mail {SECRETS['email']} from {SECRETS['ipv4']} and [{SECRETS['ipv6']}] via "
    f"{SECRETS['internal host']} with Authorization: Bearer {SECRETS['bearer']} "
    f"key {SECRETS['aws']} token {SECRETS['github']} slack {SECRETS['slack token']} "
    f"url https://deploy:{SECRETS['url password']}@ci.example.org/job"
)


@pytest.fixture(scope="module")
def external_incident(tmp_path_factory) -> Path:
    folder = _make_incident(tmp_path_factory.mktemp("secrets") / "inc", PLANTED)
    report = load_report(folder)
    report.audiences = {"external": Audience(internal_domains=["corp.harborpine.example"])}
    save_report(report, folder)
    return folder


def _assert_no_secret(data: str, where: str) -> None:
    found = {kind: value for kind, value in SECRETS.items() if value in data}
    assert found == {}, f"{where} still holds {sorted(found)}"


def test_external_html_and_its_figures_hold_no_secret(external_incident):
    page = publish(external_incident, audience="external", build_time="T")
    html = page.read_text()
    _assert_no_secret(html, "html")
    # the secrets were really in the figure data before redaction: the deploy's hover text
    assert "config push" in html and "[ip-1]" in html
    report = json.loads(page.with_name("postmortem.redaction.json").read_text())
    _assert_no_secret(json.dumps(report), "redaction report")
    kinds = {k["kind"] for k in report["kinds"]}
    assert len(kinds) >= 8, kinds
    internal = publish(external_incident, out=page.with_name("internal.html"), build_time="T")
    assert SECRETS["ipv4"] in internal.read_text()  # internal keeps addresses
    assert SECRETS["aws"] not in internal.read_text()  # but never credentials


@pytest.mark.browser
def test_external_markdown_and_pdf_hold_no_secret(external_incident, chromium_path):
    pypdf = pytest.importorskip("pypdf")
    md = publish(external_incident, audience="external", format="md", build_time="T")
    text = md.read_text()
    _assert_no_secret(text, "markdown")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert images and all((md.parent / image).stat().st_size > 1000 for image in images)
    pngs = {image: (md.parent / image).read_bytes() for image in images}
    again = publish(external_incident, audience="external", format="md", build_time="T")
    assert again.read_text() == text  # deterministic, build-time line included (fixed here)
    assert {image: (md.parent / image).read_bytes() for image in images} == pngs
    assert "<script" not in text
    pdf = publish(external_incident, audience="external", format="pdf", build_time="T")
    assert pdf.read_bytes().startswith(b"%PDF")
    reader = pypdf.PdfReader(str(pdf))
    pdf_text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Root cause analysis" in pdf_text
    _assert_no_secret(pdf_text.replace("\n", ""), "pdf text")
    _assert_no_secret(pdf_text, "pdf text")
