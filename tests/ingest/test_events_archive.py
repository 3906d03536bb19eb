"""Event exports that come as a ZIP archive (Slack's export does) read as the folder they
hold, with provenance naming the member inside the archive."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from postmortem_kit.errors import IngestError
from postmortem_kit.ingest.events import archive, load_events

DATA = Path(__file__).resolve().parents[1] / "data" / "events"
SLACK = DATA / "slack"


def _zip(folder: Path, path: Path, *, top: str | None = None, extra: dict | None = None) -> Path:
    """``folder`` zipped to ``path`` (inside a ``top`` folder when given), plus ``extra``
    members (name → bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                name = file.relative_to(folder).as_posix()
                out.write(file, f"{top}/{name}" if top else name)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


@pytest.mark.parametrize("top", [None, "export-2026-10"], ids=["at the root", "in a folder"])
def test_a_zipped_slack_export_reads_as_its_folder(tmp_path, top):
    path = _zip(SLACK, tmp_path / "slack-export.zip", top=top)
    zipped = load_events(path, relative_to=tmp_path)
    folder = load_events(SLACK, relative_to=DATA)
    columns = ["time", "kind", "description", "actor", "url", "record_id"]
    pd.testing.assert_frame_equal(zipped[columns], folder[columns])
    inside = f"slack-export.zip/{top}/" if top else "slack-export.zip/"
    assert list(zipped["provenance"]) == [
        inside + p for p in folder["provenance"].str.removeprefix("slack/")
    ]
    assert set(zipped["source"]) == {top or "slack-export"}  # the zip's name, or its folder's
    report = zipped.attrs["import_report"]
    assert report.inputs[0].path == inside.rstrip("/") and report.inputs[0].format == "slack"


def test_a_zip_of_other_event_files_reads_as_a_folder_of_them(tmp_path):
    path = _zip(DATA / "alertmanager", tmp_path / "alerts.zip")
    zipped = load_events(path, relative_to=tmp_path)
    folder = load_events(DATA / "alertmanager", relative_to=DATA)
    columns = ["time", "kind", "description", "source"]
    pd.testing.assert_frame_equal(zipped[columns], folder[columns])
    assert list(zipped["provenance"]) == [
        "alerts.zip/" + p.removeprefix("alertmanager/") for p in folder["provenance"]
    ]


def test_the_unpacked_folder_is_removed_and_nothing_lands_outside_it(tmp_path, monkeypatch):
    temp = tmp_path / "tmp"  # the unpacked folder goes here: "../" and "../../" are tmp_path
    temp.mkdir()
    monkeypatch.setattr(archive.tempfile, "tempdir", str(temp))
    evil = {"../escaped.json": b"[]", "../../escaped.json": b"[]", "/abs/escaped.json": b"[]"}
    path = _zip(SLACK, tmp_path / "export.zip", extra=evil)
    load_events(path)
    assert not list(temp.iterdir())
    assert not list(tmp_path.rglob("escaped.json"))


def test_archives_that_are_not_event_exports_say_so(tmp_path, monkeypatch):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(IngestError, match=r"broken.zip: not a readable ZIP archive"):
        load_events(broken)
    photos = tmp_path / "photos.zip"
    with zipfile.ZipFile(photos, "w") as out:
        out.writestr("cat.png", b"\x89PNG")
    with pytest.raises(IngestError, match=r"photos.zip: a ZIP archive with no event file"):
        load_events(photos)
    monkeypatch.setattr(archive, "MAX_EXTRACTED_BYTES", 100)
    with pytest.raises(IngestError, match=r"export.zip: its event files would unpack to"):
        load_events(_zip(SLACK, tmp_path / "export.zip"))
