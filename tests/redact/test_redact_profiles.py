"""Where redaction profiles come from: postmortem.yaml, pyproject.toml up the tree, built-ins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from postmortem_kit.publish.redact import RedactionError, Redactor, load_profile
from postmortem_kit.publish.redact_patterns import ALL_KINDS, CREDENTIAL_KINDS
from tests.redact.conftest import USERS


def incident(root: Path, name: str = "INC-1") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "postmortem.yaml").write_text("id: INC-1\ntitle: t\n")
    return folder


def add_audiences(folder: Path, text: str) -> None:
    """Append an ``audiences:`` block to the incident's postmortem.yaml."""
    report = folder / "postmortem.yaml"
    report.write_text(report.read_text() + text)


def test_builtin_profiles(tmp_path):
    folder = incident(tmp_path)
    external = load_profile(folder, "external")
    internal = load_profile(folder, "internal")
    assert external.kinds == ALL_KINDS and internal.kinds == CREDENTIAL_KINDS
    assert external.internal_domains == () and external.slack_users == ()


def test_unknown_audience_without_config_fails(tmp_path):
    with pytest.raises(RedactionError, match="unknown audience 'partners'"):
        load_profile(incident(tmp_path), "partners")


def test_audiences_in_postmortem_yaml(tmp_path):
    folder = incident(tmp_path)
    add_audiences(
        folder,
        "audiences:\n"
        "  external:\n"
        "    internal_domains: [corp.example.com]\n"
        "    allow: [status.corp.example.com]\n"
        "    patterns:\n"
        "      customer: 'CUST-\\d{6}'\n"
        "  partners:\n"
        "    kinds: [email]\n",
    )
    redactor = Redactor.for_audience(folder, "external")
    text = "db.corp.example.com status.corp.example.com CUST-123456 10.0.0.1"
    assert redactor.redact_text(text) == "[host-1] status.corp.example.com [customer-1] [ip-1]"
    partners = Redactor.for_audience(folder, "partners")
    assert partners.redact_text("a@b.io 10.0.0.1") == "[email-1] 10.0.0.1"


def test_pyproject_up_the_tree(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n"
        "[tool.postmortem.audiences.external]\n"
        "internal-domains = ['corp.example.com']\n"
        "names = ['Priya Natarajan']\n"
    )
    folder = incident(tmp_path / "incidents" / "2026")
    profile = load_profile(folder, "external")
    assert profile.internal_domains == ("corp.example.com",)
    assert Redactor(profile).redact_text("Priya on db.corp.example.com") == "[user-1] on [host-1]"


def test_postmortem_yaml_wins_over_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.postmortem.audiences.external]\ninternal_domains = ['a.example']\n"
    )
    folder = incident(tmp_path)
    add_audiences(folder, "audiences:\n  external:\n    internal_domains: [b.example]\n")
    assert load_profile(folder, "external").internal_domains == ("b.example",)


def test_nearest_pyproject_with_audiences_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.postmortem.audiences.external]\ninternal_domains = ['outer.example']\n"
    )
    inner = tmp_path / "team"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'no postmortem table here'\n")
    folder = incident(inner)
    assert load_profile(folder, "external").internal_domains == ("outer.example",)


def test_unknown_setting_names_the_file(tmp_path):
    folder = incident(tmp_path)
    add_audiences(folder, "audiences:\n  external:\n    internal_domain: [x]\n")
    with pytest.raises(RedactionError, match="postmortem.yaml.*did you mean 'internal_domains'"):
        load_profile(folder, "external")


def test_broken_pyproject_fails(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.postmortem\n")
    with pytest.raises(RedactionError, match="pyproject.toml: cannot read"):
        load_profile(incident(tmp_path), "external")


def test_slack_users_found_in_evidence(tmp_path):
    folder = incident(tmp_path)
    export = folder / "evidence" / "slack"
    export.mkdir(parents=True)
    (export / "users.json").write_text(json.dumps(USERS))
    profile = load_profile(folder, "external")
    assert profile.slack_users == (str(export / "users.json"),)
    assert Redactor(profile).redact_text("Ally and alice.j") == "[user-1] and [user-1]"


def test_slack_users_path_is_relative_to_the_config(tmp_path):
    folder = incident(tmp_path)
    (tmp_path / "people.json").write_text(json.dumps(USERS))
    add_audiences(folder, "audiences:\n  external:\n    slack_users: ../people.json\n")
    redactor = Redactor.for_audience(folder)
    assert redactor.redact_text("Alice Johnson") == "[user-1]"


def test_missing_configured_users_file_fails(tmp_path):
    folder = incident(tmp_path)
    add_audiences(folder, "audiences:\n  external:\n    slack_users: [nowhere/users.json]\n")
    with pytest.raises(RedactionError, match="users.json"):
        Redactor.for_audience(folder)
