"""Each review rule of ``postmortem check`` on crafted reports: one spoiled field at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from postmortem_kit.errors import OptionsError
from postmortem_kit.publish.check import check_report
from postmortem_kit.publish.check_rules import RULES
from postmortem_kit.report import Action, TimelineEvent
from tests.check.conftest import TODAY, at


def found(report, **options) -> list[tuple[str, str, str]]:
    """(rule, level, field) of every finding."""
    result = check_report(report, today=options.pop("today", TODAY), **options)
    return [(f.rule, f.level, f.field) for f in result.findings]


def test_clean_report_has_no_findings(report):
    result = check_report(report, today=TODAY)
    assert result.findings == ()
    assert result.ok and result.exit_code() == 0 and result.exit_code(strict=True) == 0


def test_rule_table_ids_are_unique_and_levels_known():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)) == 11
    assert {r.level for r in RULES} == {"error", "warning"}


@pytest.mark.parametrize(
    ("section", "field", "empty"),
    [
        ("summary", "narrative", ""),
        ("summary", "impact", "  "),
        ("summary", "trigger", ""),
        ("summary", "detection", ""),
        ("root_cause", "root_cause", "\n"),
        ("lessons", "went_well", []),
        ("lessons", "went_wrong", [" "]),
    ],
)
def test_empty_required_field_is_an_error(report, section, field, empty):
    setattr(getattr(report, section), field, empty)
    assert ("required-sections", "error", f"{section}.{field}") in found(report)


def test_empty_timeline_and_actions_are_errors(report):
    report.timeline = []
    report.actions = []
    hits = found(report)
    assert ("required-sections", "error", "timeline") in hits
    assert ("required-sections", "error", "actions") in hits
    assert ("preventive-action", "error", "actions") in hits


def test_missing_key_time_is_an_error(report):
    report.summary.acknowledged = None
    assert found(report) == [("key-times", "error", "summary.acknowledged")]


def test_key_times_out_of_order_are_an_error(report):
    report.summary.detected = at(12, 50)  # before the impact start at 13:00
    result = check_report(report, today=TODAY)
    [finding] = [f for f in result.findings if f.rule == "key-times"]
    assert finding.field == "summary.detected"
    assert "12:50Z is before summary.impact_start 13:00Z" in finding.message


@pytest.mark.parametrize(
    "impact",
    [
        "Checkout was slow and some payments failed.",
        "Since 14:00 users could not pay.",  # a time of day is not a quantity
        "Many customers were affected.",
    ],
)
def test_unquantified_impact_is_an_error(report, impact):
    report.summary.impact = impact
    assert found(report) == [("impact-quantified", "error", "summary.impact")]


@pytest.mark.parametrize(
    "impact",
    [
        "1,200 customers could not pay.",
        "About 12% of checkout requests failed.",
        "3.5k failed API calls.",
        "40 thousand users saw errors.",
    ],
)
def test_impact_with_a_number_of_users_or_requests_passes(report, impact):
    report.summary.impact = impact
    assert found(report) == []


def test_users_affected_alone_quantifies_impact(report):
    report.summary.impact = "Checkout was down."
    report.summary.users_affected = 0
    assert found(report) == []


def test_action_without_owner_or_due_is_an_error(report):
    report.actions[1].owner = ""
    report.actions[1].due = None
    assert found(report) == [
        ("action-fields", "error", "actions[1].owner"),
        ("action-fields", "error", "actions[1].due"),
    ]


@pytest.mark.parametrize(("kind", "status"), [("mitigate", "open"), ("prevent", "won't do")])
def test_no_live_preventive_action_is_an_error(report, kind, status):
    report.actions[0].type = kind
    report.actions[0].status = status
    assert found(report) == [("preventive-action", "error", "actions")]


def test_overdue_actions_are_warnings_listed_on_every_run(report):
    today = dt.date(2026, 11, 13)  # A1 due 11-01 (12 days late), A2 due 10-25 (19 days)
    report.actions.append(
        Action(id="A3", description="Done already", type="process", owner="x team",
               due=dt.date(2026, 10, 1), status="done")
    )  # fmt: skip
    for _ in range(2):
        result = check_report(report, today=today)
        overdue = [f for f in result.findings if f.rule == "overdue-actions"]
        assert [(f.level, f.field) for f in overdue] == [
            ("warning", "actions[0].due"),
            ("warning", "actions[1].due"),
        ]
        assert (
            "A1 is overdue by 12 days (due 2026-11-01, open, payments team)" in overdue[0].message
        )
        assert overdue[1].quote == "Alert on pool saturation"
        assert result.ok  # warnings only
        assert result.exit_code() == 0 and result.exit_code(strict=True) == 1


def test_root_cause_that_restates_the_trigger_warns_twice(report):
    report.summary.trigger = "A bad config push"
    report.root_cause.root_cause = "A bad config push."
    result = check_report(report, today=TODAY)
    rc = [f for f in result.findings if f.rule == "root-cause-depth"]
    assert len(rc) == 2
    assert "one short sentence (4 words)" in rc[0].message
    assert "restates the trigger (100% the same words)" in rc[1].message
    assert rc[0].quote == "A bad config push."


def test_long_root_cause_equal_to_trigger_still_warns(report):
    text = "The pool size was lowered from fifty to five by a configuration change yesterday"
    report.summary.trigger = text
    report.root_cause.root_cause = text + "."
    hits = found(report)
    assert hits == [("root-cause-depth", "warning", "root_cause.root_cause")]


@pytest.mark.parametrize(
    "phrase",
    [
        "careless",
        "should have known",
        "human error",
        "the fault of",
        "negligent",
        "to blame",
        "sloppy",
        "incompetent",
        "stupid",
        "lazy",
        "failed to notice",
    ],
)
def test_blame_words_warn_with_the_sentence_quoted(report, phrase):
    sentence = f"The on-call engineer was {phrase} during the rollout."
    report.summary.narrative = f"Checkout failed for two hours. {sentence} It recovered."
    result = check_report(report, today=TODAY)
    [finding] = result.findings
    assert (finding.rule, finding.level, finding.field) == (
        "blameless-language",
        "warning",
        "summary.narrative",
    )
    assert finding.quote == sentence


def test_blameless_is_not_a_blame_word(report):
    report.lessons.went_well.append("We ran a blameless review within two days.")
    assert found(report) == []


def test_blame_words_in_timeline_rows_are_found(report):
    report.timeline[1].description = "ok this was human error, rolling back"
    assert found(report) == [("blameless-language", "warning", "timeline[1].description")]


def test_extra_blame_words_option(report):
    report.lessons.went_wrong = ["The review was rushed."]
    assert found(report) == []
    assert found(report, extra_blame_words=["rushed"]) == [
        ("blameless-language", "warning", "lessons.went_wrong[0]")
    ]


def test_author_name_in_prose_warns_with_sentence(report):
    report.root_cause.contributing_factors.append("Alice approved the change on Friday.")
    result = check_report(report, today=TODAY)
    [finding] = result.findings
    assert (finding.rule, finding.field) == (
        "blameless-names",
        "root_cause.contributing_factors[1]",
    )
    assert finding.quote == "Alice approved the change on Friday."
    assert "'Alice' is an author" in finding.message


def test_action_owner_handle_found_in_prose(report):
    report.actions[1].owner = "bob.k"
    report.lessons.went_wrong.append("Bob was paged late.")
    assert found(report) == [("blameless-names", "warning", "lessons.went_wrong[1]")]


def test_timeline_actor_found_in_prose(report):
    report.timeline.insert(
        1,
        TimelineEvent(time=at(13, 5), description="carol: checkout is throwing 503s",
                      source="slack", kind="communication", provenance="slack/inc.json:4"),
    )  # fmt: skip
    report.summary.narrative += " Carol noticed the errors first."
    result = check_report(report, today=TODAY)
    assert [(f.rule, f.quote) for f in result.findings] == [
        ("blameless-names", "Carol noticed the errors first.")
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Dave pushed a bad config to production.",
        "Erin forgot to update the runbook.",
        "Frank accidentally deleted the index.",
        "Grace missed the alert.",
    ],
)
def test_unknown_name_as_subject_of_a_failure_warns(report, sentence):
    report.summary.narrative += " " + sentence
    result = check_report(report, today=TODAY)
    [finding] = result.findings
    assert finding.rule == "blameless-names"
    assert finding.quote == sentence
    assert "subject of a failure" in finding.message


@pytest.mark.parametrize(
    "sentence",
    [
        "Redis failed over to the replica.",
        "Deploy broke the checkout page.",
        "The deploy caused the spike.",
        "Ledger failed health checks.",  # a service of the report
    ],
)
def test_things_as_subject_of_a_failure_do_not_warn(report, sentence):
    report.services.append("ledger")
    report.summary.narrative += " " + sentence
    assert found(report) == []


def test_team_owners_are_not_people(report):
    report.lessons.went_well.append("The payments team responded fast.")
    assert found(report) == []


def test_timeline_that_starts_late_or_ends_early_warns(report):
    report.timeline[0].time = at(13, 6)  # > 5 minutes after impact start
    report.timeline[2].time = at(14, 50)  # 10 minutes before resolution
    result = check_report(report, today=TODAY)
    coverage = [f.message for f in result.findings if f.rule == "timeline-coverage"]
    assert len(coverage) == 2
    assert "starts at 2026-10-14 13:06Z, after the impact start 2026-10-14 13:00Z" in coverage[0]
    assert "ends at 2026-10-14 14:50Z, before the resolution 2026-10-14 15:00Z" in coverage[1]


def test_timeline_within_tolerance_passes(report):
    report.timeline[0].time = at(13, 4)
    assert found(report) == []
    assert found(report, coverage_tolerance=dt.timedelta(minutes=1)) == [
        ("timeline-coverage", "warning", "timeline")
    ]


def test_timeline_row_without_provenance_is_an_error(report):
    report.timeline[1].provenance = " "
    assert found(report) == [("timeline-provenance", "error", "timeline[1].provenance")]


def test_disable_skips_a_rule(report):
    report.summary.impact = "Slow."
    assert found(report, disable=("impact-quantified",)) == []


def test_unknown_option_and_rule_are_rejected(report):
    with pytest.raises(OptionsError, match="did you mean 'disable'"):
        check_report(report, disabled=("x",))
    with pytest.raises(OptionsError, match="unknown rule id"):
        check_report(report, disable=("no-such-rule",))


def test_chat_row_label_is_not_a_person(report):
    report.timeline.append(
        TimelineEvent(time=at(14, 41), description="Mitigated: error ratio under 1%",
                      source="slack", kind="mitigation", provenance="slack/inc.json:9"),
    )  # fmt: skip
    report.summary.narrative += " Mitigated by a rollback, the incident was mitigated at 14:41."
    assert found(report) == []


def test_sample_incident_passes_apart_from_overdue_actions():
    from tests.conftest import SAMPLE_INCIDENT

    if not (SAMPLE_INCIDENT / "postmortem.yaml").is_file():
        pytest.skip("data/INC-2041/postmortem.yaml not generated yet")
    from postmortem_kit.publish.check import check

    before_any_due_date = check(SAMPLE_INCIDENT, today=dt.date(2026, 10, 14))
    assert before_any_due_date.findings == ()
