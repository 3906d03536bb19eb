"""Local time to UTC: the year of year-less timestamps (with New Year rollovers) and naive
times read in a zone (DST repeats and gaps), with the state a file read in blocks carries
from one block to the next."""

from __future__ import annotations

import datetime as dt

import polars as pl


def infer_years(
    months: pl.Series,
    *,
    year: int | None,
    last_known: dt.date | None,
    carry: dict | None = None,
) -> tuple[pl.Series, str]:
    """Years for year-less timestamps, in file order, with a rollover at New Year.

    A month that drops by seven or more from the previous line's (Dec → Jan) starts a new
    year; smaller steps back are out-of-order lines, not a new year.

    Parameters
    ----------
    months
        Month of each line (nulls allowed) in file order.
    year
        The year of the file's first line, when the user gave one.
    last_known
        The file's modification date: the last line is taken to be on or before it.
    carry
        State kept between the chunks of one file (read in pieces): the previous chunk's
        last month, the rollovers so far and the first line's year. Updated in place.

    Returns
    -------
    (years, note)
        The note says where the year came from, for the import report.
    """
    carry = {} if carry is None else carry
    m = months.fill_null(strategy="forward")
    if carry.get("month") is not None:
        m = m.fill_null(carry["month"])
    m = m.fill_null(strategy="backward")
    if m.len() == 0 or m.null_count() == m.len():
        if "first_year" in carry:
            base = carry["first_year"] + carry.get("rollovers", 0)
            return pl.Series([base] * months.len(), dtype=pl.Int64), carry["note"]
        base = year or (last_known.year if last_known else dt.datetime.now(dt.UTC).year)
        return pl.Series([base] * months.len(), dtype=pl.Int64), f"year {base} assumed"
    steps = m.diff()
    if carry.get("month") is not None:
        steps = steps.scatter(0, int(m[0]) - carry["month"])
    rollover = (steps.fill_null(0) <= -7).cast(pl.Int64).cum_sum()
    total = int(rollover[-1])
    if "first_year" in carry:  # a later chunk of the same file: continue from the last one
        before = carry["rollovers"]
        years = rollover + carry["first_year"] + before
        note = advance_years(carry, last_month=int(m[-1]), last_year=int(years[-1]), year=year)
        return years.cast(pl.Int64), note
    if year is not None:
        years = rollover + year
        note = f"year {year} given" + (f", {total} rollover(s) at New Year" if total else "")
    else:
        ref = last_known or dt.datetime.now(dt.UTC).date()
        last_month = int(m[-1])
        # A last line dated after the file's own date belongs to the year before.
        end_year = ref.year - 1 if last_month > ref.month else ref.year
        years = rollover - total + end_year
        stem = (
            f"no year in the timestamps: year {end_year} inferred from the file date "
            f"{ref.isoformat()}"
        )
        note = (
            stem
            + (f", {total} rollover(s) at New Year" if total else "")
            + "; pass year= to set it"
        )
        carry["note_stem"] = stem
    carry.update(
        first_year=int(years[0] - rollover[0]), month=int(m[-1]), rollovers=total, note=note
    )
    return years.cast(pl.Int64), note


def block_start_year(carry: dict, first_month: int) -> int | None:
    """The year :func:`infer_years` gives the first line of a later chunk of a file, one
    in month ``first_month``, after the chunks before it left ``carry``; ``None`` before
    the file's first chunk has set it (that one's year comes from the whole-file rule)."""
    if "first_year" not in carry:
        return None
    month = carry.get("month")
    rollover = month is not None and first_month - month <= -7
    return carry["first_year"] + carry["rollovers"] + int(rollover)


def advance_years(carry: dict, *, last_month: int, last_year: int, year: int | None) -> str:
    """Move ``carry`` past a later chunk of a file (see :func:`infer_years`) whose last line
    is in ``last_month`` of ``last_year``, as :func:`infer_years` does when it reads the
    chunk; returns the import report's note on the years."""
    total = last_year - carry["first_year"]
    carry.update(month=last_month, rollovers=total)
    if year is not None:
        note = f"year {year} given" + (f", {total} rollover(s) at New Year" if total else "")
    else:
        note = (
            carry["note_stem"]
            + (f", {total} rollover(s) at New Year" if total else "")
            + "; pass year= to set it"
        )
    carry["note"] = note
    return note


def year_mismatch(carry: dict, *, year: int | None, last_known: dt.date | None) -> int | None:
    """After the last chunk of a file read in pieces: the first line's year by the whole-file
    rule (the last line on or before the file date) when it differs from the one the first
    chunk assumed, else ``None``. The caller reads the file again with it."""
    if year is not None or "note_stem" not in carry or carry.get("month") is None:
        return None
    ref = last_known or dt.datetime.now(dt.UTC).date()
    end_year = ref.year - 1 if carry["month"] > ref.month else ref.year
    first = end_year - carry["rollovers"]
    return first if first != carry["first_year"] else None


def start_years(first_year: int, last_known: dt.date | None) -> dict:
    """A carry for :func:`infer_years` that starts a file at ``first_year`` (a second read
    after :func:`year_mismatch`), keeping the note of an inferred year."""
    ref = last_known or dt.datetime.now(dt.UTC).date()
    stem = (
        f"no year in the timestamps: year {first_year} (first line) inferred from the file "
        f"date {ref.isoformat()}"
    )
    return {"first_year": first_year, "rollovers": 0, "month": None, "note_stem": stem,
            "note": stem + "; pass year= to set it"}  # fmt: skip


def localise(
    frame: pl.DataFrame, tz: str | None, carry: dict | None = None
) -> tuple[pl.Series, pl.Series, dict[str, int]]:
    """Resolve ``_naive``/``_offset``/``_epoch`` (from :func:`assemble`) to UTC.

    Naive times are read in ``tz`` (UTC when ``None``). In a DST repeat the first pass takes
    the earlier offset until the clock is seen going back, the second pass the later one; a
    time in a DST gap is moved forward by the gap. Both are flagged. ``carry`` keeps the last
    ambiguous time and whether the clock had gone back, between the chunks of one file.

    Returns
    -------
    (utc, note, counts)
        ``utc`` is datetime[ns, UTC]; ``note`` is a per-row flag or null; ``counts`` has
        ``naive``, ``ambiguous`` and ``nonexistent``.
    """
    zone = tz or "UTC"
    naive = pl.col("_naive")
    if frame["_naive"].null_count() == frame.height:  # every time is aware: nothing to localise
        utc = frame.select(pl.col("_epoch").dt.convert_time_zone("UTC")).to_series()
        note = pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("time_note")
        return utc.alias("timestamp"), note, {"naive": 0, "ambiguous": 0, "nonexistent": 0}
    if (
        zone == "UTC"
        and frame["_offset"].null_count() == frame.height
        and frame["_epoch"].null_count() == frame.height
    ):  # every time is naive and read in UTC: no repeats, no gaps
        utc = frame["_naive"].dt.replace_time_zone("UTC")
        note = pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("time_note")
        naive_rows = frame.height - frame["_naive"].null_count()
        return utc.alias("timestamp"), note, {"naive": naive_rows, "ambiguous": 0, "nonexistent": 0}
    f = frame.select("_naive", "_offset", "_epoch").with_columns(
        _aware=(naive.cast(pl.Int64) - pl.col("_offset") * 1_000_000_000)
        .cast(pl.Datetime("ns"))
        .dt.replace_time_zone("UTC"),
        _is_naive=naive.is_not_null() & pl.col("_offset").is_null(),
    )
    if zone == "UTC":
        f = f.with_columns(_early=naive.dt.replace_time_zone("UTC")).with_columns(
            _late=pl.col("_early"), _shifted=pl.col("_early")
        )
    else:
        f = f.with_columns(
            _early=naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null"),
            _late=naive.dt.replace_time_zone(zone, ambiguous="latest", non_existent="null"),
            _shifted=(naive + pl.duration(hours=1)).dt.replace_time_zone(
                zone, ambiguous="earliest", non_existent="null"
            ),
        )
    f = f.with_columns(
        _amb=pl.col("_is_naive")
        & pl.col("_early").is_not_null()
        & (pl.col("_early") != pl.col("_late")),
        _gap=pl.col("_is_naive") & pl.col("_early").is_null(),
    )
    counts = {
        "naive": int(f["_is_naive"].sum()),
        "ambiguous": int(f["_amb"].sum()),
        "nonexistent": int(f["_gap"].sum()),
    }
    f = f.with_row_index("_i")
    if counts["ambiguous"]:
        amb = f.filter("_amb").select(pl.col("_i").cast(pl.Int64), "_naive", _seed=pl.lit(False))
        if carry and carry.get("amb_last") is not None:  # the previous chunk's last one
            seed = pl.DataFrame(
                {"_i": [-1], "_naive": [carry["amb_last"]], "_seed": [carry["amb_fold"]]},
                schema={"_i": amb.schema["_i"], "_naive": pl.Datetime("ns"), "_seed": pl.Boolean},
            )
            amb = pl.concat([seed, amb])
        amb = amb.with_columns(_day=naive.dt.date())
        amb = amb.with_columns(
            _back=((naive < naive.shift(1)).fill_null(False) | pl.col("_seed")).over("_day")
        ).with_columns(_fold=pl.col("_back").cum_max().over("_day"))
        if carry is not None:
            carry["amb_last"], carry["amb_fold"] = amb["_naive"][-1], bool(amb["_fold"][-1])
        amb = amb.filter(pl.col("_i") >= 0)
        amb = amb.select(pl.col("_i").cast(f.schema["_i"]), "_fold")
        f = f.join(amb, on="_i", how="left", maintain_order="left")
    else:
        f = f.with_columns(_fold=pl.lit(None, pl.Boolean))
    fold = pl.col("_fold").fill_null(False)
    local = (
        pl.when(fold).then(pl.col("_late")).when(pl.col("_gap")).then(pl.col("_shifted"))
        .otherwise(pl.col("_early")).dt.convert_time_zone("UTC")
    )  # fmt: skip
    out = f.select(
        pl.coalesce(
            pl.col("_epoch"), pl.when(pl.col("_is_naive")).then(local).otherwise(pl.col("_aware"))
        ).alias("timestamp"),
        pl.when(pl.col("_amb") & fold).then(pl.lit("DST repeat: read as the second pass"))
        .when(pl.col("_amb")).then(pl.lit("DST repeat: read as the first pass"))
        .when(pl.col("_gap")).then(pl.lit("in a DST gap: moved forward by an hour"))
        .otherwise(pl.lit(None, pl.String)).alias("time_note"),
    )  # fmt: skip
    return out["timestamp"], out["time_note"], counts
