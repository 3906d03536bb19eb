"""log_patterns: templates mined from a small constructed log, ranked by change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postmortem_kit.explore import log_patterns
from postmortem_kit.explore.patterns import mask_messages
from tests.explore.conftest import at

# The report fixture's incident window is 14:07-15:05 (58 min); before = 13:09-14:07,
# after = 15:05-16:03.


def logs_frame(rows):
    """rows: (time, message, source)."""
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime([r[0] for r in rows], utc=True),
            "message": [r[1] for r in rows],
            "source": [r[2] for r in rows],
            "severity": "info",
            "provenance": [f"{r[2]}:{i + 1}" for i, r in enumerate(rows)],
        }
    )


def constructed():
    rows = []
    # Steady: 10 logins before, 10 during, 10 after.
    for i in range(10):
        rows.append((at(13, 20 + i), f"user u{i} logged in from 10.0.0.{i}", "app"))
        rows.append((at(14, 20 + i), f"user u{i} logged in from 10.0.0.{i}", "app"))
        rows.append((at(15, 20 + i), f"user u{i} logged in from 10.0.0.{i}", "app"))
    # New: 6 pool timeouts during only.
    for i in range(6):
        rows.append(
            (
                at(14, 8 + i),
                f"QueuePool limit of size 5 overflow 0 reached, timeout {30 + i}",
                "app",
            )
        )
    # Spiking: 1 retry before, 8 during.
    rows.append((at(13, 40), "retrying request 1 after 250 ms", "app"))
    for i in range(8):
        rows.append((at(14, 30 + i), f"retrying request {i} after {100 * i} ms", "app"))
    return logs_frame(sorted(rows))


def test_new_and_spiking_templates_ranked_with_counts_and_examples(report):
    result = log_patterns(report, constructed(), show=False)
    table = result.table
    assert list(table["status"]) == ["new", "spiking"]
    pool, retry = table.iloc[0], table.iloc[1]
    assert pool["template"].startswith("QueuePool limit of size <NUM> overflow <NUM>")
    assert (pool["before"], pool["during"], pool["after"]) == (0, 6, 0)
    assert (retry["before"], retry["during"], retry["after"]) == (1, 8, 0)
    # score = (during - before * 58/58) / sqrt(expected + 1): pool 6/1, retry 7/sqrt(2).
    assert pool["score"] == pytest.approx(6.0)
    assert retry["score"] == pytest.approx(7 / np.sqrt(2))
    assert retry["change"] == pytest.approx(8.0)
    assert pool["first_seen"] == pd.Timestamp(at(14, 8))
    logs = constructed()
    first = logs[logs["message"].str.endswith("timeout 30")].iloc[0]
    assert pool["examples"][0] == f"{first['message']}  [{first['provenance']}]"
    assert pool["first_provenance"] == first["provenance"]
    assert len(pool["examples"]) == 3
    # Every input row has a template id; the catalogue counts add up.
    assert result.templates.notna().all()
    assert result.catalogue["count"].sum() == len(constructed())


def test_steady_and_dropped_are_listed_on_request(report):
    result = log_patterns(report, constructed(), show=False, statuses=("steady", "dropped"))
    steady = result.table[result.table["template"].str.startswith("user")]
    assert (steady["before"].iloc[0], steady["during"].iloc[0], steady["after"].iloc[0]) == (
        10,
        10,
        10,
    )
    assert steady["status"].iloc[0] == "steady"


def test_no_baseline_when_the_source_logged_nothing_before(report):
    logs = constructed()
    late = logs_frame([(at(14, 20 + i), f"cron job {i} started", "cron") for i in range(5)])
    result = log_patterns(
        report, pd.concat([logs, late], ignore_index=True), show=False,
        statuses=("no baseline",),
    )  # fmt: skip
    assert list(result.table["template"]) == ["cron job <NUM> started"]


def test_figure_counts_lines_per_bucket_for_the_top_templates(report):
    result = log_patterns(report, constructed(), show=False, bucket="1min")
    pool = next(t for t in result.figure.data if t.name.startswith("#") and "QueuePool" in t.name)
    counts = dict(zip(map(pd.Timestamp, pool.x), pool.y, strict=True))
    assert sum(pool.y) == 6
    assert counts[pd.Timestamp("2026-10-14 14:08")] == 1
    assert counts[pd.Timestamp("2026-10-14 14:20")] == 0
    shapes = [s for s in result.figure.layout.shapes if s.type == "rect"]
    assert len(shapes) == 3  # the incident phases


def test_masking_of_variable_parts():
    masked = mask_messages(
        pd.Series(
            [
                "req 123e4567-e89b-12d3-a456-426614174000 from 10.1.2.3:8080 took 12.5 ms",
                "object 0xdeadbeef and deadbeef12 in http2",
            ]
        )
    )
    assert masked.tolist() == [
        "req <UUID> from <IP> took <NUM> ms",
        "object <HEX> and <HEX> in http2",
    ]


def test_unknown_status_is_rejected(report):
    with pytest.raises(ValueError, match="statuses"):
        log_patterns(report, constructed(), show=False, statuses=("weird",))
