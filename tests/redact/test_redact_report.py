"""Redacting a whole report and its figures: planted secrets of every kind, zero left."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import pytest

from postmortem_kit.publish.redact import RedactionError, RedactionProfile, Redactor
from tests.redact.conftest import IN_CONTEXT, SECRETS, all_secrets_text, leaks, secret_report


def test_report_has_every_secret_before(redactor):
    dumped = secret_report().model_dump_json()
    assert all(value in dumped for value in SECRETS.values())


def test_no_secret_survives_in_any_field(redactor):
    out = redactor.redact_report(secret_report())
    dumped = out.model_dump_json()
    assert leaks(dumped) == []
    assert leaks(str(out.model_dump())) == []


def test_provenance_file_names_and_links_are_redacted(redactor):
    out = redactor.redact_report(secret_report())
    ip = re.fullmatch(r"\[user-1\] saw (\[ip-\d+\]) fail\..*", out.summary.narrative).group(1)
    assert out.timeline[1].provenance == f"evidence/{ip}-app.log:12"
    host = re.fullmatch(r"Outage of (\[host-\d+\])", out.title).group(1)
    assert out.timeline[2].provenance == f"evidence/{host}.log:7"
    assert out.sources[0].path == f"evidence/{host}.log"
    assert out.links[0].url == "https://deploy:[password-1]@ci.example.net/job/7"
    assert out.actions[0].ticket.startswith("https://[host-")


def test_structure_and_enumerations_are_kept(redactor):
    report = secret_report()
    out = redactor.redact_report(report)
    assert (out.id, out.severity, out.status) == (report.id, report.severity, report.status)
    assert [e.time for e in out.timeline] == [e.time for e in report.timeline]
    assert [e.kind for e in out.timeline] == [e.kind for e in report.timeline]
    assert out.actions[0].type == "prevent" and out.actions[0].due == report.actions[0].due
    assert out.sources[0].timezone == "Europe/Berlin"
    assert report.summary.narrative.startswith("Ally saw 10.20.30.40")  # input untouched


def test_same_value_same_placeholder_across_sections(redactor):
    out = redactor.redact_report(secret_report())
    # the IPv6 address is written two ways; both become the same placeholder
    impact = re.fullmatch(r"(\[email-\d+\]) and (\[ip-\d+\]) were hit", out.summary.impact)
    assert impact, out.summary.impact
    assert f"see {impact.group(2)} here" in out.summary.trigger
    assert f"see {impact.group(1)} here" in out.root_cause.root_cause
    # the person in all spellings: full name, handle, display name, author, owner
    assert out.authors[0] == out.actions[0].owner == "[user-1]"
    assert out.summary.detection.startswith("[user-1] noticed errors from [ip-1]")
    assert out.authors[1] == "[user-2]"


def test_findings_count_kinds_and_never_hold_secrets(redactor):
    redactor.redact_report(secret_report())
    report = redactor.findings()
    data = json.loads(report.to_json())
    kinds = {row["kind"] for row in data["kinds"]}
    assert kinds == {
        "email", "ipv4", "ipv6", "internal-host", "bearer-token", "aws-key", "github-token",
        "slack-token", "keyword-secret", "random-string", "url-password", "slack-user",
        "custom:customer",
    }  # fmt: skip
    by_kind = {row["kind"]: row for row in data["kinds"]}
    assert by_kind["email"]["distinct"] == 2
    assert by_kind["ipv6"]["distinct"] == 1
    assert "timeline[1].provenance" in by_kind["ipv4"]["where"]
    assert data["total"] == sum(row["count"] for row in data["kinds"])
    assert leaks(report.to_json()) == []
    assert leaks(str(report)) == []


def test_findings_written_next_to_output(redactor, tmp_path):
    redactor.redact_text(all_secrets_text(), where="log line")
    path = redactor.findings().write(tmp_path / "redaction.json")
    assert json.loads(path.read_text())["audience"] == "external"
    assert leaks(path.read_text()) == []


def figure_with_secrets() -> dict:
    """A plotly figure dict with secrets in every text slot, plus a binary numeric array."""
    text = all_secrets_text()
    figure = go.Figure(
        go.Scatter(
            x=["2026-10-14T13:00:00+00:00", "2026-10-14T13:01:00+00:00"],
            y=[1, 2],
            name=f"requests from {SECRETS['ipv4']}",
            text=[text, SECRETS["email"]],
            hovertext=[SECRETS["slack-user-full-name"], IN_CONTEXT["url-password"]],
            customdata=[[SECRETS["aws-key"], 1], [SECRETS["internal-host"], 2]],
            hovertemplate=f"%{{text}}<br>{SECRETS['github-token']}<extra></extra>",
            mode="lines+markers",
        )
    )
    figure.add_bar(x=[SECRETS["ipv6"], "other"], y=[3, 4], name=SECRETS["slack-user-handle"])
    figure.add_annotation(x=0, y=1, text=IN_CONTEXT["bearer-token"])
    figure.update_layout(
        title=f"errors on {SECRETS['internal-host']}",
        xaxis_title=SECRETS["slack-token"],
        legend_title_text=IN_CONTEXT["keyword-secret"],
    )
    data = figure.to_plotly_json()
    data["data"][0]["y"] = {"dtype": "f8", "bdata": "AAAAAAAA8D8AAAAAAAAAQA=="}
    data["data"][1]["meta"] = {"note": [SECRETS["custom"], SECRETS["random-string"]]}
    return data


def test_figure_has_secrets_before():
    dumped = json.dumps(figure_with_secrets())
    assert all(value in dumped for value in SECRETS.values())


def test_no_secret_survives_in_a_figure(redactor):
    out = redactor.redact_figure(figure_with_secrets(), name="figure-3")
    assert leaks(json.dumps(out)) == []
    trace = out["data"][0]
    assert trace["type"] == "scatter" and trace["mode"] == "lines+markers"
    assert trace["y"] == {"dtype": "f8", "bdata": "AAAAAAAA8D8AAAAAAAAAQA=="}
    assert trace["x"] == ["2026-10-14T13:00:00+00:00", "2026-10-14T13:01:00+00:00"]
    assert trace["hovertemplate"] == "%{text}<br>[github-token-1]<extra></extra>"
    assert trace["customdata"] == [["[aws-key-1]", 1], ["[host-1]", 2]]
    go.Figure(out)  # still a valid figure
    where = {w for row in redactor.findings().entries for w in row.where}
    assert "figure-3.data[0].hovertext" in where
    assert "figure-3.layout.annotations[0].text" in where


def test_report_and_figures_share_placeholders(redactor):
    out = redactor.redact_report(secret_report())
    figure = redactor.redact_figure(figure_with_secrets())
    ip = re.search(r"\[ip-\d+\]", out.timeline[1].provenance).group(0)
    assert figure["data"][0]["name"] == f"requests from {ip}"
    assert figure["data"][0]["hovertext"][0] == out.authors[0] == "[user-1]"


def test_password_seen_only_in_a_figure_is_redacted_bare_in_the_report(profile):
    redactor = Redactor(profile)
    figure = {"data": [{"type": "scatter", "text": ["postgres://app:Rt9vQ2kLm@db/x"]}]}
    report = secret_report()
    report.lessons.got_lucky = ["the password Rt9vQ2kLm was already expiring"]
    redactor.scan(report, figure)
    out = redactor.redact_report(report)
    assert out.lessons.got_lucky == ["the password [password-2] was already expiring"]
    assert redactor.redact_figure(figure)["data"][0]["text"] == ["postgres://app:[password-2]@db/x"]


def test_plotly_figure_object_is_accepted(redactor):
    out = redactor.redact_figure(go.Figure(go.Bar(x=[SECRETS["email"]], y=[1])))
    assert out["data"][0]["x"] == ["[email-1]"]


def test_internal_audience_redacts_credentials_only():
    from postmortem_kit.publish.redact_patterns import CREDENTIAL_KINDS

    redactor = Redactor(RedactionProfile(name="internal", kinds=CREDENTIAL_KINDS))
    out = redactor.redact_report(secret_report())
    dumped = out.model_dump_json()
    for kind in ("aws-key", "github-token", "slack-token", "url-password", "keyword-secret"):
        assert SECRETS[kind] not in dumped, kind
    assert SECRETS["email"] in dumped and SECRETS["ipv4"] in dumped
    assert "Alice Johnson" in dumped


def test_html_fragment_text_and_attributes(redactor):
    fragment = (
        f'<p title="{SECRETS["ipv4"]}">Mail <a href="mailto:{SECRETS["email"]}">'
        f"{SECRETS['email']}</a> &amp; {SECRETS['slack-user-full-name']}</p>"
    )
    out = redactor.redact_html_fragment(fragment)
    assert out == (
        '<p title="[ip-1]">Mail <a href="mailto:[email-1]">[email-1]</a> &amp; [user-1]</p>'
    )


def test_html_fragment_with_script_is_refused(redactor):
    with pytest.raises(RedactionError, match="redact the figure dict"):
        redactor.redact_html_fragment('<div></div><script>Plotly.newPlot("x", [])</script>')


def test_sample_incident_people_vanish():
    from tests.conftest import SAMPLE_INCIDENT

    users_file = SAMPLE_INCIDENT / "evidence" / "slack" / "users.json"
    if not users_file.is_file():
        pytest.skip("data/INC-2041 not generated yet")
    from postmortem_kit.report import load_report

    people = [u for u in json.loads(users_file.read_text()) if not u.get("is_bot")]
    names = {u["real_name"] for u in people if u.get("real_name")}
    report = load_report(SAMPLE_INCIDENT)
    before = report.model_dump_json()
    assert any(name in before for name in names)
    out = Redactor.for_audience(SAMPLE_INCIDENT, "external").redact_report(report)
    after = out.model_dump_json()
    assert [n for n in names if n in after] == []
    assert [p for n in names for p in n.split() if re.search(rf"\b{p}\b", after)] == []


def test_secret_in_a_figure_key_fails(redactor):
    figure = {"data": [{"type": "bar", "meta": {SECRETS["email"]: 1}}], "layout": {}}
    with pytest.raises(RedactionError, match=r"figure.data\[0\].meta: a key .* of kind 'email'"):
        redactor.redact_figure(figure)
