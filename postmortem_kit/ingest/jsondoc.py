"""Logs exported as one JSON document rather than JSON lines: what the cloud consoles and
CLIs give when asked for a service's logs.

* ``aws logs filter-log-events`` / ``get-log-events``: ``{"events": [{"timestamp": ms,
  "message": …, "logStreamName": …}, …]}``;
* ``gcloud logging read --format=json``: a list of LogEntry objects (``timestamp``,
  ``severity``, ``textPayload`` or ``jsonPayload``);
* an Elasticsearch or OpenSearch search response: ``{"hits": {"hits": [{"_source": …}]}}``;
* any other list of objects, or an object with one list of objects in it.

The records are read by the JSON lines format's mapping (time, level, message, trace id,
every other key a column), then their messages unpacked when they are JSON or logfmt
themselves (a Lambda's JSON log lines inside CloudWatch events). Each record is one unit of
the import report (``lines read`` counts records here) and its provenance is the line of the
file its object starts on. A file is taken for a document only when it starts with ``[``,
or with a ``{`` whose first line is not a whole JSON object (JSON lines are read as such).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.compression import MAGIC_BYTES, codec_of, decoded

if TYPE_CHECKING:
    from postmortem_kit.ingest.events.documents import Document

#: The name of the format (in the format table: :mod:`.formats`).
FORMAT = "json-document"
#: Bytes looked at to tell a JSON document from JSON lines and everything else.
_HEAD = 64 * 1024
#: A document is parsed whole, as Python objects (several times its size): larger ones are
#: refused with the command that turns them into JSON lines.
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024
#: Keys of an object whose list holds the records, most specific first (any other key whose
#: value is a list of objects is taken when none of these is there).
RECORD_LISTS: tuple[tuple[str, ...], ...] = (
    ("events",), ("logEvents",), ("entries",), ("hits", "hits"), ("records",), ("Records",),
    ("logs",), ("items",), ("data",), ("results",),
)  # fmt: skip


def sniff(sample: list[str], name: str) -> tuple[float, str]:
    """The format table's sniffer: never by lines; :func:`looks_like_document` looks at the
    whole file before any format is sniffed."""
    return 0.0, "told by the whole file (one JSON document), not by its lines"


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(_HEAD)
    codec = codec_of(data[:MAGIC_BYTES])
    if codec is not None:  # the start of the text inside (a cut stream gives its prefix)
        data = b"".join(decoded([data], codec, [], []))[:_HEAD]
    return data.removeprefix(b"\xef\xbb\xbf")


def looks_like_document(path: Path) -> bool:
    """Whether ``path`` starts like a JSON document that is not JSON lines: ``[``, or a
    ``{`` whose first line does not hold a whole JSON object."""
    head = _head(path).lstrip()
    if head.startswith(b"["):  # a list of objects, not a "[2026-10-14 …]" text line
        return head[1:].lstrip().startswith((b"{", b"]"))
    if not head.startswith(b"{"):
        return False
    first, _, rest = head.partition(b"\n")
    try:
        value = json.loads(first)
    except ValueError:
        return True  # an object over several lines
    if not isinstance(value, dict):
        return True
    # one line: JSON lines with one record, or a document on one line (jq -c, curl)
    return not rest.strip() and _record_list(value) is not None


def _record_list(value: dict) -> tuple[str, ...] | None:
    """The key path of the list of records in an object (see :data:`RECORD_LISTS`)."""
    paths = list(RECORD_LISTS) + [
        (key,) for key, v in value.items() if isinstance(v, list) and (key,) not in RECORD_LISTS
    ]
    for keys in paths:
        found: Any = value
        for key in keys:
            found = found.get(key) if isinstance(found, dict) else None
        if isinstance(found, list) and found and all(isinstance(r, dict) for r in found):
            return keys
    return None


def _records_at(document: Document, value: Any) -> tuple[list[tuple[int, Any]], str]:
    """The records of a document's value, with their lines, and where they were."""
    if isinstance(value, list):
        return document.items(), "a JSON list of records"
    if not isinstance(value, dict):
        raise IngestError(f"{document.path}: a JSON document, but not a list or object")
    keys = _record_list(value)
    if keys is not None:
        items = document.items(*keys)
        if keys == ("hits", "hits") and all("_source" in r for _, r in items):
            return [(line, r["_source"]) for line, r in items], "hits.hits[]._source"
        return items, f"the '{'.'.join(keys)}' list"
    return [(document.line_of_key(), value)], "one JSON object"


def document_lines(path: Path) -> tuple[pl.DataFrame, str]:
    """The records of a JSON document as lines for the JSON lines parser: ``line_no`` (the
    line each record starts on) and ``line`` (the record as one line of JSON), and where in
    the document they were found.

    Raises
    ------
    IngestError
        When the file is not valid JSON (naming the line and column), or empty.
    """
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise IngestError(
            f"{path}: a JSON document of {size / 1e6:,.0f} MB is read whole; turn it into JSON "
            f"lines first, e.g. jq -c '.events[]' (or '.[]') {path.name} > {path.stem}.jsonl"
        )
    # imported here, not with the module: imported while the formats are registered, it
    # made every JSON lines import 6 % slower (0.61 → 0.65 s on 1M lines, medians of 5;
    # journald alike), for a reason not found; imported late it costs nothing
    from postmortem_kit.ingest.events.documents import read_document

    document = read_document(path)
    records, where = _records_at(document, document.json())
    lines = pl.DataFrame(
        {
            "line_no": [line for line, _ in records],
            "line": [json.dumps(r, ensure_ascii=False) for _, r in records],
        },
        schema={"line_no": pl.Int64, "line": pl.String},
    )
    return lines, where
