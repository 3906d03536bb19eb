"""Serilog's compact JSON (CLEF: ``@t``, ``@mt``, ``@l``, properties at the top level): the
message rendered from its template, as Serilog renders it, where the record has no ``@m``.

``"@mt": "Payment {OrderId} failed after {Attempts} tries for {User}"`` with ``OrderId: 42``,
``Attempts: 3`` and ``User: "bob"`` is ``Payment 42 failed after 3 tries for "bob"``: text
in quotes (unless the token says ``:l``), numbers as written, ``True``/``False``, ``null``;
``{{`` and ``}}`` are braces. A token whose property the record lacks, or holds as an
object or a list (``{@Order}``, flattened to ``Order.Id``…), stays as written; a format
(``{Elapsed:0.00}``) or an alignment is not applied (the value is written as it is). The
template is kept as ``message_template``. A record without ``@l`` is at ``Information``, as
CLEF defines.

Templates are few, records many: each distinct template is parsed once and rendered for its
records by one polars expression.
"""

from __future__ import annotations

import re

import polars as pl
import pyarrow as pa

#: A token of a message template, or an escaped brace.
_TOKEN = re.compile(r"\{\{|\}\}|\{([@$]?)([A-Za-z0-9_]+)(?:,-?\d+)?(?::([^}]*))?\}")
#: CLEF's implicit level.
DEFAULT_LEVEL = "Information"


def is_clef(columns: list[str]) -> bool:
    """Whether records with these keys are CLEF (a time and a template or message)."""
    names = set(columns)
    return "@t" in names and bool(names & {"@mt", "@m"})


def _value(records: pl.DataFrame, name: str, fmt: str | None, token: str) -> pl.Expr:
    if name not in records.columns:
        return pl.lit(token)
    dtype = records.schema[name]
    col = pl.col(name)
    if dtype == pl.Null:  # null in every record here
        return pl.lit("null")
    if dtype == pl.String:
        text = col if fmt == "l" else pl.concat_str([pl.lit('"'), col, pl.lit('"')])
    elif dtype == pl.Boolean:
        text = pl.when(col).then(pl.lit("True")).otherwise(pl.lit("False"))
    elif dtype.is_numeric():
        text = col.cast(pl.String)
    else:  # an object or a list: not rendered
        return pl.lit(token)
    return pl.when(col.is_null()).then(pl.lit("null")).otherwise(text)


def render(records: pl.DataFrame, template: str) -> pl.Expr:
    """The message ``template`` makes of each of ``records``' properties."""
    parts: list[pl.Expr] = []
    at = 0
    for found in _TOKEN.finditer(template):
        parts.append(pl.lit(template[at : found.start()]))
        token = found.group(0)
        if token in ("{{", "}}"):
            parts.append(pl.lit(token[0]))
        else:
            parts.append(_value(records, found.group(2), found.group(3), token))
        at = found.end()
    parts.append(pl.lit(template[at:]))
    return pl.concat_str(parts)


def render_table(table: pa.Table) -> pa.Table:
    """:func:`render_messages` of an Arrow table of records (the JSON block reader's)."""
    if not is_clef(table.column_names):
        return table
    return render_messages(pl.from_arrow(table)).to_arrow(compat_level=pl.CompatLevel.oldest())


def render_messages(records: pl.DataFrame) -> pl.DataFrame:
    """CLEF ``records`` (raw keys, one row per line) with ``@m`` rendered from ``@mt`` where
    it is missing, the template as ``message_template`` and ``@l`` filled in; other records
    as they are."""
    if not is_clef(records.columns) or not records.height:
        return records
    level = pl.col("@l").cast(pl.String) if "@l" in records.columns else pl.lit(None, pl.String)
    records = records.with_columns(level.fill_null(DEFAULT_LEVEL).alias("@l"))
    if "@mt" not in records.columns:
        return records
    message = pl.col("@m").cast(pl.String) if "@m" in records.columns else pl.lit(None)
    need = records.select(
        (pl.col("@mt").is_not_null() & message.is_null()).alias("need")
    ).to_series()
    if need.any():
        rows = records.with_row_index("_row").filter(need)
        done = [
            part.select("_row", _m=render(part, template))
            for (template,), part in rows.partition_by("@mt", as_dict=True).items()
        ]
        rendered = pl.concat(done).sort("_row")
        column = pl.Series("@m", [None] * records.height, pl.String)
        column = column.scatter(rendered["_row"], rendered["_m"])
        records = records.with_columns(pl.coalesce(message, pl.lit(column)).alias("@m"))
    name = "message_template" if "message_template" not in records.columns else "@mt_field"
    return records.rename({"@mt": name})
