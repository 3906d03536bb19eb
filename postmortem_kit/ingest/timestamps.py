"""Timestamps: the styles we recognise, turning their parts into UTC, years and DST.

Every reader captures a timestamp as text; this module finds its style, splits it into named
parts (``Y y m b d H M S f p z E``) with one regex, assembles a naive date-time plus an optional
UTC offset, and localises naive ones in the source's time zone. All of it is vectorised polars.

Part names: ``Y`` 4-digit year, ``y`` 2-digit year, ``m`` month number, ``b`` month name,
``d`` day, ``H`` hour, ``M`` minute, ``S`` second, ``f`` fraction digits, ``p`` AM/PM,
``z`` zone (``Z``, ``+hh:mm``, ``+hhmm``, ``+hh`` or an abbreviation such as ``EST``),
``E`` epoch digits (10 = seconds, 13 = ms, 16 = µs, 19 = ns).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from postmortem_kit.ingest.localtime import infer_years, localise
from postmortem_kit.ingest.zonenames import ABBREVIATIONS, AMBIGUOUS_ZONES, zone_offsets

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

_ABBR = "|".join(ABBREVIATIONS)  # longest first
#: An optional zone after a time: ``Z`` or an offset attached, or an offset/abbreviation
#: after a space (an abbreviation also attached).
ZONE = (
    rf"(?:(?P<z>Z|[+-]\d{{2}}:?\d{{2}}|[+-]\d{{2}}\b)| ?(?P<za>{_ABBR})\b"
    r"| (?P<zs>[+-]\d{2}:?\d{2}))?"
)
_MON = r"(?P<b>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)"
_HMS = r"(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})"
#: A fraction of a second: digits past the ninth (finer than a nanosecond) are dropped.
_FRAC = r"(?:[.,](?P<f>\d{1,9})\d*)?"
#: A month's and a day's number in range (for telling day-first slash dates from others).
_MONTH_NUMBER, _DAY_NUMBER = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12]\d|3[01])"


@dataclasses.dataclass(frozen=True)
class TimeStyle:
    """One way of writing a timestamp.

    ``pattern`` uses the part names of this module; ``has_year`` is false for styles (BSD
    syslog, logcat) whose year must come from ``year=`` or the file date.
    """

    name: str
    pattern: str
    example: str
    has_year: bool = True
    anchored: bool = False
    #: ``(strptime format, aware)`` pairs tried first on whole values: a fast path that must
    #: agree with the generic one wherever it parses. ``aware`` formats give UTC.
    fast: tuple[tuple[str, bool], ...] = ()
    #: Before a ``fast`` format with a variable fraction (``%.f``, which polars reads slowly),
    #: values of the ISO 8601 shapes in :data:`ARROW_ISO_SHAPE` are read by Arrow's own ISO
    #: 8601 reader (see :func:`arrow_iso`): about twice as fast, whatever the digits.
    arrow_iso: bool = False
    #: Slash dates are written month first (``mdy-slash``: ``False``) or day first
    #: (``dmy-slash``: ``True``) with the same shape; ``None`` for every other style. A file
    #: is read one way only (see :func:`style_order`), as it says or ``dayfirst=`` does.
    dayfirst: bool | None = None
    #: A stricter pattern that sniffing counts matches of (the parts in range), where a style
    #: shares its shape with another read the other way; ``None``: :attr:`pattern`.
    sniff_pattern: str | None = None

    @property
    def regex(self) -> re.Pattern:
        return _compiled(self.pattern)


_CACHE: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    if pattern not in _CACHE:
        _CACHE[pattern] = re.compile(pattern)
    return _CACHE[pattern]


#: The timestamp styles, most specific first. The generic text reader sniffs one per file.
STYLES: tuple[TimeStyle, ...] = (
    TimeStyle(
        "iso8601",
        # Airflow writes "2026-10-14, 14:07:00 UTC"
        rf"(?P<Y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}})(?:[T ]|, ){_HMS}{_FRAC}{ZONE}",
        "2017-05-16 00:00:00.008",
        arrow_iso=True,
        fast=(
            ("%Y-%m-%dT%H:%M:%S%.fZ", True),
            ("%Y-%m-%dT%H:%M:%S%.f%z", True),
            ("%Y-%m-%d %H:%M:%S%.f", False),
            ("%Y-%m-%d %H:%M:%S,%3f", False),
            ("%Y-%m-%dT%H:%M:%S%.f", False),
        ),
    ),
    TimeStyle(
        "clf",
        rf"(?P<d>\d{{2}})/{_MON}/(?P<Y>\d{{4}}):{_HMS}{_FRAC}{ZONE}",
        "07/Dec/2016:11:05:07 +0100",
        fast=(("%d/%b/%Y:%H:%M:%S %z", True),),
    ),
    TimeStyle(
        "ctime",
        rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) {_MON} {{1,2}}(?P<d>\d{{1,2}}) {_HMS}{_FRAC}"
        rf"(?: (?P<za>{_ABBR}))? (?P<Y>\d{{4}})",
        "Sun Dec 04 04:47:44 2005",
    ),
    TimeStyle(
        "ymd-slash",
        rf"(?P<Y>\d{{4}})/(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})[ T:]{_HMS}{_FRAC}{ZONE}",
        "2016/10/25 14:49:34",
    ),
    TimeStyle(
        "ymd-dotted",
        r"(?P<Y>\d{4})[-.](?P<m>\d{2})[-.](?P<d>\d{2})[- ](?P<H>\d{2})[.:](?P<M>\d{2})[.:]"
        r"(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?",
        "2005-06-03-15.42.50.675872",
    ),
    TimeStyle(
        "dmy-text",
        rf"(?P<d>\d{{1,2}})[- ]{_MON}[- ](?P<Y>\d{{4}})[ :]{_HMS}{_FRAC}{ZONE}",
        "16-Nov-2016 10:20:30.123",
    ),
    TimeStyle(
        "mdy-text",
        # Kibana's CSV export writes "Oct 14, 2026 @ 14:07:00.123"
        rf"{_MON} (?P<d>\d{{1,2}}),? (?P<Y>\d{{4}})(?:,? | @ ){_HMS}{_FRAC}"
        rf"(?: ?(?P<p>[AaPp][Mm]))?{ZONE}",
        "Dec 3, 2016 10:00:00 PM",
    ),
    TimeStyle(
        "mdy-slash",
        rf"(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<Y>\d{{4}})[ ,T]+{_HMS}{_FRAC}"
        rf"(?: ?(?P<p>[AaPp][Mm]))?{ZONE}",
        "10/14/2026 2:07:00 PM",
        dayfirst=False,
        sniff_pattern=rf"\b{_MONTH_NUMBER}/{_DAY_NUMBER}/\d{{4}}[ ,T]+\d{{1,2}}:\d{{2}}:\d{{2}}",
    ),
    TimeStyle(
        "dmy-slash",
        rf"(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<Y>\d{{4}})[ ,T]+{_HMS}{_FRAC}"
        rf"(?: ?(?P<p>[AaPp][Mm]))?{ZONE}",
        "14/10/2026 14:07:00",
        dayfirst=True,
        sniff_pattern=rf"\b{_DAY_NUMBER}/{_MONTH_NUMBER}/\d{{4}}[ ,T]+\d{{1,2}}:\d{{2}}:\d{{2}}",
    ),
    TimeStyle(
        "yy-slash",
        rf"\b(?P<y>\d{{2}})/(?P<m>\d{{2}})/(?P<d>\d{{2}}) {_HMS}{_FRAC}",
        "17/06/09 20:10:40",
    ),
    TimeStyle(
        "compact-dash",
        r"(?P<Y>\d{4})(?P<m>\d{2})(?P<d>\d{2})-(?P<H>\d{1,2}):(?P<M>\d{1,2}):(?P<S>\d{1,2})"
        r"(?:[:.](?P<f>\d{1,9}))?",
        "20171223-22:15:29:606",
    ),
    TimeStyle(
        "iso-basic",
        r"(?P<Y>\d{4})(?P<m>\d{2})(?P<d>\d{2})T(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})"
        r"(?:[.,](?P<f>\d{1,9}))?(?P<z>Z|[+-]\d{4})?",
        "20261014T140700Z",
    ),
    TimeStyle(
        "yymmdd",
        r"^(?P<y>\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d) (?P<H>[0-2]\d)(?P<M>[0-5]\d)(?P<S>[0-6]\d)\b",
        "081109 203615",
        anchored=True,
    ),
    TimeStyle(
        "bsd",
        rf"\b{_MON} {{1,2}}(?P<d>\d{{1,2}}) {_HMS}{_FRAC}",
        "Jul  1 09:00:55",
        has_year=False,
        fast=(("%b %d %H:%M:%S%.f", False),),
    ),
    TimeStyle(
        "md-time",
        r"\b(?P<m>[01]\d)-(?P<d>[0-3]\d) (?P<H>\d{2}):("
        r"?P<M>\d{2}):(?P<S>\d{2})(?:\.(?P<f>\d{1,9}))?",
        "03-17 16:13:38.811",
        has_year=False,
    ),
    TimeStyle(
        "md-bracket",
        r"\[(?P<m>[01]\d)\.(?P<d>[0-3]\d) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})\]",
        "[10.30 16:49:06]",
        has_year=False,
    ),
    TimeStyle(
        "epoch",
        # not after a digit or point (a longer number) or a sign: -1791986822 is no time in 2026
        r"(?:^|[^\d.+\-])(?P<E>1\d{9}|1\d{12}|1\d{15}|1\d{18})(?:\.(?P<f>\d{1,9}))?(?:$|[^\d])",
        "1117838570 (s), 1534860261221 (ms), 1534860261221373 (µs)",
    ),
)

#: Styles only a format of their own reads (its regex has already cut the time out): not
#: sniffed in free text, where their shape is too plain.
FORMAT_STYLES: tuple[TimeStyle, ...] = (
    TimeStyle(  # Kubernetes' and glog's header, I1014 14:07:00.123456: the time after the level
        "klog",
        r"(?P<m>[01]\d)(?P<d>[0-3]\d) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})\.(?P<f>\d{6})",
        "1014 14:07:00.123456",
        has_year=False,
    ),
)
STYLE_BY_NAME = {s.name: s for s in (*STYLES, *FORMAT_STYLES)}

#: The whole-value shapes :func:`arrow_iso` hands to Arrow: date, ``T`` or space, a time with
#: seconds, an optional fraction (``.`` or ``,``, up to 9 digits), an optional zone. Arrow
#: checks the ranges (month 13, February 30 and second 60 fail it).
_ARROW_ISO_BASE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,9})?"
_ARROW_ISO_ZONE = r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)"
ARROW_ISO_SHAPE = _ARROW_ISO_BASE + _ARROW_ISO_ZONE + "?$"
#: The shapes with a zone, and those without.
_ARROW_ISO_ZONED, _ARROW_ISO_NAIVE = _ARROW_ISO_BASE + _ARROW_ISO_ZONE + "$", _ARROW_ISO_BASE + "$"


def arrow_iso(text: pl.Series | pa.Array | pa.ChunkedArray) -> tuple[pl.Series, bool] | None:
    """Every value of ``text`` (nulls aside) parsed by Arrow's ISO 8601 reader, when all of
    them have one of the :data:`ARROW_ISO_SHAPE` shapes and either all or none carry a
    zone: ``(UTC times, True)`` or ``(naive times, False)``; ``None`` otherwise (the caller
    then parses them as before). Where it parses, it agrees with the ``iso8601`` style's
    generic path (a test holds it to that). ``text`` may be Arrow text (a block's column,
    read by pyarrow), which is then not converted for the shape check."""
    arrow = text.to_arrow() if isinstance(text, pl.Series) else text
    if uniform_shape(arrow):  # every value shaped as the first: the first says which shape
        first = arrow[0].as_py()
        aware = (
            True if re.fullmatch(_ARROW_ISO_ZONED, first)
            else False if re.fullmatch(_ARROW_ISO_NAIVE, first)
            else None
        )  # fmt: skip
        if aware is None:
            return None
        return _arrow_cast(arrow, aware, comma="," in first)
    values = text.drop_nulls() if isinstance(text, pl.Series) else pl.Series(arrow).drop_nulls()
    if not values.len():
        return None
    # A failed cast costs as much as twenty good ones: the kind is decided first, by one
    # pass over the values for the shape the first value has (a second only if it fails).
    kinds = [(_ARROW_ISO_ZONED, True), (_ARROW_ISO_NAIVE, False)]
    if not re.match(_ARROW_ISO_ZONED, values[0]):
        kinds.reverse()
    aware = next((a for shape, a in kinds if values.str.contains(shape).all()), None)
    if aware is None:
        return None
    return _arrow_cast(arrow, aware, comma=values.str.contains(",", literal=True).any())


def _arrow_cast(
    arrow: pa.Array | pa.ChunkedArray, aware: bool, *, comma: bool
) -> tuple[pl.Series, bool] | None:
    """:func:`arrow_iso`'s cast of text of the ISO shapes (``comma``: some have a comma
    before the fraction, which Arrow reads as a point)."""
    dtype = pa.timestamp("ns", tz="UTC") if aware else pa.timestamp("ns")
    if comma:
        arrow = pc.replace_substring(arrow, ",", ".")
    try:
        return pl.Series(arrow.cast(dtype)), aware
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # out of range: month 13, …
        return None


def uniform_shape(text: pa.Array | pa.ChunkedArray) -> bool:
    """Whether ``text`` (Arrow text, no nulls, one chunk) has values of one length
    that, byte by byte, have a digit where the first value has one and its byte elsewhere:
    then every value matches any pattern of digit classes and literals the first one
    matches (as the ISO shapes are). ``False`` also when that cannot be told this cheaply
    (nulls, several chunks, another type). One pass of numpy over the bytes:
    a fifth of what a regex over 15,000 values costs."""
    if isinstance(text, pa.ChunkedArray):
        if text.num_chunks != 1:
            return False
        text = text.chunk(0)
    n = len(text)
    if not n or text.null_count:
        return False
    kind = {pa.string(): np.int32, pa.large_string(): np.int64}.get(text.type)
    if kind is None:
        return False
    _, offsets_buf, data_buf = text.buffers()
    offsets = np.frombuffer(offsets_buf, kind, count=n + 1, offset=text.offset * kind().itemsize)
    start, width = int(offsets[0]), int(offsets[1] - offsets[0])
    if not width or int(offsets[-1]) - start != width * n:
        return False
    if not bool((np.diff(offsets) == width).all()):
        return False
    data = np.frombuffer(data_buf, np.uint8, count=width * n, offset=start).reshape(n, width)
    first = data[0]
    digit = (first - 48) < 10  # uint8 wraps below '0'
    if not bool((((data - 48) < 10) == digit).all()):
        return False
    return bool(((data == first) | digit).all())


PARTS = ("Y", "y", "m", "b", "d", "H", "M", "S", "f", "p", "z", "za", "zs", "E")


def style_names(pattern: str) -> list[str]:
    """The part names a pattern captures."""
    return [p for p in PARTS if f"(?P<{p}>" in pattern]


def match_starts(
    values: list[str], style: TimeStyle, *, sniffing: bool = False
) -> list[int | None]:
    """Where ``style`` first matches each value (a character offset; ``None``: nowhere);
    ``sniffing``: its :attr:`~TimeStyle.sniff_pattern`, when it has one.

    ASCII values go through polars' regex engine in one call (a fifth of the time of a
    Python loop; the parser runs the same patterns there), where a byte offset is a
    character offset; the others through Python's ``re``, which counts characters."""
    pattern = (style.sniff_pattern if sniffing else None) or style.pattern
    starts: list[int | None] = [None] * len(values)
    ascii_at = [i for i, v in enumerate(values) if v.isascii()]
    rest = range(len(values))
    if len(ascii_at) > 8:
        found = pl.Series([values[i] for i in ascii_at], dtype=pl.String).str.find(pattern)
        for i, start in zip(ascii_at, found, strict=True):
            starts[i] = start
        done = set(ascii_at)
        rest = [i for i in range(len(values)) if i not in done]
    rx = _compiled(pattern)
    for i in rest:
        m = rx.search(values[i])
        starts[i] = m.start() if m else None
    return starts


def _allowed(style: TimeStyle, dayfirst: bool | None) -> bool:
    return dayfirst is None or style.dayfirst is None or style.dayfirst == dayfirst


def sniff_style(
    values: list[str], *, limit: int | None = None, dayfirst: bool | None = None
) -> tuple[TimeStyle | None, float]:
    """Pick the style that matches the most values (leftmost match wins a tie, then the
    order of :data:`STYLES`: slash dates that read either way are month first).

    Parameters
    ----------
    values
        Sample strings (lines or a column's values); blanks are ignored.
    limit
        Only count a match that starts within this many characters of the value's start.
    dayfirst
        Slash dates are day first (``True``) or month first (``False``); ``None``: as the
        values show (a day past the 12th), else month first.

    Returns
    -------
    (style, coverage)
        ``None`` and 0.0 when nothing matches.
    """
    values = [v for v in values if v and v.strip()]
    if not values:
        return None, 0.0
    best: tuple[float, float, int] | None = None
    chosen = None
    for order, style in enumerate(STYLES):
        if not _allowed(style, dayfirst):
            continue
        positions = [
            start
            for start in match_starts(values, style, sniffing=True)
            if start is not None and (limit is None or start <= limit)
        ]
        hits = len(positions)
        if not hits:
            continue
        coverage = hits / len(values)
        positions.sort()
        key = (round(coverage, 2), -positions[len(positions) // 2], -order)
        if best is None or key > best:
            best, chosen = key, style
    return (chosen, best[0]) if chosen else (None, 0.0)


def style_order(chosen: TimeStyle | None, *, dayfirst: bool | None = None) -> list[TimeStyle]:
    """The styles a file's values are tried in: ``chosen`` (sniffed on its first values)
    first, then the others (but slash dates the other way from ``dayfirst=``). A file's
    slash dates are read one way only: the first slash style tried takes every value of
    its shape, a date it cannot read (month 14) included."""
    rest = [s for s in STYLES if s is not chosen and _allowed(s, dayfirst)]
    return ([chosen] if chosen else []) + rest


#: How a user says that a source writes the day first (the end of both notes on the order).
DAYFIRST_HINT = (
    "if this source writes the day first, say so (dayfirst=True; postmortem import-logs "
    "--dayfirst; dayfirst: true on its sources: row)"
)


def order_note(values: list[str], chosen: TimeStyle | None, *, limit: int | None) -> str | None:
    """A note when ``chosen`` reads slash dates month first only because none of
    ``values`` shows otherwise (every day is the 12th or before)."""
    if chosen is None or chosen.dayfirst is not False:
        return None
    values = [v for v in values if v and v.strip()]

    def hits(style: TimeStyle) -> int:
        starts = match_starts(values, style, sniffing=True)
        return sum(1 for s in starts if s is not None and (limit is None or s <= limit))

    if hits(STYLE_BY_NAME["dmy-slash"]) < hits(chosen):  # a day past the 12th: month first
        return None
    return (
        "slash dates such as 03/04/2026 read month first (March 4): none of the first lines "
        f"has a day past the 12th to tell; {DAYFIRST_HINT}"
    )


def extract_parts(ts: pl.Expr, style: TimeStyle) -> pl.Expr:
    """A struct of the style's parts extracted from text (nulls where it does not match)."""
    return ts.str.extract_groups(style.pattern)


def _int(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Int64, strict=False)


def _zone_seconds(frame_cols: set[str], tz: str | None = None) -> pl.Expr | None:
    """Offset east of UTC in seconds from the zone parts, null when the text had none (or
    an abbreviation with no offset for a source in ``tz``: see :func:`.zone_offsets`)."""
    exprs = []
    for name in ("z", "zs"):
        if name in frame_cols:
            z = pl.col(name)
            digits = z.str.replace_all(":", "").str.slice(1)
            hours = digits.str.slice(0, 2).cast(pl.Int64, strict=False)
            minutes = digits.str.slice(2, 2).cast(pl.Int64, strict=False).fill_null(0)
            sign = pl.when(z.str.starts_with("-")).then(-1).otherwise(1)
            exprs.append(
                pl.when(z == "Z")
                .then(pl.lit(0, pl.Int64))
                .otherwise(sign * (hours * 3600 + minutes * 60))
            )
    if "za" in frame_cols:
        exprs.append(
            pl.col("za")
            .str.to_uppercase()
            .replace_strict(zone_offsets(tz), default=None, return_dtype=pl.Int64)
        )
    if not exprs:
        return None
    return pl.coalesce(exprs)


def assemble(
    parts: pl.DataFrame, *, years: pl.Series | None = None, tz: str | None = None
) -> pl.DataFrame:
    """Turn extracted parts into ``_naive`` (naive datetime[ns]), ``_offset`` (seconds east of
    UTC or null) and ``_epoch`` (aware UTC for epoch styles).

    Parameters
    ----------
    parts
        Columns named for the parts (missing ones are simply absent).
    years
        The year of each row for styles without one (see :func:`infer_years`).
    tz
        The source's zone, which settles an ambiguous zone abbreviation it uses (see
        :func:`.zone_offsets`).
    """
    cols = set(parts.columns)
    out = {}
    if "E" in cols:
        digits = pl.col("E")
        n = digits.str.len_chars()
        value = digits.cast(pl.Int64, strict=False)
        scale = (
            pl.when(n == 10).then(1_000_000_000).when(n == 13).then(1_000_000)
            .when(n == 16).then(1_000).otherwise(1)
        )  # fmt: skip
        frac = _fraction_ns(cols)
        ns = value * scale + pl.when(n == 10).then(frac).otherwise(0)
        epoch = ns.cast(pl.Datetime("ns")).dt.replace_time_zone("UTC")
        return parts.select(
            epoch.alias("_epoch"),
            pl.lit(None, pl.Datetime("ns")).alias("_naive"),
            pl.lit(None, pl.Int64).alias("_offset"),
        )
    if "Y" in cols:
        year = _int("Y")
    elif "y" in cols:
        y = _int("y")
        year = pl.when(y < 69).then(2000 + y).otherwise(1900 + y)
    elif years is not None:
        year = pl.lit(years)
    else:
        year = pl.lit(None, pl.Int64)
    if "m" in cols:
        month = _int("m")
    else:
        month = (
            pl.col("b").str.slice(0, 3).str.to_lowercase()
            .replace_strict(MONTHS, default=None, return_dtype=pl.Int64)
        )  # fmt: skip
    hour = _int("H")
    if "p" in cols:
        pm = pl.col("p").str.to_lowercase() == "pm"
        hour = (
            pl.when(pm & (hour < 12))
            .then(hour + 12)
            .when(~pm & (hour == 12))
            .then(0)
            .otherwise(hour)
        )
    text = pl.format(
        "{}-{}-{} {}:{}:{}",
        year.cast(pl.String).str.zfill(4),
        month.cast(pl.String).str.zfill(2),
        _int("d").cast(pl.String).str.zfill(2),
        hour.cast(pl.String).str.zfill(2),
        pl.col("M").str.zfill(2),
        pl.col("S").str.zfill(2),
    )
    naive = text.str.strptime(pl.Datetime("ns"), "%Y-%m-%d %H:%M:%S", strict=False)
    naive = naive + pl.duration(nanoseconds=_fraction_ns(cols))
    out["_naive"] = naive
    offset = _zone_seconds(cols, tz)
    out["_offset"] = offset if offset is not None else pl.lit(None, pl.Int64)
    out["_epoch"] = pl.lit(None, pl.Datetime("ns", "UTC"))
    return parts.select(**out)


def _fraction_ns(cols: set[str]) -> pl.Expr:
    if "f" not in cols:
        return pl.lit(0, pl.Int64)
    return pl.col("f").str.slice(0, 9).str.pad_end(9, "0").cast(pl.Int64, strict=False).fill_null(0)


def month_expr(cols) -> pl.Expr:
    """The month number from the ``m`` or ``b`` part."""
    if "m" in cols:
        return _int("m")
    return (
        pl.col("b")
        .str.slice(0, 3)
        .str.to_lowercase()
        .replace_strict(MONTHS, default=None, return_dtype=pl.Int64)
    )


#: A month's first three letters as logs write them (``oct``, ``Oct``, ``OCT``), in month
#: order: the month is the category's index // 3 + 1 (half the cost of lower-casing the text
#: and mapping it); other spellings go the regex way.
_MONTH_PREFIXES = pl.Enum([v for m in MONTHS for v in (m, m.title(), m.upper())])


def leading_month(text: pl.Expr) -> pl.Expr:
    """The month (1–12) whose name ``text`` starts with (``Oct``, ``oct`` or ``OCT``; null
    for any other start)."""
    month = text.str.slice(0, 3).cast(_MONTH_PREFIXES, strict=False).to_physical() // 3 + 1
    return month.cast(pl.Int64)


def _leading_months(source: pl.DataFrame, style: TimeStyle) -> pl.Series:
    """Month of each value of a year-less style that starts with the month's name, for
    :func:`infer_years`; values that do not start so get it from the style's pattern."""
    months = source.select(leading_month(pl.col("_t"))).to_series()
    missing = months.is_null() & source["_t"].is_not_null()
    if missing.any():
        parts = source.select(pl.col("_t").str.extract_groups(style.pattern)).unnest("_t")
        found = parts.select(month_expr(parts.columns)).to_series()
        months = months.zip_with(~missing, found)
    return months


def _count_ambiguous(marks: pl.Series, info: dict) -> None:
    """Count in ``info["ambiguous_zones"]`` the times marked with an abbreviation that names
    more than one zone (:data:`.AMBIGUOUS_ZONES`), by abbreviation."""
    found = marks.filter(marks.is_in(list(AMBIGUOUS_ZONES))).value_counts()
    counts = info.setdefault("ambiguous_zones", {})
    for abbr, n in found.iter_rows():
        counts[abbr] = counts.get(abbr, 0) + n


def parse_timestamps(
    text: pl.Series,
    styles: tuple[TimeStyle, ...] | list[TimeStyle],
    *,
    tz: str | None,
    year: int | None = None,
    last_known: dt.date | None = None,
    carry: dict | None = None,
) -> tuple[pl.Series, pl.Series, dict]:
    """Parse timestamp text written in one of ``styles`` (tried in order) to UTC.

    ``carry`` is state kept between the chunks of one file (year rollovers, DST repeats);
    see :func:`infer_years` and :func:`localise`.

    Returns
    -------
    (utc, note, info)
        ``utc`` is null where no style parsed the text; ``info`` has the counts of
        :func:`localise` plus ``year_note``, ``styles`` (name → rows) and, when some
        times are marked with an abbreviation that names more than one zone,
        ``ambiguous_zones`` (abbreviation → rows).
    """
    n = text.len()
    acc = pl.select(
        pl.repeat(None, n, dtype=pl.Datetime("ns")).alias("_naive"),
        pl.repeat(None, n, dtype=pl.Int64).alias("_offset"),
        pl.repeat(None, n, dtype=pl.Datetime("ns", "UTC")).alias("_epoch"),
        pl.repeat(False, n, dtype=pl.Boolean).alias("_done"),
    )
    info: dict = {"year_note": None, "styles": {}}
    source = pl.DataFrame({"_t": text.cast(pl.String)})
    years_carry = None if carry is None else carry.setdefault("years", {})
    for style in styles:
        if bool(acc["_done"].all()):
            break
        years = None
        fast_source, fast = source, style.fast
        if not style.has_year and fast:  # year-less (BSD syslog): prefix each line's year
            months = _leading_months(source, style)
            if months.null_count() == months.len():  # no value of this style: no year to infer
                continue
            years, info["year_note"] = infer_years(
                months, year=year, last_known=last_known, carry=years_carry
            )
            if years.len() and years.min() == years.max():  # one year (no New Year here)
                prefix = pl.lit(f"{years[0]} ") + pl.col("_t")
            else:
                prefix = pl.concat_str([pl.lit(years).cast(pl.String), pl.col("_t")], separator=" ")
            fast_source = source.select(_t=prefix)
            fast = tuple(("%Y " + fmt, aware) for fmt, aware in fast)
        head = fast_source.head(200)
        for fmt, aware in fast:
            dtype = pl.Datetime("ns", "UTC") if aware else pl.Datetime("ns")
            probe = head.select(pl.col("_t").str.strptime(dtype, fmt, strict=False)).to_series()
            if probe.null_count() == probe.len():  # the sample says this format is not used
                continue
            if style.arrow_iso and "%.f" in fmt and not bool(acc["_done"].any()):
                # polars reads a variable fraction (``%.f``) slowly: Arrow's ISO reader first
                found = arrow_iso(source["_t"])
                if found is not None:
                    got, aware = found
                    target = "_epoch" if aware else "_naive"
                    acc = acc.with_columns(got.alias(target), _done=got.is_not_null())
                    info["styles"][style.name] = got.len() - got.null_count()
                    break
            got = fast_source.select(
                pl.col("_t").str.strptime(dtype, fmt, strict=False)
            ).to_series()
            fresh = got.is_not_null() & ~acc["_done"]
            if not fresh.any():
                continue
            target = "_epoch" if aware else "_naive"
            if fresh.all():  # the usual case: this format reads every value
                acc = acc.with_columns(got.alias(target), _done=pl.lit(True))
            else:
                acc = acc.with_columns(
                    pl.when(pl.lit(fresh))
                    .then(pl.lit(got))
                    .otherwise(pl.col(target))
                    .alias(target),
                    (pl.col("_done") | pl.lit(fresh)).alias("_done"),
                )
            info["styles"][style.name] = info["styles"].get(style.name, 0) + int(fresh.sum())
        if bool(acc["_done"].all()):
            break
        hit = source.select(pl.col("_t").str.contains(style.pattern).fill_null(False)).to_series()
        matched = hit & ~acc["_done"]
        if not matched.any():
            continue
        parts = source.select(pl.col("_t").str.extract_groups(style.pattern)).unnest("_t")
        if not style.has_year and years is None:
            months = parts.select(
                pl.when(pl.lit(matched)).then(month_expr(parts.columns))
            ).to_series()
            years, info["year_note"] = infer_years(
                months, year=year, last_known=last_known, carry=years_carry
            )
        got = assemble(parts, years=years, tz=tz).with_columns(_m=matched)
        if "za" in parts.columns:
            _count_ambiguous(parts["za"].filter(matched), info)
        acc = pl.concat([acc, got.rename(lambda c: c + "_new")], how="horizontal").select(
            *(
                pl.when(pl.col("_m_new")).then(pl.col(c + "_new")).otherwise(pl.col(c)).alias(c)
                for c in ("_naive", "_offset", "_epoch")
            ),
            (pl.col("_done") | pl.col("_m_new")).alias("_done"),
        )
        info["styles"][style.name] = info["styles"].get(style.name, 0) + int(matched.sum())
    utc, note, counts = localise(acc, tz, carry)
    info.update(counts)
    return utc, note, info
