"""CRI container logs (containerd, CRI-O): the pieces of a line the runtime split joined
back into one row.

A runtime writes a line longer than its buffer (16 KiB for containerd and CRI-O) as pieces
tagged ``P`` (partial), then the piece that ends it tagged ``F`` (full), each with its own
time; the pieces of one stream follow each other, though the other stream's lines may come
between. Read line by line, a long JSON line or stack trace would be cut into rows that
each mean nothing. Here each run of ``P`` pieces of a stream and the ``F`` piece after it
become one row: the message the pieces make together (the runtime adds nothing between
them), the time, provenance and fields of the first piece. The other pieces are counted as
continuation lines, as a stack trace's lines are.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from postmortem_kit.ingest.registry import ParseContext


def join_partials(table: pa.Table, ctx: ParseContext) -> tuple[pa.Table, int]:
    """The ``finish`` step of the CRI format (see :attr:`.LogFormat.finish`): ``table``
    (a file's rows, in file order) with each split line's pieces joined into its first
    piece's row, and how many pieces were joined so."""
    if "partial" not in table.column_names or not pc.any(table["partial"]).as_py():
        return table, 0
    frame = pl.from_arrow(table).with_row_index("_row")
    # a run: a row that does not follow a P piece of its stream, and the pieces after it
    # (``over`` takes the whole expression, ``shift`` too, stream by stream)
    starts = ~pl.col("partial").shift(1).fill_null(False)
    frame = frame.with_columns(_run=starts.cum_sum().over("stream"))
    others = [c for c in frame.columns if c not in ("message", "partial", "_run")]
    joined = (
        frame.group_by("stream", "_run", maintain_order=True)
        .agg(
            *(pl.col(c).first() for c in others if c != "stream"),
            pl.col("message").str.join(""),
            pl.col("partial").last(),
        )
        .sort("_row")
    )
    folded = len(table) - joined.height
    unfinished = int(joined["partial"].sum())
    ctx.report.notes.append(
        f"{folded:,} piece(s) of split lines (CRI tag P, then F) joined into the line they "
        "start"
        + (
            f"; {unfinished} line(s) still unfinished where the file (or the window) ends: partial"
            if unfinished
            else ""
        )
    )
    out = joined.select(table.column_names).to_arrow(compat_level=pl.CompatLevel.oldest())
    return out.cast(table.schema), folded
