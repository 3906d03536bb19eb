"""Section capture in a real JupyterLab and Chromium: values survive a kernel restart, and a
file changed on disk behind an open form is not overwritten.

Set ``PMK_SCREENSHOTS_DIR`` to keep the PNG of each editor (``docs/screenshots/capture.py``
does, for the README).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from postmortem_kit.incident import new_incident
from postmortem_kit.report import Report, load_report, save_report
from tests.conftest import REPO

pytestmark = pytest.mark.browser

EDITOR = ".pmk-report-editor"
WAIT = 30.0


def _notebook(
    folder: Path, name: str, incident: str, extra: str = "", tz: str = "UTC", debounce=0.3
) -> str:
    """A small notebook whose editor cell calls ``edit_report`` (as the template does)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_code_cell("import os\nprint(f'kernel pid {os.getpid()}')"),
        nbformat.v4.new_code_cell(
            f"from postmortem_kit.capture import edit_report\nincident_dir = {incident!r}\n{extra}"
        ),
        nbformat.v4.new_code_cell(
            f"edit_report(incident_dir, debounce={debounce}, watch=None, local_tz={tz!r}"
            + (", candidates=candidates" if "candidates" in extra else "")
            + ")"
        ),
    ]
    nbformat.write(nb, folder / name)
    return name


def _wait_until(condition: Callable[[], bool], what: str, file: Path | None = None) -> None:
    """Poll ``condition`` (reading files the kernel writes) until it holds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            shown = f"; {file} holds:\n{file.read_text(encoding='utf-8')}" if file else ""
            pytest.fail(f"timed out waiting for {what}{shown}")
        time.sleep(0.1)  # polling interval of a condition wait


def _report_holds(folder: Path, check: Callable[[Report], bool]) -> Callable[[], bool]:
    def condition() -> bool:
        try:
            return check(load_report(folder))
        except Exception:  # noqa: BLE001 - mid-write or not yet valid: keep polling
            return False

    return condition


def _kernel_pid(page) -> str:
    text = page.locator(".jp-OutputArea-output", has_text="kernel pid").first.inner_text()
    return re.search(r"kernel pid (\d+)", text).group(1)


def _tab(editor, name: str) -> None:
    """Show one of the editor's tabs, and wait until it is the selected one: a click that
    lands while the page is busy re-rendering can be lost (seen once on a loaded machine:
    the actions tab never showed its rows), so it is clicked again."""
    tab = editor.get_by_role("tab", name=name)
    for _ in range(3):
        tab.click()
        try:
            expect(tab).to_have_attribute("aria-selected", "true", timeout=10_000)
            return
        except AssertionError:
            continue
    expect(tab).to_have_attribute("aria-selected", "true")


def _shoot(element, name: str) -> None:
    """Keep a PNG of ``element`` when ``PMK_SCREENSHOTS_DIR`` is set."""
    target = os.environ.get("PMK_SCREENSHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        element.screenshot(path=str(Path(target) / f"{name}.png"))


NARRATIVE = "A config push shrank the DB pool; checkout failed for 34 minutes."
ROOT_CAUSE = "Pool size was templated for every environment and never validated."


def _fill_one_field_in_every_section(editor) -> None:
    editor.get_by_label("Narrative").fill(NARRATIVE)
    editor.get_by_label("Time zone").select_option("UTC")
    editor.get_by_label("Impact start").fill("2026-10-14 14:07")
    editor.get_by_label("Impact start").press("Enter")
    _tab(editor, "Timeline")
    editor.get_by_label("New event time").fill("2026-10-14 14:12:30")
    editor.get_by_label("New event description").fill("CheckoutHighErrorRate paged on-call")
    editor.get_by_role("button", name="Add event").click()
    editor.locator(".pmk-event-row").first.wait_for()
    _tab(editor, "Root cause analysis")
    editor.get_by_label("Root cause", exact=True).fill(ROOT_CAUSE)
    _tab(editor, "Corrective and preventive actions")
    editor.get_by_label("New action", exact=True).fill("Validate pool size in CI")
    editor.get_by_role("button", name="Add action").click()
    editor.get_by_label("Action A1").wait_for()
    _tab(editor, "Lessons learned")
    editor.get_by_label("What went well").fill("- Rollback took four minutes")


def _all_saved(r: Report) -> bool:
    return (
        r.summary.narrative == NARRATIVE
        and r.summary.impact_start == dt.datetime(2026, 10, 14, 14, 7, tzinfo=dt.UTC)
        and [e.description for e in r.timeline] == ["CheckoutHighErrorRate paged on-call"]
        and r.root_cause.root_cause == ROOT_CAUSE
        and [(a.id, a.description) for a in r.actions] == [("A1", "Validate pool size in CI")]
        and r.lessons.went_well == ["Rollback took four minutes"]
    )


SAMPLE = REPO / "data" / "INC-2041" / "postmortem.yaml"


def _open_fresh_incident(lab, root: Path, kind: str) -> Path:
    """A fresh incident folder, and its notebook open in JupyterLab.

    ``own``: a minimal notebook beside the folder calling ``edit_report`` with a short
    debounce and no file watching (so a change on disk always meets the form as a conflict).
    ``template``: a fresh incident made by ``new_incident`` (what ``postmortem new`` does):
    the template notebook, an empty report, no evidence yet.
    """
    incident = root / f"INC-{kind}"
    if kind == "own":
        incident.mkdir()
        save_report(Report(id=f"INC-{kind}", title="Checkout failures"), incident)
        lab.open(_notebook(root, f"{kind}.ipynb", incident.name))
        return incident
    new_incident(incident, id=f"INC-{kind}", title="Checkout failures")
    lab.open(f"{incident.name}/postmortem.ipynb")
    return incident


@pytest.mark.parametrize("kind", ["own", "template"])
def test_values_survive_a_restart_and_a_changed_file_is_not_overwritten(
    lab, jupyter_root_dir, kind
):
    incident = _open_fresh_incident(lab, jupyter_root_dir, kind)
    page = lab.page
    lab.run_all(EDITOR)
    editor = page.locator(EDITOR)
    _fill_one_field_in_every_section(editor)
    _wait_until(
        _report_holds(incident, _all_saved),
        "every section saved",
        incident / "postmortem.yaml",
    )
    editor.locator(".pmk-status").get_by_text("Saved at").wait_for()

    old_view = editor.element_handle()
    lab.restart_kernel()
    lab.run_all(EDITOR)
    old_view.wait_for_element_state("hidden")  # replaced by the new kernel's editor
    page.locator(EDITOR).wait_for()
    lab.wait_idle()
    expect(page.locator(EDITOR)).to_have_count(1)
    editor = page.locator(EDITOR)
    assert editor.get_by_label("Narrative").input_value() == NARRATIVE
    expect(
        editor.locator(".pmk-key-times").get_by_text("UTC Wed 2026-10-14 14:07:00")
    ).to_be_visible()
    _tab(editor, "Timeline")
    row = editor.locator(".pmk-event-row").first
    assert row.get_by_label("Description").input_value() == "CheckoutHighErrorRate paged on-call"
    _tab(editor, "Root cause analysis")
    assert editor.get_by_label("Root cause", exact=True).input_value() == ROOT_CAUSE
    _tab(editor, "Corrective and preventive actions")
    assert editor.get_by_label("Action A1").input_value() == "Validate pool size in CI"
    _tab(editor, "Lessons learned")
    assert editor.get_by_label("What went well").input_value() == "- Rollback took four minutes"
    _tab(editor, "Summary")
    assert _all_saved(load_report(incident))

    # Someone edits the file behind the open form (git pull, an editor, another notebook).
    file = incident / "postmortem.yaml"
    theirs = file.read_text(encoding="utf-8").replace(
        "title: Checkout failures", "title: Checkout failures (edited on disk)"
    )
    file.write_text(theirs, encoding="utf-8")
    editor.get_by_label("Narrative").fill("typed after the file changed on disk")
    status = editor.locator(".pmk-status")
    conflict = status.get_by_text("changed on disk since this form loaded it")
    if kind == "own":  # no file watching: the save attempt itself finds the change
        conflict.wait_for()
        assert file.read_text(encoding="utf-8") == theirs
        assert status.locator(".pmk-diff").get_by_text("summary.narrative").is_visible()
        _shoot(status, "conflict")
    else:  # watching may reload the file before the typing arrives, then save on top of it
        _wait_until(
            lambda: conflict.count() > 0 or _report_holds(incident, _both_edits)(),
            "a conflict shown or both edits saved",
        )
        assert load_report(incident).title == "Checkout failures (edited on disk)"
    if conflict.count():
        status.get_by_role("button", name="Merge").click()
    _wait_until(_report_holds(incident, _both_edits), "both edits in the file")
    assert editor.get_by_label("Title", exact=True).input_value() == (
        "Checkout failures (edited on disk)"
    )


def _both_edits(r: Report) -> bool:
    return (
        r.title == "Checkout failures (edited on disk)"
        and r.summary.narrative == "typed after the file changed on disk"
    )


def test_a_clean_restart_saves_what_the_debounce_still_held(lab, jupyter_root_dir):
    incident = jupyter_root_dir / "INC-exit"
    incident.mkdir()
    save_report(Report(id="INC-exit", title="Checkout failures"), incident)
    lab.open(_notebook(jupyter_root_dir, "exit.ipynb", incident.name, debounce=600))
    lab.run_all(EDITOR)
    editor = lab.page.locator(EDITOR)
    editor.get_by_label("Narrative").fill("typed just before the restart")
    editor.locator(".pmk-status").get_by_text("Unsaved changes").wait_for()
    assert load_report(incident).summary.narrative == ""  # the 10-minute debounce holds it
    lab.restart_kernel()
    _wait_until(
        _report_holds(incident, lambda r: r.summary.narrative == "typed just before the restart"),
        "the kernel to save on its way out",
        incident / "postmortem.yaml",
    )


CANDIDATES = """import pandas as pd
candidates = pd.DataFrame({
    "time": pd.to_datetime(["2026-10-14T14:09:00Z", "2026-10-14T14:36:40Z"], utc=True),
    "source": ["alerts", "deploys"],
    "kind": ["alert", "deploy"],
    "description": ["DBConnectionPoolSaturated (warning) fires", "CHG-8813 rolls back CHG-8812"],
    "provenance": ["evidence/alerts.json:62", "evidence/deploys.json:5"],
    "suggested_kind": ["detection", "mitigation"],
})
"""


def test_each_editor_shows_the_sample_report(lab, jupyter_root_dir):
    incident = jupyter_root_dir / "INC-2041"
    incident.mkdir()
    shutil.copy(SAMPLE, incident / "postmortem.yaml")
    sample = load_report(incident)
    lab.page.set_viewport_size({"width": 1280, "height": 3400})
    lab.open(_notebook(jupyter_root_dir, "sample.ipynb", "INC-2041", CANDIDATES, "Europe/Berlin"))
    lab.page.keyboard.press("Control+b")  # hide the file browser
    lab.run_all(EDITOR)
    editor = lab.page.locator(EDITOR)
    assert editor.get_by_label("Title", exact=True).input_value() == sample.title
    ttd_minutes = int((sample.summary.detected - sample.summary.impact_start).total_seconds() // 60)
    ttd = editor.locator(".pmk-ttx[data-label='TTD']").inner_text()
    assert ttd.startswith(f"{ttd_minutes}m "), ttd
    editor.get_by_role("button", name="Preview").first.click()  # the narrative's preview
    preview = editor.locator(".pmk-preview").first
    expect(preview).to_contain_text(" ".join(sample.summary.narrative.split()[:4]))
    _shoot(editor, "summary")
    _tab(editor, "Timeline")
    expect(editor.locator(".pmk-event-row")).to_have_count(len(sample.timeline))
    _shoot(editor, "timeline")
    _tab(editor, "Root cause analysis")
    assert editor.get_by_label("Root cause", exact=True).input_value() == (
        sample.root_cause.root_cause
    )
    _shoot(editor, "root-cause")
    _tab(editor, "Corrective and preventive actions")
    expect(editor.locator(".pmk-action-row")).to_have_count(len(sample.actions))
    _shoot(editor, "actions")
    _tab(editor, "Lessons learned")
    assert editor.get_by_label("What went well").input_value().startswith("- ")
    _shoot(editor, "lessons")
    assert load_report(incident) == sample  # showing the report changed nothing
