"""Log-import benchmarks (``make bench``): 1M-line files per format, generated with a fixed
seed into a temporary folder, each measured in its own warm process.

For each format it prints wall and CPU seconds, lines/s, MB/s, peak RSS over the process's
warm baseline (÷ file size), and ratios to baselines measured in the same run: the bare
engine (polars ``scan_csv`` + the format's textbook regex + ``strptime``; pyarrow
``read_json`` for JSON lines and journald's export, ``read_csv`` for CSV; wall and,
steadier on a busy machine, CPU time); the same engine making the normalised frame the
issue timed, in one polars query, then pandas (``norm``: see :func:`normalised`; its peak
RSS too), and a naive Python loop (``re`` + ``strptime``; ``json.loads`` or the ``csv``
module). The ``nginx.gz`` row is the nginx file
gzipped (level 6): the engine reads it with ``read_csv`` (``scan_csv`` reads no compressed
file), and its MB, MB/s and RSS/file count the text inside. A last row times a window of
1 % of the file cut by byte-offset bisection. Two formats come in a second layout too:
``syslog-iso`` (rsyslog's high-precision times) and ``log4j`` (timestamped text with the
thread before the level), so that the table is not only the layouts a reader does best.

Ours, the bare engine and the normalised one are each run ``--runs`` times (3 by default),
interleaved, each run in a fresh process; the table gives each one's median wall and CPU
time (so the ratios are of medians: a single run on this 2-core machine varies by up to a
fifth) and ours' highest peak memory of the runs. The naive loop is run once.

Usage: ``.venv/bin/python tests/bench/import_bench.py [--lines N] [--formats F,...] [--runs N]
[--keep DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = 2041
START = dt.datetime(2026, 10, 14, 0, 0, 0, tzinfo=dt.UTC)

PATHS = ["/api/orders", "/api/cart", "/product/pine-oak", "/static/app.js", "/login", "/health"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "curl/8.5.0", "Googlebot/2.1"]
WORDS = [
    "pool",
    "timeout",
    "order",
    "payment",
    "retry",
    "cache",
    "upstream",
    "connection",
    "user",
    "queue",
]


def _times(n: int):
    rnd = random.Random(SEED)
    t = START.timestamp()
    for _ in range(n):
        t += rnd.random() * 0.04
        yield t, rnd


def generate(kind: str, n: int, folder: Path) -> Path:
    """Write ``n`` lines of one format (fixed seed) and return the file; a kind ending in
    ``.gz`` is that format's file gzipped (level 6, gzip's default)."""
    if kind.endswith(".gz"):
        plain = generate(kind.removesuffix(".gz"), n, folder)
        path = plain.with_name(plain.name + ".gz")
        with plain.open("rb") as src, gzip.open(path, "wb", compresslevel=6) as out:
            shutil.copyfileobj(src, out, 1 << 20)
        return path
    path = folder / {"nginx": "access.log", "syslog": "syslog", "json": "app.jsonl",
                     "logfmt": "app.logfmt", "text": "app.log", "csv": "events.csv",
                     "journald": "journal.json", "log4j": "service.log",
                     "syslog-iso": "messages"}[kind]  # fmt: skip
    with path.open("w", encoding="utf-8") as out:
        buf = []
        for i, (t, rnd) in enumerate(_times(n)):
            moment = dt.datetime.fromtimestamp(t, dt.UTC)
            word = WORDS[i % len(WORDS)]
            if kind == "nginx":
                local = moment.astimezone(dt.timezone(dt.timedelta(hours=-4)))
                buf.append(
                    f"10.{i % 250}.{rnd.randrange(256)}.{rnd.randrange(256)} - - "
                    f'[{local.strftime("%d/%b/%Y:%H:%M:%S %z")}] "GET {PATHS[i % 6]}?id={i} HTTP/1.1" '  # noqa: E501
                    f'{(200, 200, 200, 404, 502)[i % 5]} {rnd.randrange(100, 50000)} "-" '
                    f'"{AGENTS[i % 3]}" {rnd.random():.3f}\n'
                )
            elif kind == "syslog":
                buf.append(
                    f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S} db-{i % 4} "
                    f"postgres[{1000 + i % 500}]: LOG:  {word} event {i} took {rnd.random():.3f} s\n"  # noqa: E501
                )
            elif kind == "syslog-iso":  # rsyslog's high-precision format
                buf.append(
                    f"{moment.isoformat(timespec='microseconds')} db-{i % 4} "
                    f"postgres[{1000 + i % 500}]: LOG:  {word} event {i} took {rnd.random():.3f} s\n"  # noqa: E501
                )
            elif kind == "json":
                row = {"ts": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                       "level": ("info", "debug", "warn", "error")[i % 4], "msg": f"{word} event",
                       "service": "checkout-api", "host": f"api-{i % 3}", "trace_id": f"{i:016x}",
                       "duration_ms": round(rnd.random() * 900, 1)}  # fmt: skip
                if i % 1000 == 999:
                    row["order_id"] = f"o-{i}"
                buf.append(json.dumps(row) + "\n")
            elif kind == "logfmt":
                buf.append(
                    f"time={moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')} "
                    f'level={("info", "warn", "error")[i % 3]} msg="{word} event {i}" host=api-{i % 3}\n'  # noqa: E501
                )
            elif kind == "csv":
                if i == 0:
                    buf.append("timestamp,service,level,message,latency_ms\n")
                buf.append(
                    f"{moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')},"
                    f'api-{i % 3},{("INFO", "WARN", "ERROR")[i % 3]},"{word} event {i}, ok",'
                    f"{rnd.random() * 100:.2f}\n"
                )
            elif kind == "journald":
                buf.append(json.dumps({
                    "__CURSOR": f"s=b1;i={i:x}", "__REALTIME_TIMESTAMP": str(int(t * 1e6)),
                    "PRIORITY": str(3 + i % 4), "_HOSTNAME": f"web-{i % 3}",
                    "SYSLOG_IDENTIFIER": "api", "_PID": str(100 + i % 50),
                    "_SYSTEMD_UNIT": "api.service", "MESSAGE": f"{word} event {i}",
                }) + "\n")  # fmt: skip
            elif kind == "log4j":  # log4j's and logback's usual layout: the thread first
                buf.append(
                    f"{moment.strftime('%Y-%m-%d %H:%M:%S')},{int(moment.microsecond / 1000):03d} "
                    f"[worker-{i % 8}] {('INFO', 'WARN', 'ERROR')[i % 3]} c.s.OrderService - "
                    f"{word} {i}\n"
                )
            elif kind == "text":
                buf.append(
                    f"{moment.strftime('%Y-%m-%d %H:%M:%S')},{int(moment.microsecond / 1000):03d} "
                    f"{('INFO', 'WARN', 'ERROR')[i % 3]} [worker-{i % 8}] OrderService: {word} {i}\n"  # noqa: E501
                )
            if len(buf) >= 50_000:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
    return path


# --- what runs in each measuring process ---------------------------------------------------------

NAIVE = {
    "nginx": (r'^(\S+) \S+ (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"', 3,
              "%d/%b/%Y:%H:%M:%S %z"),
    "syslog": (r"^(\w{3} [ \d]\d \d\d:\d\d:\d\d) (\S+) ([^\[:]+)(?:\[(\d+)\])?: (.*)$", 1,
               "%Y %b %d %H:%M:%S"),
    "json": None,
    "journald": None,
    "csv": None,
    "logfmt": (r'(\w+)=("[^"]*"|\S+)', None, None),
    "text": (r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\w+) (.*)$", 1, "%Y-%m-%d %H:%M:%S,%f"),
    "log4j": (r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \[([^\]]+)\] (\w+) (.*)$", 1,
              "%Y-%m-%d %H:%M:%S,%f"),
    "syslog-iso": (r"^(\S+) (\S+) ([^\[:]+)(?:\[(\d+)\])?: (.*)$", 1, None),
}  # fmt: skip


def naive(kind: str, path: Path) -> int:
    """The baseline: a plain Python loop, one ``re`` match and one ``strptime`` per line."""
    import re

    rows = 0
    opener = gzip.open if kind.endswith(".gz") else open
    kind = kind.removesuffix(".gz")
    with opener(path, "rt", encoding="utf-8") as handle:
        if kind == "json":
            for line in handle:
                obj = json.loads(line)
                dt.datetime.fromisoformat(obj["ts"])
                rows += 1
            return rows
        if kind == "journald":
            for line in handle:
                obj = json.loads(line)
                dt.datetime.fromtimestamp(int(obj["__REALTIME_TIMESTAMP"]) / 1e6, dt.UTC)
                rows += 1
            return rows
        if kind == "csv":
            import csv

            reader = csv.reader(handle)
            next(reader)
            for row in reader:
                dt.datetime.fromisoformat(row[0])
                rows += 1
            return rows
        pattern, group, fmt = NAIVE[kind]
        rx = re.compile(pattern)
        for line in handle:
            if kind == "logfmt":
                pairs = dict(rx.findall(line))
                dt.datetime.fromisoformat(pairs["time"])
                rows += 1
                continue
            m = rx.match(line)
            if m:
                text = m.group(group)
                if fmt is None:
                    dt.datetime.fromisoformat(text)
                else:
                    dt.datetime.strptime("2026 " + text if kind == "syslog" else text, fmt)
                rows += 1
    return rows


#: The textbook pattern of each line format (fixed here, independent of our parsers, so that
#: a faster parser of ours shows as a lower ratio) and its ``strptime`` format.
ENGINE = {
    "nginx": (r'^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<ts>[^\]]+)\] "(?P<request>[^"]*)" '
              r'(?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<referer>[^"]*)" "(?P<user_agent>[^"]*)"',
              "%d/%b/%Y:%H:%M:%S %z"),
    "syslog": (r"^(?P<ts>\w{3} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) (?P<program>[^\[:]+)"
               r"(?:\[(?P<pid>\d+)\])?: (?P<message>.*)$", "%Y %b %d %H:%M:%S"),
    "text": (r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<level>\w+) (?P<message>.*)$",
             "%Y-%m-%d %H:%M:%S,%3f"),
    "logfmt": (r'time=(?P<ts>\S+) level=(?P<level>\S+) msg="(?P<message>[^"]*)"',
               "%Y-%m-%dT%H:%M:%S%.fZ"),
    "log4j": (r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \[(?P<thread>[^\]]+)\] "
              r"(?P<level>\w+) (?P<message>.*)$", "%Y-%m-%d %H:%M:%S,%3f"),
    "syslog-iso": (r"^(?P<ts>\S+) (?P<host>\S+) (?P<program>[^\[:]+)(?:\[(?P<pid>\d+)\])?: "
                   r"(?P<message>.*)$", "%Y-%m-%dT%H:%M:%S%.f%:z"),
}  # fmt: skip


def engine(kind: str, path: Path) -> int:
    """The bare engine, the issue's ingredients alone: polars ``scan_csv`` of raw lines, the
    format's textbook regex through ``str.extract_groups``, ``strptime`` (pyarrow
    ``read_json`` for JSON lines), with nothing of ours."""
    import polars as pl

    if kind == "csv":
        import pyarrow.csv as pc

        table = pc.read_csv(str(path))  # it parses the ISO times itself
        return table.num_rows
    if kind in ("json", "journald"):
        import pyarrow.json as pj

        table = pj.read_json(str(path))
        return table.num_rows
    options = dict(has_header=False, separator="\x1f", quote_char=None, new_columns=["line"],
                   infer_schema=False)  # fmt: skip
    if kind.endswith(".gz"):  # scan_csv reads no compressed file: read_csv decompresses
        frame = pl.read_csv(path, **options).lazy()
    else:
        frame = pl.scan_csv(path, **options)
    kind = kind.removesuffix(".gz")
    pattern, ts_fmt = ENGINE[kind]
    ts = pl.col("ts") if kind != "syslog" else pl.lit("2026 ") + pl.col("ts")
    dtype = pl.Datetime("ns", "UTC") if kind == "syslog-iso" else pl.Datetime("ns")
    out = (
        frame.select(pl.col("line").str.extract_groups(pattern).alias("g")).unnest("g")
        .with_columns(ts.str.strptime(dtype, ts_fmt, strict=False))
        .collect()
    )  # fmt: skip
    return out.height


#: Normalised severities of the raw levels the generated files hold (syslog priorities too).
LEVELS = {"debug": "debug", "info": "info", "warn": "warning", "error": "error",
          "3": "error", "4": "warning", "5": "notice", "6": "info"}  # fmt: skip
#: The nginx pattern with the request split into the fields the frame has (method, path,
#: protocol) and the request time: what a normalised frame of an access log needs.
NGINX_FIELDS = (
    r'^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<ts>[^\]]+)\] "(?P<method>\S+) (?P<path>\S+) '
    r'(?P<protocol>[^"]*)" (?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<referer>[^"]*)" '
    r'"(?P<user_agent>[^"]*)"(?: (?P<latency>[\d.]+))?'
)


def _level(column: str):
    import polars as pl

    return dict(
        severity=pl.col(column).str.to_lowercase().replace_strict(LEVELS, default=None),
        severity_raw=pl.col(column),
    )


def _normalising(kind: str) -> dict:
    """The columns the normalised engine derives for ``kind``, by name."""
    import polars as pl

    status = pl.col("status").cast(pl.Int64)
    utc = pl.Datetime("ns", "UTC")
    return {
        "json": dict(timestamp=pl.col("ts"), message=pl.col("msg"), **_level("level")),
        "journald": dict(timestamp=pl.from_epoch(pl.col("__REALTIME_TIMESTAMP").cast(pl.Int64),
                                                 "us").dt.replace_time_zone("UTC"),
                         host=pl.col("_HOSTNAME"), message=pl.col("MESSAGE"),
                         pid=pl.col("_PID").cast(pl.Int64), **_level("PRIORITY")),
        "csv": dict(timestamp=pl.col("timestamp").cast(utc), **_level("level")),
        "nginx": dict(timestamp=pl.col("ts").str.strptime(utc, ENGINE["nginx"][1], strict=False),
                      status=status, bytes=pl.col("bytes").cast(pl.Int64, strict=False),
                      latency=pl.col("latency").cast(pl.Float64),
                      message=pl.concat_str("method", "path", "protocol", "status", separator=" "),
                      severity=pl.when(status >= 500).then(pl.lit("error"))
                      .when(status >= 400).then(pl.lit("warning")).otherwise(pl.lit("info"))),
        "syslog": dict(timestamp=(pl.lit("2026 ") + pl.col("ts"))
                       .str.strptime(pl.Datetime("ns"), ENGINE["syslog"][1], strict=False)
                       .dt.replace_time_zone("UTC"), pid=pl.col("pid").cast(pl.Int64)),
        "text": dict(timestamp=pl.col("ts").str.strptime(pl.Datetime("ns"), ENGINE["text"][1],
                                                         strict=False).dt.replace_time_zone("UTC"),
                     **_level("level")),
        "logfmt": dict(timestamp=pl.col("ts").str.strptime(utc, ENGINE["logfmt"][1], strict=False),
                       **_level("level")),
        "log4j": dict(timestamp=pl.col("ts").str.strptime(pl.Datetime("ns"), ENGINE["log4j"][1],
                                                          strict=False).dt.replace_time_zone("UTC"),
                      **_level("level")),
        "syslog-iso": dict(timestamp=pl.col("ts").str.strptime(utc, ENGINE["syslog-iso"][1],
                                                               strict=False),
                           pid=pl.col("pid").cast(pl.Int64)),
    }[kind]  # fmt: skip


def normalised(kind: str, path: Path) -> int:
    """What the issue timed for its engine figures: the bare engine's read (see
    :func:`engine`) turned into a normalised frame in one polars query, then pandas: UTC
    ``timestamp``, ``source``, ``host``, ``severity`` (normalised) and ``severity_raw``,
    ``message``, ``provenance`` (``file:line``) and the format's own fields (nginx's request
    split into method, path and protocol, and its request time). It checks nothing: a line
    that does not match is a row of nulls, not a counted reject; nor does it keep the file
    in blocks, read a time it was not told the layout of, or bound its memory."""
    import polars as pl

    kind = kind.removesuffix(".gz")
    if kind in ("json", "journald", "csv"):
        if kind == "csv":
            import pyarrow.csv as pc

            table = pc.read_csv(str(path))
        else:
            import pyarrow as pa
            import pyarrow.json as pj

            # pyarrow reads the ISO times itself, at no extra cost, when told the field's type
            times = pa.schema([("ts", pa.timestamp("ns", "UTC"))] if kind == "json" else [])
            parse = pj.ParseOptions(explicit_schema=times, unexpected_field_behavior="infer")
            table = pj.read_json(str(path), parse_options=parse)
        frame = pl.from_arrow(table).lazy()
        first = 2 if kind == "csv" else 1  # the header is line 1
    else:
        options = dict(has_header=False, separator="\x1f", quote_char=None, new_columns=["line"],
                       infer_schema=False)  # fmt: skip
        if path.suffix == ".gz":
            frame = pl.read_csv(path, **options).lazy()
        else:
            frame = pl.scan_csv(path, **options)
        pattern = NGINX_FIELDS if kind == "nginx" else ENGINE[kind][0]
        frame = frame.select(pl.col("line").str.extract_groups(pattern).alias("g")).unnest("g")
        first = 1
    columns = {"host": pl.lit(None, pl.String), **_normalising(kind)}
    out = (
        frame.with_row_index("line_no", offset=first)
        .with_columns(
            **columns,
            source=pl.lit(path.name),
            provenance=pl.lit(f"{path.name}:") + pl.col("line_no").cast(pl.String),
        )
        .drop("line_no", *(["ts"] if kind not in ("json", "journald", "csv") else []))
    )
    return len(out.collect().to_pandas())


def ours(kind: str, path: Path, window=None) -> int:
    from postmortem_kit.ingest import load_logs

    frame = load_logs(path, tz="UTC", year=2026, window=window)
    return len(frame)


def child(mode: str, kind: str, path: str, window: str | None) -> None:
    import resource

    import polars  # noqa: F401  (imports are not what is measured)
    import pyarrow.json  # noqa: F401

    from postmortem_kit.ingest import load_logs  # noqa: F401

    if mode == "ours":  # warm the caches on a small file first
        with tempfile.TemporaryDirectory() as small:
            load_logs(generate(kind, 2000, Path(small)), tz="UTC", year=2026)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    win = tuple(window.split("|")) if window else None
    cpu = time.process_time()
    began = time.perf_counter()
    rows = {"ours": lambda: ours(kind, Path(path), win), "engine": lambda: engine(kind, Path(path)),
            "normalised": lambda: normalised(kind, Path(path)),
            "naive": lambda: naive(kind, Path(path))}[mode]()  # fmt: skip
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"rows": rows, "seconds": elapsed, "cpu": cpu, "peak": peak, "base": base}))


def measure(mode: str, kind: str, path: Path, window: str | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, kind, str(path)] + (
        [window] if window else []
    )
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{mode} {kind} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict]) -> dict:
    """One mode's runs as one: the median wall and CPU seconds (each of its own), and the
    peak memory of the run whose wall time is the median."""
    by_wall = sorted(runs, key=lambda r: r["seconds"])
    middle = dict(by_wall[len(by_wall) // 2])
    middle["cpu"] = statistics.median(r["cpu"] for r in runs)
    return middle


def settle(path: Path) -> None:
    """Flush the freshly written file to disk and read it once, so that every mode reads it
    from the page cache with no writeback going on. Even so, the first process to parse a
    file just written runs slower (1M JSON lines: the engine 0.58 s instead of 0.30-0.45 s,
    ours 0.86 s instead of 0.59-0.70 s), so a run that is not counted comes first."""
    os.sync()
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument(
        "--formats",
        default="nginx,syslog,syslog-iso,json,logfmt,text,log4j,nginx.gz,csv,journald",
    )
    parser.add_argument("--keep", type=Path, default=None, help="Generate into this folder.")
    parser.add_argument("--runs", type=int, default=3, help="Runs of each mode but naive.")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(
            args.child[0],
            args.child[1],
            args.child[2],
            args.child[3] if len(args.child) > 3 else None,
        )
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pmk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        run_all(args, folder)
    finally:  # the generated files (about 1 GB) stay only in a --keep folder
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def run_all(args: argparse.Namespace, folder: Path) -> None:
    """Generate each format's file in ``folder``, measure every mode and print the table."""
    print(
        f"log import benchmark: {args.lines:,} lines per format, seed {SEED}, medians of "
        f"{args.runs} runs (peak memory: the highest), files in {folder}"
    )
    header = (f"{'format':10} {'MB':>6} {'rows':>9} {'ours s':>6} {'cpu s':>5} {'lines/s':>9} "
              f"{'MB/s':>5} {'RSS/file':>8} {'engine s':>8} {'cpu s':>5} {'×engine':>7} "
              f"{'cpu×eng':>7} {'norm s':>6} {'×norm':>5} {'cpu×norm':>8} {'norm RSS':>8} "
              f"{'naive s':>7} {'×faster':>7}")  # fmt: skip
    print(header)
    print("-" * len(header))
    files = {}
    for kind in args.formats.split(","):
        path = files[kind] = generate(kind, args.lines, folder)
        settle(path)
        measure("engine", kind, path)  # not counted: see settle()
        # MB, MB/s and RSS/file count the text (inside the gzip file for a .gz row)
        size = (path.with_suffix("") if kind.endswith(".gz") else path).stat().st_size
        runs = {"ours": [], "engine": [], "normalised": []}
        for _ in range(args.runs):  # interleaved: a slow spell of the machine hits each alike
            for mode, got in runs.items():
                got.append(measure(mode, kind, path))
        mine, bare, norm = (median_run(runs[m]) for m in ("ours", "engine", "normalised"))
        slow = measure("naive", kind, path)
        extra = max(r["peak"] - r["base"] for r in runs["ours"])
        print(
            f"{kind:10} {size / 1e6:6.1f} {mine['rows']:9,} {mine['seconds']:6.2f} "
            f"{mine['cpu']:5.2f} {args.lines / mine['seconds']:9,.0f} "
            f"{size / 1e6 / mine['seconds']:5.0f} {extra / size:8.2f} {bare['seconds']:8.2f} "
            f"{bare['cpu']:5.2f} {mine['seconds'] / bare['seconds']:7.2f} "
            f"{mine['cpu'] / bare['cpu']:7.2f} {norm['seconds']:6.2f} "
            f"{mine['seconds'] / norm['seconds']:5.2f} {mine['cpu'] / norm['cpu']:8.2f} "
            f"{(norm['peak'] - norm['base']) / size:8.2f} "
            f"{slow['seconds']:7.2f} {slow['seconds'] / mine['seconds']:7.1f}"
        )
    if "nginx" in files:
        path = files["nginx"]
        lo = START + dt.timedelta(hours=2)
        hi = lo + dt.timedelta(minutes=5)
        win = f"{lo.isoformat()}|{hi.isoformat()}"
        cut = measure("ours", "nginx", path, win)
        print(
            f"\nwindow of 5 minutes out of {path.stat().st_size / 1e6:.0f} MB nginx (bisection): "
            f"{cut['rows']:,} rows in {cut['seconds']:.2f} s"
        )


if __name__ == "__main__":
    main()
