"""The level words of the generic timestamped-text reader and the regexes that find them
in a line's text after its timestamp (shared by :mod:`.text` and the one-pass shape
patterns of :mod:`.tsshape`)."""

from __future__ import annotations

LEVEL_WORDS = (
    "TRACE|DEBUG|INFO|INFORMATION|LOG|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|CRIT|CRITICAL|FATAL|"
    "ALERT|EMERG|PANIC|Trace|Debug|Info|Information|Notice|Warn|Warning|Error|Severe|Critical|Fatal"
)
#: A level word anywhere: a whole word of :data:`LEVEL_WORDS` (``_l1``), a lower-case one in
#: brackets (``_l2``), or Android logcat's one-letter level after the pid and tid (``_l3``).
LEVEL = (
    rf"(?:^|[\s\[<(|])(?P<_l1>{LEVEL_WORDS})(?:$|[\s\]>)|:,])"
    r"|\[(?P<_l2>trace|debug|info|notice|warn|warning|error|crit|alert|emerg|fatal)\]"
    r"|^\s+\d+\s+\d+\s+(?P<_l3>[VDIWEFA])\s"
)
#: :data:`LEVEL` matched at the start of the text only.
LEVEL_AT_START = "^(?:" + LEVEL + ")"
#: The level words of :data:`LEVEL`'s ``_l1`` as a list (checked with ``is_in``).
LEVEL_SET = LEVEL_WORDS.split("|")
#: Characters stripped between a timestamp and its message (then whitespace).
AFTER_TS = r"[ \t,;:\-|\]>)]*"
#: :data:`REST_LEVEL` looks at this many characters after the timestamp.
LEVEL_WITHIN = 120
#: The level search of the text after a timestamp: a level word right after it, whatever
#: separates the two (``14:00:00,000:INFO:root``, Python's ``%(asctime)s:%(levelname)s``,
#: Celery's ``[%(asctime)s: %(levelname)s/%(processName)s]``), else :data:`LEVEL`'s first.
REST_LEVEL = rf"^{AFTER_TS}\s*(?P<_l0>{LEVEL_WORDS})(?:$|[\s\]>)|:,/])|" + LEVEL
