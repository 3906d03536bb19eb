"""The pattern table one kind at a time: what is found, what is left alone, placeholders."""

from __future__ import annotations

import pytest

from postmortem_kit.errors import OptionsError
from postmortem_kit.publish.redact import RedactionError, RedactionProfile, Redactor
from postmortem_kit.publish.redact_patterns import ALL_KINDS, BUILTIN_KINDS, CREDENTIAL_KINDS
from tests.redact.conftest import IN_CONTEXT, SECRETS, planted


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_every_planted_kind_is_replaced(redactor, kind):
    text = planted(kind)
    out = redactor.redact_text(text)
    assert SECRETS[kind] not in out
    assert out.startswith("see ") and out.endswith(" here")
    assert "[" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from 10.0.0.1 to 10.0.0.1:8080", "from [ip-1] to [ip-1]:8080"),
        ("v6 fe80::1%eth0 and [2001:db8::1]:443", "v6 [ip-1] and [[ip-2]]:443"),
        ("2001:DB8::1 is 2001:db8:0:0:0:0:0:1", "[ip-1] is [ip-1]"),
        ("Mail A.B@Example.com or a.b@example.COM", "Mail [email-1] or [email-1]"),
        ("ssh db-1.corp.example.com, then CORP.example.com.", "ssh [host-1], then [host-2]."),
        ("GET https://u:p4ssw0rd@h.example.net/", "GET https://u:[password-1]@h.example.net/"),
        ('{"api_key": "Zx8kQ2mN7pL4vR9t"}', '{"api_key": "[secret-1]"}'),
        ("password: hunter2", "password: [secret-1]"),
        ("token=Ab12Cd34Ef", "token=[secret-1]"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==", "Authorization: Basic [token-1]"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "[private-key-1]"),
        ("https://hooks.slack.com/services/T0/B0/abcdefgh12345678", "[webhook-1]"),
        ("gho_abcdefghijklmnopqrstuvwxyz0123456789", "[github-token-1]"),
        ("ASIAY34FZKBOKMUTVV7A", "[aws-key-1]"),
        ("xoxp-2-3-abcdefghij", "[slack-token-1]"),
    ],
)
def test_replacements(redactor, text, expected):
    assert redactor.redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "at 13:00:00 and 2026-10-14T13:05:00+00:00",
        "std::vector<int> and a::b",
        "MAC aa:bb:cc:dd:ee:ff",
        "trace 4bf92f3577b34da6a3ce929d0e0e4736 commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "PaymentService/ProcessPayment12 and evidence/slack/inc/2026-10-14.json:3",
        "kube-system-coredns-5d78c9869d-abcde OrderServiceV2Handler2024",
        "the bearer token expired; token: expired; password: none",
        "loopback 127.0.0.1 and ::1",
        "public host status.example.com and ci.example.net",
        "will be fixed; the will of the team",  # 'Will' is a first name only capitalised
        "version 1.2.3 and 1.2.3.4.5",
        "blameless review within 2 days",
    ],
)
def test_left_alone(redactor, text):
    assert redactor.redact_text(text) == text


def test_first_name_part_is_matched_as_written(redactor):
    assert redactor.redact_text("Will said so") == "[user-1] said so"
    assert redactor.redact_text("Will Kowalski and bkowalski") == "[user-1] and [user-1]"


def test_bots_are_not_people(redactor):
    assert redactor.redact_text("deploybot and Deploy Bot ran") == "deploybot and Deploy Bot ran"


def test_placeholders_number_by_first_appearance_per_word(redactor):
    out = redactor.redact_text("10.0.0.2 a@b.io 10.0.0.1 c@d.io 10.0.0.2 ::ffff:1.2.3.4")
    assert out == "[ip-1] [email-1] [ip-2] [email-2] [ip-1] [ip-3]"
    assert redactor.redact_text("1.2.3.4") == "[ip-3]"  # the IPv4-mapped address is the same


def test_redaction_is_idempotent(redactor):
    once = redactor.redact_text(" ".join(IN_CONTEXT.values()) + " " + SECRETS["ipv6"])
    assert redactor.redact_text(once) == once


def test_allow_list_and_allow_patterns(users_json):
    redactor = Redactor(
        RedactionProfile(
            internal_domains=("corp.example.com",),
            allow=("8.8.8.8", "Status.Corp.Example.com"),
            allow_patterns=(r"support@.*",),
        )
    )
    text = "8.8.8.8 9.9.9.9 status.corp.example.com db.corp.example.com support@x.io a@x.io"
    assert redactor.redact_text(text) == (
        "8.8.8.8 [ip-1] status.corp.example.com [host-1] support@x.io [email-1]"
    )


def test_allowed_email_protects_its_host(users_json):
    profile = RedactionProfile(
        internal_domains=("corp.example.com",), allow=("ops@corp.example.com",)
    )
    assert Redactor(profile).redact_text("ops@corp.example.com") == "ops@corp.example.com"


def test_custom_pattern_with_secret_group():
    redactor = Redactor(RedactionProfile(patterns={"order": r"order #(?P<secret>\d{5})"}))
    assert redactor.redact_text("order #12345 and order #12345") == (
        "order #[order-1] and order #[order-1]"
    )


def test_kinds_switch_off():
    redactor = Redactor(RedactionProfile(kinds=("email",)))
    assert redactor.redact_text("a@b.io 10.0.0.1") == "[email-1] 10.0.0.1"


def test_kind_tables_are_consistent():
    names = [k.name for k in BUILTIN_KINDS]
    assert len(names) == len(set(names))
    assert set(CREDENTIAL_KINDS) < set(ALL_KINDS)
    assert {"internal-host", "slack-user", "name"} <= set(ALL_KINDS)


def test_listed_names():
    redactor = Redactor(RedactionProfile(names=("Priya Natarajan",)))
    assert redactor.redact_text("Priya Natarajan and Priya") == "[user-1] and [user-1]"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kinds": ("emails",)}, "unknown redaction kind"),
        ({"patterns": {"Bad Name": "x"}}, "lower-case"),
        ({"patterns": {"x": "("}}, "not a valid regex"),
        ({"patterns": {"x": "a*"}}, "matches the empty string"),
        ({"internal_domain": ("x",)}, "did you mean 'internal_domains'"),
    ],
)
def test_bad_profiles_are_rejected(options, message):
    with pytest.raises(OptionsError, match=message):
        RedactionProfile.from_kwargs("profile", **options)


def test_unreadable_users_file_fails(tmp_path):
    bad = tmp_path / "users.json"
    bad.write_text("{not json")
    with pytest.raises(RedactionError, match="cannot read Slack users"):
        Redactor(RedactionProfile(slack_users=(str(bad),)))
    with pytest.raises(RedactionError, match="cannot read Slack users"):
        Redactor(RedactionProfile(slack_users=(str(tmp_path / "missing.json"),)))


def test_non_text_fails(redactor):
    with pytest.raises(RedactionError, match="expected text"):
        redactor.redact_text(b"10.0.0.1")  # type: ignore[arg-type]


def test_something_left_after_redaction_fails_without_quoting_it():
    # a pattern that only matches the placeholder the IP turns into: the re-scan catches it
    redactor = Redactor(RedactionProfile(patterns={"odd": r"-1\]"}))
    with pytest.raises(RedactionError, match="still detectable") as error:
        redactor.redact_text("10.9.8.7", where="summary.impact")
    assert "10.9.8.7" not in str(error.value)
    assert "summary.impact" in str(error.value)


def test_failure_inside_a_report_fails_the_whole_report(tmp_path):
    from tests.redact.conftest import secret_report

    redactor = Redactor(RedactionProfile(patterns={"odd": r"-1\]"}))
    with pytest.raises(RedactionError):
        redactor.redact_report(secret_report())
