"""The review rules of ``postmortem check``, as a table.

Each row of :data:`RULES` is one criterion a postmortem reviewer applies: an id, a level
(``error`` blocks publishing a ``published`` report, ``warning`` is advice), a title, and the
function that finds the problems. Word lists (blame words, failure verbs, units of impact)
are data tables too, so adding a criterion is adding a row.

Every rule is deterministic: it reads the report and the ``today`` date, nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

from postmortem_kit.report import KEY_TIMES, Report, key_time_problems

if TYPE_CHECKING:
    from postmortem_kit.publish.check import CheckOptions

Level = Literal["error", "warning"]


class Hit(NamedTuple):
    """One problem a rule found: where, what, and the sentence it is about."""

    field: str
    message: str
    quote: str | None = None


@dataclasses.dataclass(frozen=True)
class Rule:
    """One review criterion: ``run(report, options, today)`` yields :class:`Hit` rows."""

    id: str
    level: Level
    title: str
    run: Callable[[Report, CheckOptions, dt.date], Iterator[Hit]]


# --------------------------------------------------------------------------- word tables

#: Fields that must not be empty: (dotted field, what a reviewer calls it).
REQUIRED_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("summary.narrative", "summary narrative"),
    ("summary.impact", "impact description"),
    ("summary.trigger", "trigger"),
    ("summary.detection", "how the incident was detected"),
    ("timeline", "timeline"),
    ("root_cause.root_cause", "root cause"),
    ("actions", "corrective and preventive actions"),
    ("lessons.went_well", "lessons: what went well"),
    ("lessons.went_wrong", "lessons: what went wrong"),
)

#: Action fields every action needs.
ACTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("owner", "owner"),
    ("due", "due date"),
    ("type", "type (mitigate, prevent or process)"),
)

#: What counts as a quantity of impact: a number, then up to three words, then one of these.
IMPACT_UNITS: tuple[str, ...] = (
    "users?", "customers?", "requests?", "accounts?", "orders?", "sessions?", "transactions?",
    "calls?", "payments?", "checkouts?", "merchants?", "tenants?", "queries", "query",
    "messages?", "visitors?", "people", "members?", "logins?", "sign-?ups?", "jobs?",
    "errors?", "responses?", "emails?", "devices?", "clients?", "subscribers?", "purchases?",
)  # fmt: skip
_IMPACT_NUMBER = re.compile(
    r"(?<![\w:])\d[\d,.]*\s*(?:%|percent|k|m|thousand|million|billion)?\s+"
    r"(?:[\w-]+\s+){0,3}?(?:" + "|".join(IMPACT_UNITS) + r")\b",
    re.IGNORECASE,
)

#: Blame words: regex → why it is a problem. Matched case-insensitively on word boundaries.
BLAME_WORDS: tuple[tuple[str, str], ...] = (
    (r"careless(?:ly|ness)?", "judges a person; describe what made the slip easy"),
    (r"should have (?:known|noticed|caught|checked|seen|tested|realised|realized)",
     "hindsight; say what information was available at the time"),
    (r"human error", "names a person instead of the conditions; ask why the error was possible"),
    (r"operator error", "names a person instead of the conditions"),
    (r"(?:the )?fault of", "assigns fault"),
    (r"(?:his|her|their|my|your) fault", "assigns fault"),
    (r"negligen(?:t|ce|tly)", "judges a person"),
    (r"blam(?:e|ed|es|ing)", "assigns blame"),
    (r"sloppy|sloppiness", "judges a person"),
    (r"incompeten(?:t|ce)", "judges a person"),
    (r"stupid(?:ity|ly)?|dumb|idiot(?:ic)?", "judges a person"),
    (r"lazy|laziness", "judges a person"),
    (r"reckless(?:ly|ness)?", "judges a person"),
    (r"irresponsibl[ey]", "judges a person"),
    (r"(?:screwed|messed) up", "judges a person"),
    (r"failed to (?:notice|check|follow|test|catch|verify|read|review)",
     "frames an omission as a personal failure; ask why the check was not part of the system"),
    (r"didn'?t bother", "judges a person"),
)  # fmt: skip

#: Verbs that, with a person's name as their subject, make the person the cause of a failure.
FAILURE_VERBS: tuple[str, ...] = (
    "broke", "caused", "forgot", "missed", "failed", "deleted", "dropped", "ignored",
    "overlooked", "misconfigured", "skipped", "removed", "disabled", "botched", "mistyped",
    r"(?:pushed|merged|deployed|shipped|ran|approved|applied|typed|entered|committed)"
    r" (?:a |an |the )?(?:bad|broken|faulty|wrong|incorrect|untested|buggy)",
)  # fmt: skip

#: Capitalised words that start sentences or name things, never a person.
NOT_NAMES: frozenset[str] = frozenset(
    """The This That These Those It Its We Our They Their He She His Her You I A An One
    Nobody Someone Somebody Everyone Everybody Anyone No Nothing Each Every Both Then When
    After Before Because Since While If Also Later Finally Eventually Meanwhile Initially
    Deploy Deployment Config Configuration Change Alert Alerting Monitoring Traffic Load Cache
    Database Service System Server Script Job Migration Release Update Upgrade Rollout Rollback
    Automation Team Engineer Operator User Customer Client Network Disk Node Cluster Pod
    Kubernetes Redis Postgres Postgresql Mysql Kafka Nginx Terraform Ansible Helm Jenkins
    Github Gitlab Pagerduty Slack Prometheus Grafana Aws Gcp Azure Dns Cdn Api Ci Cd Health
    Healthcheck Canary Scheduler Cron Batch Queue Worker Proxy Gateway Balancer Lb Firewall
    Backup Replica Primary Leader Failover Restart Retry Timeout Patch Fix Hotfix Test Tests
    Review Reviewer Process Runbook Oncall Sre Ops Nothing Unfortunately Luckily""".split()  # noqa: SIM905
)

#: Words in an owner or author that mark a team, not a person.
TEAM_WORDS: frozenset[str] = frozenset(
    {"team", "squad", "oncall", "on-call", "sre", "ops", "devops", "platform", "infra",
     "infrastructure", "group", "guild", "chapter", "crew", "rotation", "bot", "eng",
     "engineering", "security", "support"}
)  # fmt: skip

#: Timeline sources whose rows start with the name of who said it (``alice: rolling back``).
CHAT_SOURCES: frozenset[str] = frozenset({"slack", "chat", "teams", "mattermost", "irc"})

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[A-Za-z0-9']+")
_ACTOR_PREFIX = re.compile(r"^\s*@?([A-Za-z][\w.\-]*(?: [A-Z][a-z]+)?)\s*:")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z][\w.\-]*[A-Za-z0-9])")
_SUBJECT_OF_FAILURE = re.compile(
    r"(?<![\w.])([A-Z][a-z]{1,20})(?: [A-Z][a-z]+)?\s+"
    r"(?:accidentally |mistakenly |inadvertently |just )?(?:" + "|".join(FAILURE_VERBS) + r")\b"
)
_BLAME = re.compile(
    "|".join(f"(?P<b{i}>\\b(?:{pattern})\\b)" for i, (pattern, _) in enumerate(BLAME_WORDS)),
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- helpers


def _value(report: Report, dotted: str):
    value = report
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(_is_empty(v) if isinstance(v, str) else False for v in value)
    return False


def sentence_at(text: str, position: int) -> str:
    """The sentence of ``text`` that contains ``position``, whitespace collapsed."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() >= position:
            return " ".join(text[start : match.start()].split())
        start = match.end()
    return " ".join(text[start:].split())


def narrative_texts(report: Report) -> Iterator[tuple[str, str]]:
    """The prose a reader reads, as ``(field, text)``: summary, root cause, actions, lessons."""
    yield "title", report.title
    for name in ("narrative", "impact", "trigger", "detection"):
        yield f"summary.{name}", getattr(report.summary, name)
    yield "root_cause.root_cause", report.root_cause.root_cause
    for name in ("contributing_factors", "five_whys", "recommendations"):
        for i, item in enumerate(getattr(report.root_cause, name)):
            yield f"root_cause.{name}[{i}]", item
    for i, action in enumerate(report.actions):
        yield f"actions[{i}].description", action.description
    for name in ("went_well", "went_wrong", "got_lucky", "recommendations"):
        for i, item in enumerate(getattr(report.lessons, name)):
            yield f"lessons.{name}[{i}]", item


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%MZ")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


# --------------------------------------------------------------------------- the rules


def required_sections(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """Every required field has content."""
    for dotted, label in REQUIRED_FIELDS:
        if _is_empty(_value(report, dotted)):
            yield Hit(dotted, f"required section is empty: {label}")


def key_times(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """All five key times are set, and in order."""
    for name in KEY_TIMES:
        if getattr(report.summary, name) is None:
            yield Hit(f"summary.{name}", f"key time summary.{name} is not set")
    for field, message in key_time_problems(report.summary):
        yield Hit(field, message)


def impact_quantified(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """``users_affected`` is set, or the impact text gives a number of users or requests."""
    summary = report.summary
    if summary.users_affected is None and not _IMPACT_NUMBER.search(summary.impact):
        yield Hit(
            "summary.impact",
            "impact is not quantified: set summary.users_affected or say how many users, "
            "customers or requests were affected (e.g. '12% of checkout requests failed')",
        )


def action_fields(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """Every action has an owner, a due date and a type."""
    for i, action in enumerate(report.actions):
        for name, label in ACTION_FIELDS:
            if _is_empty(getattr(action, name)):
                yield Hit(f"actions[{i}].{name}", f"action {action.id} has no {label}")


def preventive_action(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """At least one action of type ``prevent`` that is not ``won't do``."""
    if not any(a.type == "prevent" and a.status != "won't do" for a in report.actions):
        yield Hit(
            "actions",
            "no preventive action: add at least one action of type 'prevent' that stops "
            "this class of incident from happening again",
        )


def overdue_actions(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """Actions past their due date and not done (listed on every run until closed)."""
    for i, action in enumerate(report.actions):
        if action.is_overdue(today):
            days = (today - action.due).days
            owner = action.owner or "no owner"
            yield Hit(
                f"actions[{i}].due",
                f"action {action.id} is overdue by {days} day{'s' * (days != 1)} "
                f"(due {action.due.isoformat()}, {action.status}, {owner})",
                action.description,
            )


def root_cause_depth(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """The root cause says more than the trigger: not one short sentence, not the trigger."""
    text = report.root_cause.root_cause.strip()
    if not text:
        return
    words = _words(text)
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) <= 1 and len(words) < opts.short_root_cause_words:
        yield Hit(
            "root_cause.root_cause",
            f"the root cause is one short sentence ({len(words)} words): explain why the "
            "trigger could cause this impact (the conditions, not the event)",
            " ".join(text.split()),
        )
    trigger = _words(report.summary.trigger)
    if trigger:
        ratio = difflib.SequenceMatcher(a=words, b=trigger, autojunk=False).ratio()
        if ratio >= opts.trigger_similarity or set(words) <= set(trigger):
            yield Hit(
                "root_cause.root_cause",
                f"the root cause restates the trigger ({ratio:.0%} the same words): the "
                "trigger is what set it off, the root cause is why that could hurt",
                " ".join(text.split()),
            )


def blame_words(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """Blame words in the prose or the timeline, with the sentence quoted."""
    texts = list(narrative_texts(report))
    texts += [(f"timeline[{i}].description", e.description) for i, e in enumerate(report.timeline)]
    extra = [re.compile(rf"\b{re.escape(w)}\b", re.IGNORECASE) for w in opts.extra_blame_words]
    for field, text in texts:
        seen = set()
        hits = [(m.start(), m.group(0), BLAME_WORDS[int(m.lastgroup[1:])][1])
                for m in _BLAME.finditer(text)]  # fmt: skip
        hits += [(m.start(), m.group(0), "a word listed as blame") for r in extra
                 for m in r.finditer(text)]  # fmt: skip
        for start, word, why in sorted(hits):
            sentence = sentence_at(text, start)
            if (word.lower(), sentence) not in seen:
                seen.add((word.lower(), sentence))
                yield Hit(field, f"blame word {word!r}: {why}", sentence)


def _person_tokens(person: str) -> set[str]:
    """Name tokens of an author or owner (``Alice Johnson``, ``alice.j``, ``alice@x.com``)."""
    if set(re.split(r"[\s._@-]+", person.lower())) & TEAM_WORDS:
        return set()
    local = person.strip().lstrip("@")
    if "@" in local and " " not in local:
        local = local.split("@")[0]
    tokens = set()
    for token in re.split(r"[\s._-]+", local):
        if token.isalpha() and len(token) >= 2 and token.capitalize() not in NOT_NAMES:
            tokens.update({token, token.capitalize()})
    return tokens


def people(report: Report, opts: CheckOptions) -> dict[str, str]:
    """Names of people the report knows: token → where it came from."""
    found: dict[str, str] = {}
    sources = [(a, "an author") for a in report.authors]
    sources += [(a.owner, "an action owner") for a in report.actions if a.owner]
    for event in report.timeline:
        if event.source.lower() in CHAT_SOURCES or event.kind == "communication":
            prefix = _ACTOR_PREFIX.match(event.description)
            if prefix:
                sources.append((prefix.group(1), "a timeline actor"))
        sources += [(m.group(1), "a timeline actor") for m in _MENTION.finditer(event.description)]
    sources += [(p, "a listed person") for p in opts.people]
    for person, origin in sources:
        for token in sorted(_person_tokens(person)):
            found.setdefault(token, origin)
    return found


def blame_names(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """People's names in the prose, and capitalised names as the subject of a failure."""
    known = people(report, opts)
    texts = list(narrative_texts(report))
    lowered = set()
    for _, text in texts:
        lowered.update(w for w in re.findall(r"\b[a-z][a-z]+\b", text))
    things = {w.lower() for w in [*report.services, *report.tags]}
    # a timeline "actor" that the prose also uses as a lower-case word is a word, not a name
    # ("Mitigated: error ratio under 1%" in a chat row)
    known = {
        token: origin
        for token, origin in known.items()
        if origin != "a timeline actor" or token.lower() not in lowered
    }
    names = re.compile(r"\b(" + "|".join(map(re.escape, sorted(known, key=len)[::-1])) + r")\b")
    for field, text in texts:
        seen = set()
        for match in _SUBJECT_OF_FAILURE.finditer(text):
            name = match.group(1)
            if (
                name in NOT_NAMES
                or name.lower() in things
                or (name.lower() in lowered and name not in known)
            ):
                continue
            sentence = sentence_at(text, match.start())
            seen.add(sentence)
            yield Hit(
                field,
                f"{name!r} is the subject of a failure ({match.group(0)!r}): describe what "
                "the system allowed, not who slipped",
                sentence,
            )
        for match in names.finditer(text) if known else ():
            sentence = sentence_at(text, match.start())
            if sentence not in seen:
                seen.add(sentence)
                yield Hit(
                    field,
                    f"names a person ({match.group(1)!r} is {known[match.group(1)]}): use the "
                    "role, not the name",
                    sentence,
                )


def timeline_coverage(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """The timeline starts by the impact start and reaches the resolution."""
    if not report.timeline:
        return
    times = [e.time for e in report.timeline]
    first, last = min(times), max(times)
    start, end = report.summary.impact_start, report.summary.resolved
    slack = opts.coverage_tolerance
    if start is not None and first > start + slack:
        yield Hit(
            "timeline",
            f"the timeline starts at {_utc(first)}, after the impact start {_utc(start)}: "
            "add what happened when impact began",
        )
    if end is not None and last < end - slack:
        yield Hit(
            "timeline",
            f"the timeline ends at {_utc(last)}, before the resolution {_utc(end)}: "
            "add how the incident was resolved",
        )


def timeline_provenance(report: Report, opts: CheckOptions, today: dt.date) -> Iterator[Hit]:
    """Every timeline row says where it came from (``file:line``, a query) or ``manual``."""
    for i, event in enumerate(report.timeline):
        if not event.provenance.strip():
            yield Hit(
                f"timeline[{i}].provenance",
                "timeline row has no provenance: give file:line or the query it came from, "
                "or mark it 'manual'",
                event.description,
            )


#: The rules, in the order findings are listed.
RULES: tuple[Rule, ...] = (
    Rule("required-sections", "error", "Required sections are filled in", required_sections),
    Rule("key-times", "error", "Key times are present and in order", key_times),
    Rule("impact-quantified", "error", "Impact is quantified", impact_quantified),
    Rule("action-fields", "error", "Every action has owner, due date, type", action_fields),
    Rule("preventive-action", "error", "At least one preventive action", preventive_action),
    Rule("overdue-actions", "warning", "Overdue actions (listed on every run)", overdue_actions),
    Rule("root-cause-depth", "warning", "Root cause is more than the trigger", root_cause_depth),
    Rule("blameless-language", "warning", "No blame words", blame_words),
    Rule("blameless-names", "warning", "No people named as the cause", blame_names),
    Rule("timeline-coverage", "warning", "Timeline covers impact to resolution", timeline_coverage),
    Rule("timeline-provenance", "error", "Every timeline row has provenance", timeline_provenance),
)
