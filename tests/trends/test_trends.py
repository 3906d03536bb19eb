"""The trends page across incidents, checked against numbers worked out by hand.

Five generated incidents (times UTC, today = 2026-11-01):

=====  ====  ================  ===  ===  ===  =================  ============  ============
id     sev   impact start      TTD  TTM  TTR  trigger            root cause    actions
=====  ====  ================  ===  ===  ===  =================  ============  ============
INC-A  SEV2  2026-08-03 10:00   10   40   60  deploy             capacity      A1 overdue 31d
INC-B  SEV1  2026-08-20 22:00   20   90  180  config change      dependency    B1 open
INC-C  SEV3  2026-10-05 09:00   60   70  100  hardware           unknown       C1 overdue 1d, C2
INC-D  SEV3  2026-10-28 23:30    5    —   30  capacity (by tag)  deploy        —
INC-E  SEV4  (no times)           —    —    —  capacity           unknown       E1 open
=====  ====  ================  ===  ===  ===  =================  ============  ============
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from plotly.offline import get_plotlyjs

from postmortem_kit.errors import OptionsError, PublishError
from postmortem_kit.publish.commands import trends_command
from postmortem_kit.publish.trends import trends
from postmortem_kit.report import Action, Report, RootCause, Summary, load_report, save_report

TODAY = dt.date(2026, 11, 1)
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "INC-2041"


def summary(start: dt.datetime | None, ttd, ttm, ttr, trigger: str) -> Summary:
    def plus(minutes):
        return start + dt.timedelta(minutes=minutes) if start and minutes is not None else None

    return Summary(
        impact_start=start, detected=plus(ttd), mitigated=plus(ttm), resolved=plus(ttr),
        trigger=trigger,
    )  # fmt: skip


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


def action(id_: str, status: str, due: dt.date | None) -> Action:
    return Action(id=id_, description=f"do {id_}", type="prevent", owner="ops team",
                  status=status, due=due)  # fmt: skip


REPORTS = [
    Report(
        id="INC-A", title="Checkout pool", severity="SEV2",
        summary=summary(utc(8, 3, 10), 10, 40, 60, "A deploy of checkout v2.3"),
        root_cause=RootCause(root_cause="The connection pool was exhausted under peak traffic."),
        actions=[action("A1", "open", dt.date(2026, 10, 1)),
                 action("A2", "done", dt.date(2026, 9, 1))],
    ),
    Report(
        id="INC-B", title="Stale DNS", severity="SEV1",
        summary=summary(utc(8, 20, 22), 20, 90, 180, "A configuration change to the flags"),
        root_cause=RootCause(root_cause="An upstream DNS provider returned stale records."),
        actions=[action("B1", "in progress", dt.date(2026, 11, 15)),
                 action("B2", "won't do", dt.date(2026, 1, 1))],
    ),
    Report(
        id="INC-C", title="Rack power", severity="SEV3",
        summary=summary(utc(10, 5, 9), 60, 70, 100, "Power loss in rack 12"),
        root_cause=RootCause(root_cause="Nobody knows yet."),
        actions=[action("C1", "open", dt.date(2026, 10, 31)), action("C2", "open", None)],
    ),
    Report(
        id="INC-D", title="Retry storm", severity="SEV3", tags=["trigger:capacity"],
        summary=summary(utc(10, 28, 23, 30), 5, None, 30, ""),
        root_cause=RootCause(root_cause="A release removed the retry budget."),
    ),
    Report(
        id="INC-E", title="Undated", severity="SEV4",
        summary=summary(None, None, None, None, "cpu spike"),
        actions=[action("E1", "open", dt.date(2026, 12, 1))],
    ),
]  # fmt: skip


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    """A folder holding the five incident folders."""
    root = tmp_path / "incidents"
    for report in REPORTS:
        folder = root / report.id
        folder.mkdir(parents=True)
        save_report(report, folder)
    return root


def page_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="trends-data">(.*?)</script>', page)
    return json.loads(match.group(1))


def row(page: str, attribute: str, value: str, table: str) -> list[str]:
    """The cell texts of the row ``<tr data-attribute="value">`` in ``<table class=table>``."""
    body = re.search(rf'<table class="{table}">(.*?)</table>', page, re.S).group(1)
    tr = re.search(rf'<tr data-{attribute}="{re.escape(value)}">(.*?)</tr>', body, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr)]


@pytest.fixture
def page(incidents: Path, tmp_path: Path) -> str:
    out = trends([incidents], out=tmp_path / "site" / "trends.html", today=TODAY, build_time="B")
    return out.read_text(encoding="utf-8")


def test_incidents_per_month_and_severity(page):
    data = page_data(page)
    assert data["months"] == ["2026-08", "2026-09", "2026-10"]
    assert data["per_month"]["2026-08"] == {"SEV1": 1, "SEV2": 1, "SEV3": 0, "SEV4": 0, "SEV5": 0,
                                            "total": 2}  # fmt: skip
    assert data["per_month"]["2026-09"]["total"] == 0
    assert data["per_month"]["2026-10"]["SEV3"] == 2
    assert data["undated"] == ["INC-E"]
    assert row(page, "month", "2026-08", "per-month") == ["2026-08", "1", "1", "0", "0", "0", "2"]
    assert row(page, "month", "2026-10", "per-month") == ["2026-10", "0", "0", "2", "0", "0", "2"]


def test_durations_median_and_p90_per_month(page):
    d = page_data(page)["durations"]
    assert d["TTD"]["2026-08"] == {"n": 2, "median": 15.0, "p90": 19.0}
    assert d["TTD"]["2026-10"] == {"n": 2, "median": 32.5, "p90": 54.5}
    assert d["TTD"]["2026-09"] == {"n": 0, "median": None, "p90": None}
    assert d["TTD"]["all"] == {"n": 4, "median": 15.0, "p90": 48.0}
    assert d["TTM"]["2026-08"] == {"n": 2, "median": 65.0, "p90": 85.0}
    assert d["TTM"]["2026-10"] == {"n": 1, "median": 70.0, "p90": 70.0}
    assert d["TTM"]["all"] == {"n": 3, "median": 70.0, "p90": 86.0}
    assert d["TTR"]["2026-08"] == {"n": 2, "median": 120.0, "p90": 168.0}
    assert d["TTR"]["2026-10"] == {"n": 2, "median": 65.0, "p90": 93.0}
    assert d["TTR"]["all"] == {"n": 4, "median": 80.0, "p90": 156.0}
    cells = row(page, "month", "all", "durations")
    assert cells == ["All incidents", "4", "15m 00s", "48m 00s", "3", "1h 10m", "1h 26m",
                     "4", "1h 20m", "2h 36m"]  # fmt: skip
    assert re.search(r'<strong id="median-ttr">1h 20m</strong>', page)


def test_trigger_and_root_cause_categories(page):
    data = page_data(page)
    assert data["triggers"] == {"config change": 1, "deploy": 1, "capacity": 2, "dependency": 0,
                                "hardware": 1, "unknown": 0}  # fmt: skip
    assert data["root_causes"] == {"config change": 0, "deploy": 1, "capacity": 1,
                                   "dependency": 1, "hardware": 0, "unknown": 2}  # fmt: skip
    assert row(page, "category", "unknown", "categories") == ["unknown", "0", "2"]


def test_open_and_overdue_actions(page):
    data = page_data(page)
    assert data["actions"] == {"open": 5, "overdue": 2}
    assert [(a["incident"], a["id"], a["days_overdue"]) for a in data["overdue"]] == [
        ("INC-A", "A1", 31),
        ("INC-C", "C1", 1),
    ]
    assert re.search(r'<strong id="total-overdue-actions">2</strong>', page)
    assert row(page, "incident", "INC-C", "incidents")[-2:] == ["2", "1"]


def test_page_is_self_contained(page):
    assert page.count(get_plotlyjs()) == 1
    rest = page.replace(get_plotlyjs(), "")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", rest)
    assert "http://" not in rest and "https://" not in rest
    assert rest.count('class="plotly-graph-div"') == 4


def test_same_input_same_bytes(incidents, tmp_path):
    a = trends([incidents], out=tmp_path / "a.html", today=TODAY, build_time="B").read_bytes()
    b = trends([incidents], out=tmp_path / "b.html", today=TODAY, build_time="B").read_bytes()
    assert a == b


def test_user_text_cannot_break_the_page(tmp_path):
    folder = tmp_path / "INC-X"
    folder.mkdir()
    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    save_report(
        Report(id="INC-X", title=evil, summary=summary(utc(9, 1, 1), 1, 2, 3, evil),
               actions=[Action(id="X1", description=evil, type="prevent",
                               due=dt.date(2026, 9, 2))]),
        folder,
    )  # fmt: skip
    page = trends([folder], out=tmp_path / "t.html", today=TODAY).read_text()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert page_data(page)["incidents"][0]["title"] == evil


def test_custom_categories_and_tag_override(incidents, tmp_path):
    out = trends(
        [incidents], out=tmp_path / "c.html", today=TODAY,
        categories={"network": ["dns", "upstream"], "power": ["power"]},
    )  # fmt: skip
    data = page_data(out.read_text())
    assert data["categories"] == ["network", "power", "unknown", "capacity"]
    assert data["triggers"] == {"network": 0, "power": 1, "unknown": 3, "capacity": 1}
    assert data["root_causes"] == {"network": 1, "power": 0, "unknown": 4, "capacity": 0}


def test_folders_can_be_listed_one_by_one(incidents, tmp_path):
    out = trends([incidents / "INC-A", incidents / "INC-C"], out=tmp_path / "two.html")
    assert [i["id"] for i in page_data(out.read_text())["incidents"]] == ["INC-A", "INC-C"]


def test_duplicate_incident_id_is_an_error(incidents, tmp_path):
    copy = tmp_path / "copy" / "INC-A"
    copy.mkdir(parents=True)
    save_report(REPORTS[0], copy)
    with pytest.raises(PublishError, match="INC-A is in both"):
        trends([incidents, copy.parent], out=tmp_path / "x.html")


def test_folder_without_reports_is_an_error(tmp_path):
    with pytest.raises(PublishError, match="no postmortem.yaml here or in its subfolders"):
        trends([tmp_path], out=tmp_path / "x.html")


def test_bad_options_are_rejected(incidents, tmp_path):
    with pytest.raises(OptionsError, match="give a list of keywords"):
        trends([incidents], out=tmp_path / "x.html", categories={"dns": "dns"})
    with pytest.raises(OptionsError, match="did you mean 'today'"):
        trends([incidents], out=tmp_path / "x.html", todya=TODAY)


def test_cli_writes_the_page(incidents, tmp_path):
    out = tmp_path / "cli.html"
    args = [str(incidents), "--out", str(out), "--today", "2026-11-01", "--build-time", "B"]
    result = CliRunner().invoke(trends_command, args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    assert page_data(out.read_text())["actions"]["overdue"] == 2


def test_cli_error_is_one_line(tmp_path):
    result = CliRunner().invoke(trends_command, [str(tmp_path), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line] == [
        f"error: {tmp_path}: no postmortem.yaml here or in its subfolders"
    ]


def test_with_the_sample_incident(incidents, tmp_path):
    if not (SAMPLE / "postmortem.yaml").is_file():
        pytest.skip("data/INC-2041/postmortem.yaml not generated yet")
    sample = load_report(SAMPLE)
    out = trends([incidents, SAMPLE], out=tmp_path / "s.html", today=TODAY)
    data = page_data(out.read_text())
    ids = [i["id"] for i in data["incidents"]]
    assert sample.id in ids and len(ids) == 6
    month = sample.summary.impact_start.astimezone(dt.UTC).strftime("%Y-%m")
    alone = {"2026-08": 2, "2026-09": 0, "2026-10": 2}
    assert data["per_month"][month]["total"] == alone.get(month, 0) + 1
