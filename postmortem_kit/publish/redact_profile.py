"""Redaction profiles: which kinds of sensitive values an audience must not see, and where
the settings come from (first found wins, for the audience asked):

1. ``postmortem.yaml`` itself, under ``audiences: {<name>: {...}}``;
2. the nearest ``pyproject.toml`` up the tree from the incident folder that has a
   ``[tool.postmortem.audiences]`` table, under ``[tool.postmortem.audiences.<name>]``;
3. the built-in ``internal`` (credentials only) or ``external`` (every kind) profile.

A configured audience starts from the built-in profile of its name (``external`` for new
names) and replaces the keys it sets. ``slack_users`` paths are relative to the file that
names them; when unset, every ``users.json`` under the incident's ``evidence/`` is used.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from postmortem_kit.errors import OptionsError, PublishError
from postmortem_kit.options import Options
from postmortem_kit.publish import redact_patterns as rp

PROFILE_FILE = "postmortem.yaml"
#: Values never redacted by default (loopback and unspecified addresses).
DEFAULT_ALLOW: tuple[str, ...] = ("127.0.0.1", "0.0.0.0", "::1", "::")
#: The built-in audiences.
BUILTIN_PROFILES: dict[str, dict[str, Any]] = {
    "internal": {"kinds": rp.CREDENTIAL_KINDS},
    "external": {"kinds": rp.ALL_KINDS},
}
_SLUG = re.compile(r"[a-z][a-z0-9-]*")


class RedactionError(PublishError):
    """Redaction failed or left something detectable; nothing may be published."""


@dataclasses.dataclass(frozen=True)
class RedactionProfile(Options):
    """Which kinds of sensitive values to redact for one audience, and how.

    Attributes
    ----------
    name
        Audience name (``internal``, ``external`` or your own).
    kinds
        Kind ids switched on (see :data:`redact_patterns.ALL_KINDS`).
    internal_domains
        Domains whose hostnames are internal (``corp.example.com``).
    patterns
        Your own patterns: ``{placeholder word: regex}``; a group named ``secret`` limits the
        replacement to that group.
    allow
        Exact values never redacted (case-insensitive), e.g. a public status page host.
    allow_patterns
        Regexes; a value matching one in full is never redacted.
    slack_users
        ``users.json`` files of Slack exports whose people are redacted.
    names
        More people's names to redact.
    """

    name: str = "external"
    kinds: tuple[str, ...] = rp.ALL_KINDS
    internal_domains: tuple[str, ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()
    allow: tuple[str, ...] = DEFAULT_ALLOW
    allow_patterns: tuple[str, ...] = ()
    slack_users: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        patterns = self.patterns
        if isinstance(patterns, Mapping):
            patterns = tuple(patterns.items())
        values = {
            "kinds": tuple(self.kinds),
            "internal_domains": tuple(self.internal_domains),
            "patterns": tuple((str(k), str(v)) for k, v in patterns),
            "allow": tuple(self.allow),
            "allow_patterns": tuple(self.allow_patterns),
            "slack_users": tuple(str(p) for p in self.slack_users),
            "names": tuple(self.names),
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)
        unknown = [k for k in self.kinds if k not in rp.ALL_KINDS]
        if unknown:
            raise OptionsError(f"unknown redaction kind(s) {unknown}; kinds: {rp.ALL_KINDS}")
        for word, pattern in self.patterns:
            if not _SLUG.fullmatch(word):
                raise OptionsError(f"pattern name {word!r} must be lower-case letters, digits, -")
            _compile(pattern, f"pattern {word!r}")
        for pattern in self.allow_patterns:
            _compile(pattern, "allow pattern")


def _compile(pattern: str, what: str) -> re.Pattern[str]:
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise OptionsError(f"{what} {pattern!r} is not a valid regex: {exc}") from None
    if regex.search(""):
        raise OptionsError(f"{what} {pattern!r} matches the empty string")
    return regex


# --------------------------------------------------------------------------- profiles


def _audience_table(data: Any, audience: str, file: Path) -> dict | None:
    if not isinstance(data, Mapping):
        raise RedactionError(f"{file}: expected a mapping at the top")
    audiences = data.get("audiences")
    if audiences is None:
        return None
    if not isinstance(audiences, Mapping):
        raise RedactionError(f"{file}: 'audiences' must map audience names to profiles")
    table = audiences.get(audience)
    if table is not None and not isinstance(table, Mapping):
        raise RedactionError(f"{file}: audience {audience!r} must be a table of settings")
    return dict(table) if table is not None else None


def _find_config(folder: Path, audience: str) -> tuple[Path, dict] | None:
    own = folder / PROFILE_FILE
    if own.is_file():
        try:
            data = YAML(typ="safe").load(own.read_text(encoding="utf-8")) or {}
        except Exception as exc:  # noqa: BLE001 - any parse failure is a config error
            raise RedactionError(f"{own}: cannot read: {exc}") from None
        table = _audience_table(data, audience, own)
        if table is not None:
            return own, table
    for directory in (folder, *folder.parents):
        pyproject = directory / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RedactionError(f"{pyproject}: cannot read: {exc}") from None
        section = data.get("tool", {}).get("postmortem", {})
        if "audiences" in section:
            table = _audience_table(section, audience, pyproject)
            return (pyproject, table) if table is not None else None
    return None


def load_profile(incident_dir: str | os.PathLike, audience: str = "external") -> RedactionProfile:
    """The redaction profile of an audience for an incident (see the module docstring).

    Raises
    ------
    RedactionError
        If a configuration file is unreadable or names an unknown setting or kind, or the
        audience is neither configured nor built in.
    """
    folder = Path(incident_dir).resolve()
    found = _find_config(folder, audience)
    if found is None and audience not in BUILTIN_PROFILES:
        raise RedactionError(
            f"unknown audience {audience!r}: not in {folder / PROFILE_FILE} or a pyproject.toml "
            f"[tool.postmortem.audiences] table; built in: {', '.join(BUILTIN_PROFILES)}"
        )
    settings = dict(BUILTIN_PROFILES.get(audience, BUILTIN_PROFILES["external"]))
    where = "built-in profile"
    if found:
        file, table = found
        where = str(file)
        settings.update({k.replace("-", "_"): v for k, v in table.items() if v is not None})
        if table.get("slack_users") is not None:
            settings["slack_users"] = [str(file.parent / p) for p in _as_list(table["slack_users"])]
    if "slack_users" not in settings:
        evidence = folder / "evidence"
        settings["slack_users"] = sorted(str(p) for p in evidence.rglob("users.json"))
    for key in ("kinds", "internal_domains", "allow", "allow_patterns", "names"):
        if key in settings:
            settings[key] = _as_list(settings[key])
    try:
        return RedactionProfile.from_kwargs("redaction profile", name=audience, **settings)
    except (OptionsError, TypeError) as exc:
        raise RedactionError(f"{where}: audience {audience!r}: {exc}") from None


def _as_list(value: Any) -> list:
    return [value] if isinstance(value, str) else list(value)
