"""Line formats read with one regex each (access logs, syslog, PostgreSQL, Apache and nginx
error logs, CRI container logs) and the generic timestamped-text reader.

All parsing is vectorised: one ``str.extract_groups`` over the file's lines, then the
timestamp parts go through :mod:`.timestamps`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from postmortem_kit.ingest.columns import severity_from_http_status, with_severity
from postmortem_kit.ingest.levelwords import (
    AFTER_TS,
    LEVEL,
    LEVEL_AT_START,
    LEVEL_SET,
    LEVEL_WITHIN,
    REST_LEVEL,
)
from postmortem_kit.ingest.registry import ParseContext, Parser
from postmortem_kit.ingest.source import sample_lines
from postmortem_kit.ingest.timestamps import (
    STYLE_BY_NAME,
    TimeStyle,
    order_note,
    parse_timestamps,
    sniff_style,
)
from postmortem_kit.ingest.tsshape import at_start_groups, timestamp_shape

#: Only a timestamp that starts within this many characters of a line's start counts.
TIMESTAMP_WITHIN = 160


def regex_sniffer(pattern: str, label: str, weight: float = 1.0) -> Callable:
    """A sniffer scoring the share of sample lines that ``pattern`` matches."""
    rx = re.compile(pattern)

    def sniff(sample: list[str], name: str) -> tuple[float, str]:
        if not sample:
            return 0.0, "no lines"
        hits = sum(1 for line in sample if rx.search(line))
        return weight * hits / len(sample), f"{hits}/{len(sample)} sample lines look like {label}"

    return sniff


def reject_rows(
    ctx: ParseContext, frame: pl.DataFrame, mask: pl.Series, reason: str, *, header: bool = False
) -> pl.DataFrame:
    """Record the rows where ``mask`` holds as rejected for ``reason`` (``header``: see
    :meth:`.registry.ParseContext.reject`); return the others."""
    if not mask.any():
        return frame
    bad = frame.filter(mask)
    if bad.height:
        ex = bad.head(3)
        examples = list(zip(ex["line_no"], ex["line"], strict=True))
        ctx.reject(reason, bad["line_no"], examples, header=header)
    return frame.filter(~mask)


def attach_continuations(g: pl.DataFrame, event: pl.Series, ctx: ParseContext) -> pl.DataFrame:
    """Keep event lines; append each following non-event line to the event before it.

    Lines before the first event are rejected. Returns the events with ``_lines``.
    """
    g = g.with_columns(_event=event, _grp=event.cast(pl.Int64).cum_sum())
    orphan = g.select(~pl.col("_event") & (pl.col("_grp") == 0)).to_series()
    g = reject_rows(ctx, g, orphan, "no timestamp, and no event before it to attach to")
    cont = g.filter(~pl.col("_event"))
    events = g.filter(pl.col("_event"))
    if not cont.height:
        return events.with_columns(_lines=pl.lit(1, pl.Int64)).drop("_event", "_grp")
    ctx.report.continuation_lines += cont.height
    joined = cont.group_by("_grp", maintain_order=True).agg(
        pl.col("line").str.join("\n").alias("_cont"), pl.len().alias("_n")
    )
    events = events.join(joined, on="_grp", how="left", maintain_order="left")
    return events.with_columns(
        message=pl.when(pl.col("_cont").is_not_null())
        .then(pl.concat_str([pl.col("message").fill_null(""), pl.col("_cont")], separator="\n"))
        .otherwise(pl.col("message")),
        _lines=1 + pl.col("_n").fill_null(0).cast(pl.Int64),
    ).drop("_event", "_grp", "_cont", "_n")


def _timestamps(events: pl.DataFrame, styles, ctx: ParseContext) -> pl.DataFrame:
    utc, note, info = parse_timestamps(
        events["ts"], styles, tz=ctx.tz, year=ctx.year, last_known=ctx.last_known, carry=ctx.carry
    )
    ctx.time_info(info)
    return events.with_columns(timestamp=utc, time_note=note).drop("ts")


def extract_lines(
    lines: pl.DataFrame, pattern: str, fast: str | tuple[str, ...] | None = None
) -> pl.DataFrame:
    """``lines`` with the named groups of ``pattern`` as columns (null where it does not
    match; ``pattern`` must have a ``ts`` group that is set whenever it matches).

    ``fast``, when given, is a narrower pattern that the regex engine runs as a one-pass DFA
    (anchored, and at every character only one way on): about three times cheaper than a
    pattern with lazy or overlapping parts. It must match only lines that ``pattern``
    matches, with the same value in every group it has; its groups are a subset of
    ``pattern``'s (the others are null). Lines it misses go through ``pattern``. A fast
    pattern may stop before the message: its ``_head`` group is then the part of the line
    before it, and ``message`` is the rest of the line (capturing a trailing ``.*`` costs
    several times what the rest of a syslog pattern does). Several fast patterns (a tuple)
    are tried in turn, each on the lines the ones before it missed: one pattern of two
    alternative shapes is no longer one-pass.
    """
    if isinstance(fast, tuple):  # the one that reads the first line first (a file has one)
        first = lines["line"].drop_nulls().head(1).to_list()
        fits = [p for p in fast if first and re.match(p, first[0])]
        order = fits[:1] + [p for p in fast if p not in fits[:1]]
        fast, others = (order[0], tuple(order[1:]) or None) if order else (None, None)
    else:
        others = None
    if fast is None:
        g = lines.with_columns(pl.col("line").str.extract_groups(pattern).alias("_g"))
        return g.unnest("_g")
    g = lines.with_columns(pl.col("line").str.extract_groups(fast).alias("_g")).unnest("_g")
    if "_head" in g.columns:
        rest = pl.col("line").str.slice(pl.col("_head").str.len_chars())
        g = g.with_columns(message=rest).drop("_head")
    present = set(g.columns)
    g = g.select(
        *lines.columns,
        *(
            pl.col(n) if n in present else pl.lit(None, pl.String).alias(n)
            for n in group_names(pattern)
        ),
    )
    miss = g.select(pl.col("ts").is_null() & pl.col("line").is_not_null()).to_series()
    if not miss.any():
        return g
    slow = extract_lines(g.filter(miss).select(lines.columns), pattern, others)
    return pl.concat([g.filter(~miss), slow]).sort("line_no")


def group_names(pattern: str) -> list[str]:
    """The named groups of ``pattern`` in the order ``extract_groups`` gives them."""
    rx = re.compile(pattern)
    return sorted(rx.groupindex, key=rx.groupindex.get)


def line_preparer(
    pattern: str,
    derive: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    *,
    fast: str | tuple[str, ...] | None = None,
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """The pure, per-line part of a one-regex parser: the pattern's groups as columns (see
    :func:`extract_lines` for ``fast``), then ``derive`` (which must use only the line's own
    groups). Having no side effects, it may run on the next block in another thread while
    this one is parsed; the parser skips it for lines that already went through it."""

    def prepare(lines: pl.DataFrame, *, data: bytes = b"", state=None) -> pl.DataFrame:
        if "ts" in lines.columns:
            return lines
        g = extract_lines(lines, pattern, fast)
        return derive(g) if derive is not None else g

    return prepare


def _first_fitting(styles: tuple[TimeStyle, ...], ts: pl.Series) -> tuple[TimeStyle, ...]:
    """``styles`` with the one whose pattern reads the first time first: a block's times
    are mostly of one style, and the others then need not be tried on them. (A line
    format's styles are of disjoint shapes, so the order changes no time read.)"""
    first = ts.drop_nulls().head(1).to_list()
    fits = next((s for s in styles if first and s.regex.search(first[0])), None)
    return styles if fits is None else (fits, *(s for s in styles if s is not fits))


def line_parser(
    pattern: str,
    styles: tuple[str, ...],
    *,
    label: str,
    multiline: bool = False,
    derive: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    fast: str | tuple[str, ...] | None = None,
) -> Parser:
    """A parser for a one-regex line format.

    ``pattern`` must have a ``ts`` group (the timestamp text) and usually ``message``;
    other named groups become columns (``_``-prefixed ones are dropped). ``derive`` adds or
    casts columns from a line's own groups (it runs in :func:`line_preparer`); ``fast`` is
    the one-pass pattern tried first (:func:`extract_lines`).
    """
    style_objs = tuple(STYLE_BY_NAME[s] for s in styles)
    prepare = line_preparer(pattern, derive, fast=fast)

    def parse(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
        g = prepare(lines)
        event = g["ts"].is_not_null()
        if multiline:
            events = attach_continuations(g, event, ctx)
        else:
            events = reject_rows(ctx, g, ~event, f"does not match the {label} layout")
            events = events.drop("line").with_columns(_lines=pl.lit(1, pl.Int64))
        events = _timestamps(events, _first_fitting(style_objs, events["ts"]), ctx)
        drop = [c for c in events.columns if c.startswith("_") and c != "_lines"] + ["line"]
        return events.drop([c for c in drop if c in events.columns])

    return parse


# --- access logs ------------------------------------------------------------------------

_Q = r'(?:[^"\\]|\\.)*'
#: An nginx variable that holds one value per upstream tried (``10.1.2.3:8080, 10.1.2.4:8080``;
#: `` : `` between upstream groups).
_UPSTREAMS = r"[^ ,]+(?:(?:, | : )[^ ,]+)*"
#: The Kubernetes ingress-nginx controller's default log format after the user agent:
#: ``$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name]
#: $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id``.
_INGRESS_TAIL = (
    r" (?P<request_length>\d+) (?P<_ilat>\d+\.\d+) \[(?P<upstream_name>[^\]]*)\] "
    r"\[(?P<upstream_alternative>[^\]]*)\] (?P<upstream_addr>" + _UPSTREAMS + r") "
    r"(?P<upstream_bytes>" + _UPSTREAMS + r") (?P<upstream_time>" + _UPSTREAMS + r") "
    r"(?P<upstream_status>" + _UPSTREAMS + r") (?P<request_id>\S+)$"
)
#: The columns :data:`_INGRESS_TAIL` gives (all null on other lines: left out then).
INGRESS_COLUMNS = (
    "request_length", "upstream_name", "upstream_alternative", "upstream_addr",
    "upstream_bytes", "upstream_time", "upstream_status", "request_id",
)  # fmt: skip
#: One regex for the whole line: the request is split into method, path and protocol when it
#: has that shape (else kept whole), and a trailing ``"forwarded for"`` and request time
#: (``0.123``, ``rt=0.123``, ``request_time=0.123``) are picked out of the rest, or the
#: ingress controller's fields (:data:`_INGRESS_TAIL`) read when the rest is those.
ACCESS = (
    r'^(?P<client>.+?) (?P<ident>\S+) (?P<user>\S+) \[(?P<ts>[^\]]+)\] "(?P<request>'
    r'(?P<method>[A-Z][A-Z_-]*) (?P<path>(?:[^"\\\s]|\\\S)+)(?: (?P<protocol>[A-Z]+/[\d.]+))?'
    r"|" + _Q + r')" '
    r"(?P<status>\d{3}) (?P<bytes>\d+|-)"
    r'(?: "(?P<referer>' + _Q + r')" "(?P<user_agent>' + _Q + r')")?'
    r'(?: "(?P<forwarded_for>[^"]*)")?'
    r"(?:" + _INGRESS_TAIL + r"|.*?\s(?:rt=|request_time=)?(?P<_lat>\d+\.\d+)(?:\s|$))?"
)
#: :data:`ACCESS` narrowed to a one-pass pattern (see :func:`extract_lines`): combined or
#: common layout, a bare client, a ``METHOD path PROTOCOL`` request, and at most a request
#: time after the user agent. Anything else (forwarded-for, ``rt=``, odd requests) goes
#: through :data:`ACCESS`. It captures neither ``ident`` (dropped) nor the ``request``
#: whole (its three parts, joined with a space): two groups fewer cost 10 % less of the
#: regex's time, 16.2 against 14.5 ms for a 4 MiB block on one thread.
ACCESS_FAST = (
    r'^(?P<client>[^\s,"]+) \S+ (?P<user>\S+) \[(?P<ts>[^\]]+)\] "'
    r'(?P<method>[A-Z][A-Z_-]*) (?P<path>(?:[^"\\\s]|\\\S)+) (?P<protocol>[A-Z]+/[\d.]+)" '
    r"(?P<status>\d{3}) (?P<bytes>\d+|-)"
    r'(?: "(?P<referer>' + _Q + r')" "(?P<user_agent>' + _Q + r')"(?: (?P<_lat>\d+\.\d+))?)?$'
)
COMBINED_SNIFF = r'^\S.* \S+ \S+ \[[^\]]+\] "[^"]*" \d{3} (?:\d+|-) "[^"]*" "[^"]*"'
COMMON_SNIFF = r'^\S.* \S+ \S+ \[[^\]]+\] "[^"]*" \d{3} (?:\d+|-)'


def dash_is_null(name: str) -> pl.Expr:
    """Column ``name`` with ``-`` (a field without a value, in access logs) as null."""
    return pl.when(pl.col(name) != "-").then(pl.col(name))


def access_columns(*, quoted_clients: bool, fast: bool = False) -> dict[str, pl.Expr]:
    """The columns an access log's groups give (``ident`` and ``request`` are then
    dropped). ``quoted_clients``: some client field holds white space, a comma or a quote
    (a list of addresses, quoted): ``client_ip`` is then its first address; otherwise it
    is ``client`` itself (and shares its buffers). ``fast``: every line was read by
    :data:`ACCESS_FAST`, so the request is its method, path and protocol."""
    status = pl.col("status").cast(pl.Int64, strict=False)
    client = client_ip = pl.col("client")
    if quoted_clients:
        client = client.str.strip_chars('"')
        client_ip = client.str.extract(r"^\s*([^\s,\"]+)")
    if fast:
        message = pl.concat_str([*_REQUEST_PARTS, pl.col("status")], separator=" ")
    else:
        message = (
            pl.when(pl.col("request") == "")
            .then(pl.format("(empty request) {}", pl.col("status")))
            .otherwise(pl.concat_str([request_text(), pl.col("status")], separator=" "))
        )
    return dict(
        status=status,
        bytes=pl.col("bytes").cast(pl.Int64, strict=False),
        latency=pl.coalesce("_ilat", "_lat").cast(pl.Float64, strict=False),
        client=client,
        client_ip=client_ip,
        user=dash_is_null("user"),
        referer=dash_is_null("referer"),
        forwarded_for=dash_is_null("forwarded_for"),
        message=message,
        severity=severity_from_http_status(status),
    )


_REQUEST_PARTS = (pl.col("method"), pl.col("path"), pl.col("protocol"))


def request_text() -> pl.Expr:
    """The request as written: ``request``, or for a line :data:`ACCESS_FAST` read (which
    has no ``request`` group) its method, path and protocol joined by spaces."""
    return pl.coalesce(pl.col("request"), pl.concat_str(_REQUEST_PARTS, separator=" "))


def derive_access(f: pl.DataFrame) -> pl.DataFrame:
    quoted = bool(f.height) and f["client"].str.contains(r'[\s,"]').any()
    f = f.with_columns(**access_columns(quoted_clients=quoted)).drop("ident", "request", "_ilat")
    if "request_id" in f.columns and f["request_id"].null_count() == f.height:
        return f.drop(INGRESS_COLUMNS)  # no ingress controller's line here
    return f.with_columns(**ingress_columns())


def ingress_columns() -> dict[str, pl.Expr]:
    """The ingress controller's fields as their types (``-`` as none, as nginx writes it;
    a field of several upstreams stays text)."""
    none = {n: pl.when(pl.col(n).is_in(["", "-"]).not_()).then(pl.col(n)) for n in INGRESS_COLUMNS}
    return {**none, "request_length": pl.col("request_length").cast(pl.Int64, strict=False)}


prepare_access = line_preparer(ACCESS, derive_access, fast=ACCESS_FAST)
parse_access = line_parser(
    ACCESS, ("clf", "iso8601"), label="access log", derive=derive_access, fast=ACCESS_FAST
)


# --- syslog -------------------------------------------------------------------------------

_BSD = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|D"
    r"ec) {1,2}\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?"
)
_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?"
RFC3164 = (
    rf"^(?:<(?P<_pri>\d{{1,3}})>)?(?P<ts>{_BSD}|{_ISO}) (?P<host>\S+) "
    r"(?:(?P<program>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: )?(?P<message>.*)$"
)
#: :data:`RFC3164` narrowed to one-pass patterns (see :func:`extract_lines`): a BSD
#: timestamp, then (for the lines that have none) an ISO 8601 one (rsyslog's high-precision
#: format); a printable-ASCII host and program (the program without ``:`` or ``[``), and
#: the message left to slicing. Other lines (no program tag, non-ASCII names) go through
#: :data:`RFC3164`.
RFC3164_FAST = tuple(
    rf"^(?P<_head>(?:<(?P<_pri>\d{{1,3}})>)?(?P<ts>{stamp}) (?P<host>[!-~]+) "
    r"(?P<program>[!-9;-Z\\\]-~]+)(?:\[(?P<pid>\d+)\])?: )"
    for stamp in (_BSD, _ISO)
)
#: A host name starts with no bracket: ``… [ERROR] agent: …`` is HashiCorp's hclog, not syslog.
RFC3164_SNIFF = rf"^(?:<\d{{1,3}}>)?(?:{_BSD}|{_ISO}) [^\s\[]\S* [^\s\[:]+(?:\[\d+\])?:(?: |$)"
#: The access-log formats' sniffers: :data:`COMBINED_SNIFF` and :data:`COMMON_SNIFF` on a
#: line that does not start with a syslog time. nginx's access log sent to syslog is syslog
#: (host, program), whose messages :mod:`.accesspayload` reads as requests; matched as a
#: combined line, the syslog head was taken for the client. (Python's ``re``: the look-ahead
#: is not for polars.)
_SYSLOG_START = rf"(?:<\d{{1,3}}>)?(?:{_BSD}|{_ISO}) "
COMBINED_LINE = rf"^(?!{_SYSLOG_START}){COMBINED_SNIFF[1:]}"
COMMON_LINE = rf"^(?!{_SYSLOG_START}){COMMON_SNIFF[1:]}"
_SD = r'(?:-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)'
RFC5424 = (
    rf"^(?:<(?P<_pri>\d{{1,3}})>(?P<_version>\d{{1,2}}) )?(?P<ts>{_ISO}|-) (?P<host>\S+) "
    rf"(?P<program>\S+) (?P<pid>\S+) (?P<msgid>\S+) ("
    rf"?P<structured_data>{_SD})(?: (?P<message>.*))?$"
)


def derive_syslog(f: pl.DataFrame, level_at_start: pl.Series | None = None) -> pl.DataFrame:
    """Syslog's columns from its groups: ``facility`` and ``severity_raw`` from the PRI (or
    structured data, or a level word at the start of the message: see :func:`level_word`,
    whose first step ``level_at_start`` may hold already), ``pid``, and ``-`` as null."""
    pri = pl.col("_pri").cast(pl.Int64, strict=False)
    exprs = {
        "facility": pri // 8,
        "severity_raw": (pri % 8).cast(pl.String),
        "pid": pl.when(pl.col("pid") != "-").then(pl.col("pid")).cast(pl.Int64, strict=False),
    }
    for col in ("program", "host", "msgid"):
        if col in f.columns:
            exprs[col] = pl.when(pl.col(col) != "-").then(pl.col(col))
    if "structured_data" in f.columns:
        sd = pl.when(pl.col("structured_data") != "-").then(pl.col("structured_data"))
        exprs["structured_data"] = sd
        exprs["severity_raw"] = pl.coalesce(
            exprs["severity_raw"], sd.str.extract(r'\blevel="([^"]+)"')
        )
    # Without a PRI, a level word at the start of the message (postgres "LOG:", "ERROR:").
    level = level_word(f["message"], level_at_start)
    exprs["severity_raw"] = pl.coalesce(exprs["severity_raw"], pl.lit(level))
    return with_severity(f.with_columns(**exprs))


#: Characters at the start of a syslog message a level word is looked for in.
SYSLOG_LEVEL_WITHIN = 48


def level_at_start(message: pl.Expr, within: int = SYSLOG_LEVEL_WITHIN) -> pl.Expr:
    """The first step of :func:`level_word`: a level word at the start of ``message``'s
    first ``within`` characters (null where there is none)."""
    groups = message.str.slice(0, within).str.extract_groups(LEVEL_AT_START)
    return groups.struct.field("_l1").fill_null(groups.struct.field("_l2"))


def level_word(
    message: pl.Series, found: pl.Series | None = None, within: int = SYSLOG_LEVEL_WITHIN
) -> pl.Series:
    """The first level word (:data:`.levelwords.LEVEL`'s ``_l1`` or ``_l2``) in each
    message's first ``within`` characters. Messages are first matched at their start only,
    which is cheap (:func:`level_at_start`; ``found``, when it was done already); only those
    without a level word there are searched through. A match at the start is the leftmost
    one, so both give what searching every message would."""
    if found is None:
        found = message.to_frame("m").select(level_at_start(pl.col("m"), within)).to_series()
    head = message.str.slice(0, within)
    rest = found.is_null() & head.is_not_null()
    if rest.any():
        groups = head.filter(rest).str.extract_groups(LEVEL)
        more = groups.struct.field("_l1").fill_null(groups.struct.field("_l2"))
        found = found.scatter(rest.arg_true(), more)
    return found.alias("_level")


prepare_rfc3164 = line_preparer(RFC3164, derive_syslog, fast=RFC3164_FAST)
parse_rfc3164 = line_parser(
    RFC3164, ("bsd", "iso8601"), label="syslog", derive=derive_syslog, fast=RFC3164_FAST
)
prepare_rfc5424 = line_preparer(RFC5424, derive_syslog)
parse_rfc5424 = line_parser(RFC5424, ("iso8601",), label="RFC 5424 syslog", derive=derive_syslog)


# --- PostgreSQL, Apache and nginx error logs, CRI ------------------------------------------

POSTGRES = (
    r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d"
    r"{1,9})?(?: [A-Z]{2,5}| ?[+-]\d{2}(?::?\d{2})?)?)"
    r" \[(?P<pid>\d+)(?:-(?P<session_line>\d+))?\] (?:(?P<user>[^@\s]+)@(?P<database>\S+) )?"
    r"(?P<severity_raw>[A-Z]+\d?):  ?(?P<message>.*)$"
)
APACHE_ERROR = (
    r"^\[(?P<ts>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{"
    r"2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\] "
    r"\[(?:(?P<module>[\w-]+):)?(?P<severity_raw>\w+)\]"
    r" (?:\[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\] )?"
    r"(?:\[client (?P<client>[^\]]+)\] )?(?P<message>.*)$"
)
NGINX_ERROR = (
    r"^(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?P<severity_raw>\w+)\] (?P<pid>\d+)#(?P<tid>\d+): "  # noqa: E501
    r"(?:\*(?P<connection>\d+) )?(?P<message>.*)$"
)
CRI = rf"^(?P<ts>{_ISO}) (?P<stream>stdout|stderr) (?P<_tag>[FP])(?: (?P<message>.*))?$"
#: klog / glog (Kubernetes' components, many Go and C++ servers): ``Lmmdd hh:mm:ss.uuuuuu
#: threadid file:line] msg``, the level one of I, W, E, F.
KLOG = (
    r"^(?P<severity_raw>[IWEF])(?P<ts>[01]\d[0-3]\d \d{2}:\d{2}:\d{2}\.\d{6}) +"
    r"(?P<tid>\d+) (?P<caller>[^\s\]]+)\] (?P<message>.*)$"
)


def _derive_levelled(f: pl.DataFrame) -> pl.DataFrame:
    ints = {
        c: pl.col(c).cast(pl.Int64, strict=False)
        for c in ("pid", "tid", "session_line")
        if c in f.columns
    }
    return with_severity(f.with_columns(**ints))


def _derive_cri(f: pl.DataFrame) -> pl.DataFrame:
    return f.with_columns(partial=pl.col("_tag") == "P", message=pl.col("message").fill_null(""))


prepare_postgres = line_preparer(POSTGRES, _derive_levelled)
parse_postgres = line_parser(
    POSTGRES, ("iso8601",), label="PostgreSQL log", multiline=True, derive=_derive_levelled
)
prepare_apache_error = line_preparer(APACHE_ERROR, _derive_levelled)
parse_apache_error = line_parser(
    APACHE_ERROR, ("ctime",), label="Apache error log", multiline=True, derive=_derive_levelled
)
prepare_nginx_error = line_preparer(NGINX_ERROR, _derive_levelled)
parse_nginx_error = line_parser(
    NGINX_ERROR, ("ymd-slash",), label="nginx error log", multiline=True, derive=_derive_levelled
)
prepare_klog = line_preparer(KLOG, _derive_levelled)
parse_klog = line_parser(KLOG, ("klog",), label="klog", multiline=True, derive=_derive_levelled)
prepare_cri = line_preparer(CRI, _derive_cri)
parse_cri = line_parser(CRI, ("iso8601",), label="CRI container log", derive=_derive_cri)


# --- generic timestamped text ---------------------------------------------------------------


def _bare(pattern: str) -> str:
    """A style's pattern with its named groups made non-capturing (matching it is cheaper)."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def text_pattern(style: TimeStyle, *, at_start: bool = False) -> str:
    """The regex of the generic reader: ``_pre`` (text before the timestamp, at most
    :data:`TIMESTAMP_WITHIN` characters) and ``ts``. It stops at the timestamp's end, so a
    long line costs no more than a short one; the rest is sliced off afterwards."""
    if style.anchored:
        return rf"^(?P<_pre>)(?P<ts>{_bare(style.pattern[1:])})"
    if at_start:
        return rf"^(?P<_pre>)(?P<ts>{_bare(style.pattern)})"
    return rf"^(?P<_pre>.{{0,{TIMESTAMP_WITHIN}}}?)(?P<ts>{_bare(style.pattern)})"


#: An opening and a closing bracket around a timestamp.
_BRACKET_PAIRS = ["[]", "()", "<>", "{}"]


def _searched(lines: pl.DataFrame, style: TimeStyle, at_start: bool) -> pl.DataFrame:
    """``ts``, ``message`` and ``severity_raw`` of lines by a search for the timestamp
    within :data:`TIMESTAMP_WITHIN` characters (the general path)."""
    pattern = text_pattern(style, at_start=at_start)
    g = lines.with_columns(pl.col("line").str.extract_groups(pattern).alias("_g")).unnest("_g")
    rest = pl.col("line").str.slice(pl.col("_pre").str.len_chars() + pl.col("ts").str.len_chars())
    before = pl.col("_pre").str.strip_chars()
    # a timestamp in brackets ([2026-10-14T14:07:00.123Z] …): the opening one goes with it
    pair = pl.concat_str([before.str.slice(-1), pl.col("_rest").str.slice(0, 1)])
    unbracketed = before.str.slice(0, before.str.len_chars() - 1).str.strip_chars()
    before = pl.when(pair.is_in(_BRACKET_PAIRS)).then(unbracketed).otherwise(before)
    g = g.with_columns(_rest=rest).with_columns(
        message=pl.concat_str(
            [
                before,
                pl.col("_rest").str.strip_chars_start(" \t,;:-|]>)").str.strip_chars_end(),
            ],
            separator=" ",
        ).str.strip_chars(),
    )
    # Level words sit near the timestamp: look only at the next 120 characters, else at the
    # start of the text before it (Cassandra's "INFO  [main] 2026-10-14 14:07:00,123 …").
    head = pl.col("_rest").str.slice(0, LEVEL_WITHIN).str.extract_groups(REST_LEVEL)
    first = pl.col("_pre").str.extract_groups(LEVEL_AT_START)
    first = first.struct.rename_fields(["_p1", "_p2", "_p3"])
    g = g.with_columns(head.alias("_lv"), first.alias("_lp")).unnest("_lv", "_lp")
    return g.with_columns(
        severity_raw=pl.coalesce("_l0", "_l1", "_l2", "_l3", "_p1", "_p2")
    ).select("line_no", "line", "ts", "message", "severity_raw")


def _at_start(lines: pl.DataFrame, style: TimeStyle, shape: str | None = None) -> pl.DataFrame:
    """The same columns as :func:`_searched` (without ``_pre``, which is empty) for a
    timestamp that starts the line, by one regex that stops after the level word.

    The regex captures the timestamp, the separator after it (``_s``, then whitespace
    ``_w``: what the general path strips) and the word right after that: a level word when
    it is one of :data:`.levelwords.LEVEL`'s (a whole word, as that has it end at a
    non-letter). The message is the rest of the line, sliced off. A level word found so is
    what :data:`.levelwords.REST_LEVEL` finds first when it ends inside the searched
    characters; the other lines with a timestamp get its search. Lines of the file's
    timestamp ``shape`` (when known) are read by a one-pass pattern first (see
    :mod:`.tsshape`)."""
    pattern = (
        rf"^(?P<ts>{_bare(style.pattern.removeprefix('^'))})(?P<_s>{AFTER_TS})(?P<_w>\s*)"
        r"(?:(?P<_l1>[A-Za-z]+)(?:[\s\]>)|:,]|$))?"
    )
    g = at_start_groups(lines, pattern, shape)
    return search_levels(g.with_columns(**after_timestamp()))


def after_timestamp() -> dict[str, pl.Expr]:
    """``message`` and ``severity_raw`` from the groups ``ts``, ``_s``, ``_w`` and ``_l1`` of
    the pattern of a timestamp that starts the line (see :func:`_at_start`): the rest of
    the line, and the word after the timestamp when it is a level word, which
    :data:`.levelwords.REST_LEVEL` would find first (null where :func:`search_levels` must
    search)."""
    s, w, word = pl.col("_s"), pl.col("_w"), pl.col("_l1")
    skip = pl.col("ts").str.len_chars() + s.str.len_chars() + w.str.len_chars()
    inside = s.str.len_chars() + w.str.len_chars() + word.str.len_chars() < LEVEL_WITHIN
    return {
        "message": pl.col("line").str.slice(skip).str.strip_chars_end(),
        "severity_raw": pl.when(inside & word.is_in(LEVEL_SET)).then(word),
    }


def level_search() -> pl.Expr:
    """:data:`.levelwords.REST_LEVEL`'s search for a level word in a line's text after its
    timestamp (``ts``)."""
    groups = (
        pl.col("line").str.slice(pl.col("ts").str.len_chars(), LEVEL_WITHIN)
        .str.extract_groups(REST_LEVEL)
    )  # fmt: skip
    return pl.coalesce(*(groups.struct.field(f"_l{i}") for i in range(4)))


def search_levels(g: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """``g`` (with :func:`after_timestamp`'s columns) with :func:`level_search` in the lines
    with a timestamp but no level word right after it (and the columns ``keep`` of
    ``g``'s)."""
    search = g.select(pl.col("ts").is_not_null() & pl.col("severity_raw").is_null()).to_series()
    if search.any():
        rows = search.arg_true()
        found = g.filter(search).select(level_search()).to_series()
        g = g.with_columns(g["severity_raw"].scatter(rows, found))
    return g.select("line_no", "line", "ts", "message", "severity_raw", *keep)


def split_text(
    lines: pl.DataFrame, style: TimeStyle, at_start: bool, shape: str | None = None
) -> pl.DataFrame:
    """Split lines into ``ts``, ``message`` and ``severity_raw`` (null ``ts``: no timestamp).
    When the sample's timestamps start the line (``at_start``), an anchored regex goes first
    and only the lines it misses are searched."""
    if not (at_start or style.anchored):
        return _searched(lines, style, at_start)
    g = _at_start(lines, style, shape)
    miss = g["ts"].is_null()
    if style.anchored or not miss.any():
        return g
    again = _searched(g.filter(miss).select("line_no", "line"), style, at_start=False)
    return pl.concat([g.filter(~miss), again]).sort("line_no")


def sniff_text(sample: list[str], name: str) -> tuple[float, str]:
    style, coverage = sniff_style(sample, limit=TIMESTAMP_WITHIN)
    if style is None or coverage < 0.2:
        return 0.0, "no timestamp style found"
    hits = round(coverage * len(sample))
    return (
        0.85 * coverage,
        f"timestamps like {style.example!r} ({style.name}) in {hits}/{len(sample)} sample lines",
    )


def prepare_text(lines: pl.DataFrame, *, data: bytes = b"", state=None) -> pl.DataFrame:
    """The pure part of :func:`parse_text` for the blocks after the first: each line split
    into ``ts``, ``message`` and ``severity_raw`` by the timestamp style the parser chose
    on the first block (``state["text_style"]``); lines as they are before that."""
    if "ts" in lines.columns or not state or "text_style" not in state:
        return lines
    style, at_start = state["text_style"]
    return lines if style is None else split_text(lines, style, at_start, state.get("text_shape"))


def prime_text(lines: pl.DataFrame, ctx: ParseContext) -> None:
    """Choose the file's timestamp style (and, for times that start the line, their shape)
    from its first block's lines, once: the ``prime`` of the generic text format (see
    :attr:`.LogFormat.prime`), so that the file's first blocks too can be read by
    :func:`.textblock.read_text_block`."""
    if "text_style" in ctx.state:  # a later chunk of the file: keep the first one's style
        return
    sample = sample_lines(lines)
    style, _ = sniff_style(sample, limit=TIMESTAMP_WITHIN, dayfirst=ctx.dayfirst)
    if ctx.dayfirst is None and (note := order_note(sample, style, limit=TIMESTAMP_WITHIN)):
        ctx.report.notes.append(note)
    at_start = style is not None and sum(
        1 for line in sample if style.regex.match(line)
    ) >= 0.8 * max(len(sample), 1)
    ctx.state["text_style"] = (style, at_start)
    if style is not None:
        ctx.report.why += f"; style {style.name}"
        if at_start:
            ctx.state["text_shape"] = timestamp_shape(sample, style)


def parse_text(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Generic reader: find the file's timestamp style, take each line with a timestamp near
    its start as an event and attach the lines without one (stack traces) to it."""
    if "ts" in lines.columns:  # split by :func:`prepare_text` in a worker
        return text_events(lines, ctx)
    prime_text(lines, ctx)
    style, at_start = ctx.state["text_style"]
    if style is None:
        everything = pl.Series([True] * lines.height)
        return reject_rows(ctx, lines, everything, "no timestamp found").head(0)
    return text_events(split_text(lines, style, at_start, ctx.state.get("text_shape")), ctx)


def text_events(g: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """The events of lines split by :func:`split_text`, in the style the file's first block
    chose."""
    style, _ = ctx.state["text_style"]
    events = attach_continuations(g, g["ts"].is_not_null(), ctx)
    events = _timestamps(events, (style,), ctx)
    events = with_severity(events)
    drop = [c for c in events.columns if c.startswith("_") and c != "_lines"]
    return events.drop(drop + ["line"])
