"""What redaction looks for: one row per kind of sensitive value, in priority order.

A row says how to find the value (a regex and the group that is the secret), when a match
really is one (``accept``), how to tell two spellings of the same value apart (``key``: the
same IP or e-mail in another case maps to the same placeholder), and the placeholder word
(``[ip-1]``, ``[email-2]``). Earlier rows win where matches overlap: a URL's password is
found before the ``pass@host`` that looks like an e-mail address.

Rows that depend on configuration (internal domains, Slack user names, the profile's own
names and patterns) are built by the ``*_kind`` functions below.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

#: A placeholder we wrote: never redacted again (redaction is idempotent).
PLACEHOLDER = re.compile(r"\[[a-z][a-z0-9-]*-\d+\]")


@dataclasses.dataclass(frozen=True)
class PatternKind:
    """One kind of sensitive value.

    Attributes
    ----------
    name
        Kind id, used in profiles and in the redaction report (``email``, ``ipv4`` ...).
    placeholder
        Word of the placeholder: ``ip`` gives ``[ip-1]``, ``[ip-2]``.
    regex
        Finds candidates; ``group`` is the part replaced (default the whole match).
    description
        One line for the documentation and the redaction report.
    accept
        Keeps only real hits (e.g. a valid IPv6 address, a high-entropy string).
    key
        Normalises a hit so spellings of one value share a placeholder.
    credential
        Part of the ``internal`` audience's default profile (secrets are never published).
    needs
        A quick filter: the regex can only match a text holding one of these substrings.
    """

    name: str
    placeholder: str
    regex: re.Pattern[str]
    description: str
    group: int | str = 0
    accept: Callable[[re.Match[str]], bool] = lambda m: True
    key: Callable[[str], str] = lambda s: s
    credential: bool = False
    needs: tuple[str, ...] = ()


# --------------------------------------------------------------------------- acceptors


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``."""
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _char_class(ch: str) -> int:
    return 0 if ch.islower() else 1 if ch.isupper() else 2 if ch.isdigit() else 3


def class_switch_rate(text: str) -> float:
    """How often consecutive characters change class (lower, upper, digit, other), 0..1.

    Random strings switch about every other character; words and ``CamelCase`` rarely do.
    """
    if len(text) < 2:
        return 0.0
    switches = sum(_char_class(a) != _char_class(b) for a, b in zip(text, text[1:], strict=False))
    return switches / (len(text) - 1)


_HEX_ID = re.compile(r"[0-9a-fA-F-]+")
_RUNS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+|[^A-Za-z\d]+")


def wordiness(text: str) -> float:
    """Share of ``text`` in alphabetic runs of 4+ letters (``Payment``, ``Service``), 0..1."""
    return sum(len(r) for r in _RUNS.findall(text) if len(r) >= 4 and r.isalpha()) / len(text)


def letter_digit_switches(text: str) -> int:
    """How many times a letter is next to a digit (``a1b2`` has 3)."""
    return sum(
        a.isdigit() != b.isdigit() and (a + b).isalnum()
        for a, b in zip(text, text[1:], strict=False)
    )


def _random_string(match: re.Match[str]) -> bool:
    """A long random-looking string (a heuristic, tuned on random base62/base64/base36
    strings against code identifiers): letters and digits, high entropy, and either frequent
    changes of character class without long words, or letters and digits interleaved.
    Hex-only identifiers (trace ids, commit SHAs, UUIDs) are kept; with slashes, the longest
    segment must be random by itself (so ``evidence/slack/2026-10-14`` stays)."""
    text = match.group(0)
    if "/" in text:  # a path, unless one segment is long and random by itself
        text = max(text.split("/"), key=len)
        if len(text) < 16:
            return False
    if _HEX_ID.fullmatch(text):
        return False
    if not (any(c.isalpha() for c in text) and any(c.isdigit() for c in text)):
        return False
    if shannon_entropy(text) < 3.5:
        return False
    mixed = class_switch_rate(text) >= 0.3 and wordiness(text) < 0.5
    return mixed or letter_digit_switches(text) >= 6


def _ipv6(match: re.Match[str]) -> bool:
    """A valid IPv6 address with at least two groups and four hex digits (not ``a::b``)."""
    text = match.group(0).split("%")[0]
    if sum(1 for part in text.split(":") if part) < 2 or sum(c.isalnum() for c in text) < 4:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _ip_key(text: str) -> str:
    """One spelling per address; an IPv4-mapped IPv6 address is its IPv4 address."""
    address = ipaddress.ip_address(text.split("%")[0])
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).compressed


_PASSWORDISH = re.compile(r"pass|pwd|secret", re.IGNORECASE)
_NOT_A_VALUE = frozenset({"none", "null", "nil", "true", "false", "redacted", "n/a", "empty"})


def _keyword_secret(match: re.Match[str]) -> bool:
    value = match.group("secret")
    if value.lower() in _NOT_A_VALUE:
        return False
    if _PASSWORDISH.search(match.group("name")):
        return len(value) >= 3
    mixed = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return len(value) >= 8 and (any(c.isdigit() for c in value) or mixed or not value.isalnum())


def _bearer(match: re.Match[str]) -> bool:
    value = match.group("secret")
    mixed = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return any(c.isdigit() for c in value) or mixed or any(c in "._-~+/" for c in value)


# --------------------------------------------------------------------------- the table

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"

#: Built-in kinds, in priority order (earlier rows win where matches overlap).
BUILTIN_KINDS: tuple[PatternKind, ...] = (
    PatternKind(
        "url-password", "password",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s/?#@:\[\]]+:(?P<secret>[^\s/?#@\[\]]+)@"),
        "password in a URL (scheme://user:password@host)", group="secret", credential=True,
        needs=("@",),
    ),
    PatternKind(
        "private-key", "private-key",
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
        "PEM private key block", credential=True, needs=("PRIVATE KEY",),
    ),
    PatternKind(
        "aws-key", "aws-key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        "AWS access key id (AKIA...)", credential=True,
    ),
    PatternKind(
        "github-token", "github-token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        "GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)", credential=True,
        needs=("_",),
    ),
    PatternKind(
        "slack-token", "slack-token", re.compile(r"\b(?:xox[bpars]|xapp)-[A-Za-z0-9-]{10,}"),
        "Slack token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xapp-)", credential=True,
        needs=("xox", "xapp"),
    ),
    PatternKind(
        "slack-webhook", "webhook",
        re.compile(r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]+"),
        "Slack incoming-webhook URL", credential=True, needs=("hooks.slack.com",),
    ),
    PatternKind(
        "bearer-token", "token",
        re.compile(r"(?i)\b(?:bearer|basic|token)\s+(?P<secret>[A-Za-z0-9\-._~+/]{16,}=*)"),
        "bearer or basic credentials (Authorization header values)", group="secret",
        accept=_bearer, credential=True,
    ),
    PatternKind(
        "keyword-secret", "secret",
        re.compile(
            r"(?i)(?P<name>pass(?:word|wd)?|pwd|secret|token|key)[\"']?\s*[:=]\s*[\"']?"
            r"(?P<secret>[^\s\"'&,;<>\[\](){}]+)"
        ),
        "value after password=, secret=, token=, key= (also JSON and 'key: value')",
        group="secret", accept=_keyword_secret, credential=True,
    ),
    PatternKind(
        "email", "email",
        re.compile(r"(?<![\w.+%-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b"),
        "e-mail address", key=str.lower, needs=("@",),
    ),
    PatternKind(
        "ipv6", "ip",
        re.compile(
            r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?"
            r"(?:%[\w.]+)?(?![\w:]|\.\d)"
        ),
        "IPv6 address (any spelling of one address maps to one placeholder)",
        accept=_ipv6, key=_ip_key, needs=("::", ":"),
    ),
    PatternKind(
        "ipv4", "ip",
        re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)"),
        "IPv4 address", key=_ip_key, needs=(".",),
    ),
    PatternKind(
        "random-string", "secret",
        re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{20,}={0,2}(?![\w+/=-])"),
        "long random string (20+ characters, high entropy; hex ids are kept)",
        accept=_random_string,
    ),
)  # fmt: skip

#: Kinds that need configuration; their rows are built by the functions below.
CONFIGURED_KINDS: dict[str, str] = {
    "internal-host": "hostname under a configured internal domain",
    "slack-user": "user name from a Slack export (users.json): handle, real and display name",
    "name": "a person's name listed in the profile",
}
#: Every kind a profile may switch on, and the ones the ``internal`` audience uses.
ALL_KINDS: tuple[str, ...] = (*(k.name for k in BUILTIN_KINDS), *CONFIGURED_KINDS)
CREDENTIAL_KINDS: tuple[str, ...] = tuple(k.name for k in BUILTIN_KINDS if k.credential)
#: Configured kinds run just before this built-in kind (after credentials and e-mail).
CONFIGURED_BEFORE = "ipv6"


# --------------------------------------------------------------------------- configured rows


def internal_host_kind(domains: Iterable[str]) -> PatternKind | None:
    """Hostnames under (and equal to) the given domains, e.g. ``db-1.corp.example.com``."""
    names = sorted({d.strip(".").lower() for d in domains if d.strip(".")}, key=len, reverse=True)
    if not names:
        return None
    alternation = "|".join(re.escape(d) for d in names)
    regex = re.compile(
        rf"(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)*(?:{alternation})(?![\w-])",
        re.IGNORECASE,
    )
    return PatternKind(
        "internal-host", "host", regex, CONFIGURED_KINDS["internal-host"],
        key=lambda s: s.lower().rstrip("."),
    )  # fmt: skip


def people_kind(name: str, people: dict[str, tuple[set[str], set[str]]]) -> PatternKind | None:
    """Names of people: ``person key → (names matched in any case, name parts matched as
    written)``. Every spelling of one person maps to one placeholder (``[user-1]``)."""
    folded: dict[str, str] = {}
    exact: dict[str, str] = {}
    for person, (whole, parts) in sorted(people.items()):
        for text in whole:
            folded.setdefault(" ".join(text.lower().split()), person)
        for part in parts:
            exact[part] = person if exact.get(part, person) == person else f"name:{part}"
    if not folded and not exact:
        return None

    def spelled(text: str) -> str:
        return r"\s+".join(re.escape(w) for w in text.split())

    whole_rx = "|".join(spelled(t) for t in sorted(folded, key=len, reverse=True))
    part_rx = "|".join(re.escape(t) for t in sorted(exact, key=len, reverse=True))
    body = "|".join(p for p in (f"(?i:{whole_rx})" if whole_rx else "", part_rx) if p)
    regex = re.compile(rf"(?<![\w.-])(?:{body})(?![\w-]|\.\w)")

    def key(text: str) -> str:
        return exact.get(text) or folded.get(" ".join(text.lower().split()), text.lower())

    return PatternKind(name, "user", regex, CONFIGURED_KINDS[name], key=key)


def custom_kind(name: str, pattern: str) -> PatternKind:
    """A profile's own pattern: its group ``secret`` if it has one, else the whole match."""
    regex = re.compile(pattern)
    group = "secret" if "secret" in regex.groupindex else 0
    return PatternKind(f"custom:{name}", name, regex, f"user-defined pattern {name!r}", group)


def literal_kind(secrets: Iterable[str]) -> PatternKind | None:
    """Secrets already found by context (a URL password, a ``token=`` value) wherever else
    they appear as a word. Keyed by the text itself."""
    values = sorted(set(secrets), key=len, reverse=True)
    if not values:
        return None
    body = "|".join(re.escape(v) for v in values)
    regex = re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])")
    return PatternKind("known-secret", "secret", regex, "a secret found elsewhere in the report")


# --------------------------------------------------------------------------- Slack users


def _text(mapping: dict, key: str) -> str:
    value = mapping.get(key)
    return value.strip() if isinstance(value, str) else ""


def slack_people(path: str | Path) -> dict[str, tuple[set[str], set[str]]]:
    """People of a Slack export's ``users.json``: id → (handles and full names, name parts).

    Bots are skipped. Name parts (``Alice`` of ``Alice Johnson``) are matched as written, so
    a first name that is also a common word in lower case is left alone.

    Raises
    ------
    ValueError
        If the file is not a JSON list of user objects.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of users")
    people: dict[str, tuple[set[str], set[str]]] = {}
    for user in data:
        if not isinstance(user, dict) or not user.get("id"):
            raise ValueError("every user needs an 'id'")
        if user.get("is_bot") or user.get("id") == "USLACKBOT":
            continue
        profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
        whole = {_text(user, "name"), _text(user, "real_name")}
        for key in ("real_name", "display_name", "real_name_normalized", "display_name_normalized"):
            whole.add(_text(profile, key))
        whole = {w for w in whole if len(w) >= 3}
        parts = {
            part
            for w in whole
            if " " in w
            for part in w.split()
            if len(part) >= 3 and part[0].isupper() and part.isalpha()
        }
        people[f"slack:{user['id']}"] = (whole, parts)
    return people


def listed_people(names: Iterable[str]) -> dict[str, tuple[set[str], set[str]]]:
    """People named in a profile (``names: [Alice Johnson, bob.k]``), same shape as above."""
    people = {}
    for name in names:
        parts = {p for p in name.split() if len(p) >= 3 and p[0].isupper() and p.isalpha()}
        people[f"name:{name.lower()}"] = ({name}, parts if " " in name.strip() else set())
    return people
