"""Access-log lines inside container and system logs: the request lines an nginx, an ingress
controller or an Apache in a container writes to stdout (wrapped by a CRI or Docker log,
``kubectl logs --timestamps``, journald), or that nginx sends to syslog. Such a message gets
the columns a text access log's line gets (:func:`.text.derive_access`: client, user,
method, path, protocol, status, bytes, referer, user agent, latency), its message becomes
the request and the status, and its severity the status's. The line's own time stays the
``timestamp`` (the runtime's, in file order); the request's time is kept as
``time_local``. Used by :mod:`.payload`, which looks for these after JSON and logfmt.

A file is searched for them only when some of a thousand messages spread through it look
like one (:data:`.text.COMMON_SNIFF`, which combined lines match too): the sample that
the logfmt search looks at first (:func:`.payloadrows.message_sample`).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from postmortem_kit.ingest.text import (
    ACCESS,
    ACCESS_FAST,
    COMMON_SNIFF,
    derive_access,
    extract_lines,
)


def access_rows(message: pa.ChunkedArray, exclude: np.ndarray, sample: pl.Series) -> pa.Array:
    """The rows (not among ``exclude``) whose message is an access log's line, searched for
    only when one of ``sample`` (messages spread through the file) is one."""
    if not sample.str.contains(COMMON_SNIFF).fill_null(False).any():
        return pa.array([], pa.uint64())
    hit = pl.from_arrow(message).cast(pl.String).str.contains(COMMON_SNIFF)
    hit = hit.fill_null(False).to_numpy().copy()
    hit[exclude] = False
    return pa.array(np.flatnonzero(hit).astype(np.uint64))


def request_fields(texts: pa.Array) -> tuple[pl.DataFrame, list[bool]]:
    """The access-log columns of each of ``texts`` (one row each, in order; a row of nulls
    for a text that is not a request line after all), and which of them were."""
    lines = pl.DataFrame({"line": pl.from_arrow(texts).cast(pl.String)}).with_row_index("line_no")
    g = extract_lines(lines, ACCESS, ACCESS_FAST)
    read = g["ts"].is_not_null()
    events = derive_access(g.drop("line_no", "line")).rename({"ts": "time_local"})
    events = events.drop([c for c in events.columns if c.startswith("_")])
    return events, read.to_list()
