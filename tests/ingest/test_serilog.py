"""Serilog's compact JSON (CLEF): the message rendered from ``@mt`` and the record's
properties, as Serilog writes it; ``@m`` when the record has one; Information without
``@l``. The expected messages are written out by hand."""

from __future__ import annotations

import json

import pandas as pd

from postmortem_kit.ingest import load_logs


def _load(tmp_path, records: list[dict], **options) -> pd.DataFrame:
    path = tmp_path / "app.clef"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return load_logs(path, **options)


def _event(second: int, **fields) -> dict:
    return {"@t": f"2026-10-14T14:07:{second:02d}.1230000Z", **fields}


def test_templates_are_rendered_as_serilog_renders_them(tmp_path):
    template = (
        "Payment {OrderId} failed after {Attempts} tries for {User} ({Retry}, {Missing}) "
        "{{literal}} {Elapsed:0.00} ms {Name:l} {Note}"
    )
    records = [
        _event(0, **{"@mt": template, "@l": "Error"}, OrderId=42, Attempts=3, User="bob",
               Retry=True, Elapsed=12.5, Name="checkout", Note=None),
        _event(1, **{"@mt": "Started {App} on {Port}"}, App="shop", Port=8080),
        _event(2, **{"@mt": "Order {@Order} placed"}, Order={"Id": 7, "Total": 9.99}),
    ]  # fmt: skip
    frame = _load(tmp_path, records)
    assert frame["message"].tolist() == [
        'Payment 42 failed after 3 tries for "bob" (True, {Missing}) {literal} 12.5 ms '
        "checkout null",
        'Started "shop" on 8080',
        "Order {@Order} placed",  # an object's keys are flattened: the token stays as written
    ]
    assert frame["message_template"].tolist() == [r["@mt"] for r in records]
    assert frame["severity_raw"].tolist() == ["Error", "Information", "Information"]
    assert frame["severity"].tolist() == ["error", "info", "info"]
    assert frame["Order.Id"].tolist()[2] == 7 and frame["OrderId"].tolist()[0] == 42


def test_a_rendered_message_is_kept_and_templates_render_per_record(tmp_path):
    records = [
        _event(i, **{"@mt": ("Job {Job} done", "Retrying {Job}")[i % 2]}, Job=f"j{i}")
        for i in range(40)
    ]
    records[3]["@m"] = "Retrying j3 (rendered by the app)"
    frame = _load(tmp_path, records, chunk_bytes=512)
    by_second = frame.set_index(frame["timestamp"].dt.second)
    assert by_second.loc[0, "message"] == 'Job "j0" done'
    assert by_second.loc[1, "message"] == 'Retrying "j1"'
    assert by_second.loc[3, "message"] == "Retrying j3 (rendered by the app)"
    assert by_second.loc[38, "message"] == 'Job "j38" done' and len(frame) == 40


def test_other_json_lines_keep_their_keys(tmp_path):
    path = tmp_path / "app.jsonl"
    path.write_text(json.dumps({"ts": "2026-10-14T14:07:00Z", "msg": "use {braces}"}) + "\n")
    frame = load_logs(path)
    assert frame["message"].tolist() == ["use {braces}"]
    assert "message_template" not in frame.columns and frame["severity"].isna().all()
