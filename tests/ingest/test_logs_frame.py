"""The frame ``load_logs`` returns, built to hold little memory: all-null columns on shared
zero pages, ``client_ip`` sharing ``client``'s text, categorical indices as narrow as their
categories. None of that may show: types, values and independence of columns stay as if
every column had its own buffers."""

from __future__ import annotations

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs


def access_line(i: int, client: str | None = None, minute: int | None = None) -> str:
    minute = i % 60 if minute is None else minute
    return (
        f"{client or f'10.0.0.{i % 250}'} - - [14/Oct/2026:10:{minute:02d}:00 -0400] "
        f'"GET /x?id={i} HTTP/1.1" 200 {i} "-" "curl/8"\n'
    )


def test_all_null_columns_keep_their_types_and_are_independent(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("".join(access_line(i) for i in range(300)))
    first = load_logs(path, chunk_bytes=1024)
    second = load_logs(path, chunk_bytes=1024)
    for frame in (first, second):
        assert len(frame) == 300
        assert frame["referer"].isna().all() and frame["user"].isna().all()
        assert frame["time_note"].isna().all() and frame["latency"].isna().all()
        assert str(frame["referer"].dtype) == str(frame["path"].dtype)  # text, like the others
        assert frame["host"].isna().all() and isinstance(frame["host"].dtype, pd.CategoricalDtype)
        assert isinstance(frame["time_note"].dtype, pd.CategoricalDtype)  # a few flags at most
    assert list(first.columns[:9]) == [
        "timestamp", "source", "host", "severity", "severity_raw", "message", "provenance",
        "format", "time_note",
    ]  # fmt: skip
    first.loc[0, "referer"] = "https://example.com/"
    first.loc[1, "user"] = "bob"
    assert first["referer"].iloc[0] == "https://example.com/"
    assert second["referer"].isna().all() and second["user"].isna().all()
    assert first["user"].isna().sum() == 299 and first["referer"].isna().sum() == 299


def test_an_all_null_integer_column_is_nullable_int_and_writable(tmp_path):
    path = tmp_path / "syslog"
    path.write_text(
        "".join(
            f"Oct 14 14:07:{i:02d} db-1 postgres[{100 + i}]: LOG:  event {i}\n" for i in range(40)
        )
    )
    frame = load_logs(path, year=2026, chunk_bytes=256)
    assert str(frame["facility"].dtype) == "Int64" and frame["facility"].isna().all()
    frame.loc[3, "facility"] = 16
    assert frame["facility"].iloc[3] == 16 and frame["facility"].isna().sum() == 39
    assert frame["pid"].tolist() == [100 + i for i in range(40)]


def test_client_ip_equals_client_or_holds_just_the_address(tmp_path):
    lines = [access_line(i, minute=59 - i) for i in range(30)]  # newest first: sorted on load
    lines[10] = access_line(10, client='"192.0.2.7, 10.0.0.1"', minute=49)
    path = tmp_path / "access.log"
    path.write_text("".join(lines))
    frame = load_logs(path, chunk_bytes=512)
    assert frame["timestamp"].is_monotonic_increasing
    by_line = frame.set_index(frame["provenance"].str.rsplit(":", n=1).str[1].astype(int))
    assert by_line.loc[11, "client"] == "192.0.2.7, 10.0.0.1"
    assert by_line.loc[11, "client_ip"] == "192.0.2.7"
    assert by_line.loc[1, "client"] == by_line.loc[1, "client_ip"] == "10.0.0.0"
    assert by_line.loc[30, "client_ip"] == "10.0.0.29"
    frame.loc[frame.index[0], "client"] = "changed"
    assert frame["client_ip"].iloc[0] != "changed"


def test_many_categories_across_blocks_get_wider_indices(tmp_path):
    hosts = [f"host-{i:03d}" for i in range(300)]
    path = tmp_path / "syslog"
    path.write_text(
        "".join(
            f"Oct 14 14:{i // 60 % 60:02d}:{i % 60:02d} {hosts[i % 300]} app[1]: m {i}\n"
            for i in range(900)
        )
    )
    frame = load_logs(path, year=2026, chunk_bytes=2048)
    assert isinstance(frame["host"].dtype, pd.CategoricalDtype)
    assert frame["host"].nunique() == 300
    assert frame["host"].tolist() == [hosts[i % 300] for i in range(900)]


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 1024])
def test_numbers_and_times_are_writable_and_independent(tmp_path, chunk_bytes):
    path = tmp_path / "access.log"
    path.write_text(
        "".join(access_line(i, minute=i // 5).replace("\n", " 0.500\n") for i in range(300))
    )
    first = load_logs(path, chunk_bytes=chunk_bytes)
    second = load_logs(path, chunk_bytes=chunk_bytes)
    assert (first["latency"] == 0.5).all()
    first.loc[3, "latency"] = 2.0
    assert first["latency"].iloc[3] == 2.0 and (second["latency"] == 0.5).all()
    assert str(first["bytes"].dtype) == "Int64" and str(first["status"].dtype) == "Int64"
    assert first["bytes"].tolist() == list(range(300))
    assert first["timestamp"].iloc[299] == pd.Timestamp("2026-10-14 14:59:00", tz="UTC")
    first.loc[0, "bytes"] = 77
    first.loc[1, "status"] = 503
    first.loc[2, "timestamp"] = pd.Timestamp("2020-01-01", tz="UTC")
    first["bytes"] += 1
    assert first["bytes"].iloc[0] == 78 and first["bytes"].iloc[5] == 6
    assert first["status"].iloc[1] == 503
    assert first["timestamp"].iloc[2] == pd.Timestamp("2020-01-01", tz="UTC")
    assert second["bytes"].tolist() == list(range(300))
    assert (second["status"] == 200).all()
    assert second["timestamp"].iloc[2] == pd.Timestamp("2026-10-14 14:00:00", tz="UTC")


def test_source_format_and_provenance_per_file_across_files_and_blocks(tmp_path):
    one, two = tmp_path / "a.log", tmp_path / "b.log"
    one.write_text("".join(access_line(i, minute=2 * (i % 30)) for i in range(120)))
    two.write_text(
        "".join(
            f"Oct 14 10:{2 * (i % 30) + 1:02d}:00 db-1 postgres[7]: LOG:  event {i}\n"
            for i in range(120)
        )
    )
    frame = load_logs([one, two], chunk_bytes=1024, tz="UTC", year=2026, relative_to=tmp_path)
    assert len(frame) == 240
    by_source = frame.groupby("source", observed=True)
    assert by_source.size().to_dict() == {"a.log": 120, "b.log": 120}
    assert set(frame.loc[frame["source"] == "a.log", "format"]) == {"combined"}
    assert set(frame.loc[frame["source"] == "b.log", "format"]) == {"syslog-rfc3164"}
    provenance = sorted(frame["provenance"], key=lambda p: (p[0], int(p.split(":")[1])))
    assert provenance == [f"a.log:{n}" for n in range(1, 121)] + [
        f"b.log:{n}" for n in range(1, 121)
    ]
    frame.loc[frame.index[frame["source"] == "a.log"][0], "source"] = "b.log"
    assert (frame["source"] == "b.log").sum() == 121


@pytest.mark.parametrize("repeat", [40, 1], ids=["a handful of words", "a word per row"])
def test_severity_is_worked_out_per_distinct_word_or_per_row_alike(repeat):
    import polars as pl

    from postmortem_kit.ingest.columns import with_severity

    words = {"WARN": "warning", "[error]": "error", " Info ": "info", "30": "info",
             "FATAL:": "critical", "bogus": None, None: None}  # fmt: skip
    raw = [w for w in words for _ in range(repeat)]
    if repeat == 1:  # nearly every value another: free text after the known words
        raw += [f"free text {i}" for i in range(40)]
    frame = with_severity(pl.DataFrame({"severity_raw": raw}, schema={"severity_raw": pl.String}))
    expected = [words.get(w) for w in raw]
    assert frame["severity"].to_list() == expected
    assert frame["severity"].dtype == pl.String


def test_severity_categories_are_what_categorise_makes_of_the_levels():
    import pyarrow as pa

    from postmortem_kit.ingest.columns import severity_categories

    raw = ["WARN", None, "info", "WARNING", "bogus", "WARN", "Error", "info"]
    severity, levels = severity_categories(pa.array(raw, pa.large_string()))
    assert severity.to_pylist() == [
        "warning",
        None,
        "info",
        "warning",
        None,
        "warning",
        "error",
        "info",
    ]
    assert levels.to_pylist() == raw
    # each a category once, in order of first appearance, as pandas will show them
    assert severity.chunk(0).dictionary.to_pylist() == ["warning", "info", "error"]
    assert levels.chunk(0).dictionary.to_pylist() == ["WARN", "info", "WARNING", "bogus", "Error"]
    assert severity.type == pa.dictionary(pa.int8(), pa.large_string()) == levels.type


@pytest.mark.parametrize("chunk_bytes", [None, 256], ids=["whole", "in blocks"])
def test_a_nested_column_null_in_every_row_kept(tmp_path, chunk_bytes):
    """A key whose values are lists of records (tracing spans) only in rows outside the
    window is null in every row kept: it is put back as nulls of its type, as flat ones
    are (a nested type has no fixed width to build zero pages from)."""
    import json

    rows = [{"ts": f"2026-10-14T14:{i:02d}:00Z", "msg": f"m{i}"} for i in range(20)]
    for i in range(5):
        rows[i]["spans"] = [{"id": i, "name": "db"}]
    path = tmp_path / "app.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    frame = load_logs(path, window=("2026-10-14T14:10:00Z", None), chunk_bytes=chunk_bytes)
    assert frame["message"].tolist() == [f"m{i}" for i in range(10, 20)]
    # read in one block the column is seen (and null in every row kept); in small blocks
    # only blocks outside the window have it, and it is not there at all
    assert "spans" not in frame.columns or frame["spans"].isna().all()
    whole = load_logs(path, chunk_bytes=chunk_bytes)  # the rows that have it keep it
    assert whole["spans"].head(5).notna().all() and whole["spans"].iloc[5:].isna().all()
