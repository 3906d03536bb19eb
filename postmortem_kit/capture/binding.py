"""The binding between the forms and ``postmortem.yaml``: the core of "nothing lost".

One :class:`ReportBinding` per report file per kernel (:func:`bind` shares it), so every form
on the same file edits the same in-memory report and never clobbers another. Each save first
compares the file's digest with the one this kernel last read or wrote; if someone else changed
the file (git, an editor, another kernel), nothing is written: the binding enters a conflict,
says what differs, and waits for :meth:`ReportBinding.reload` or :meth:`ReportBinding.merge`.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import difflib
import hashlib
import logging
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from postmortem_kit.capture.merge import FieldDifference, differences, merge_reports
from postmortem_kit.capture.options import CaptureOptions
from postmortem_kit.capture.scheduling import Handle, KernelScheduler
from postmortem_kit.errors import ReportError, ReportValidationError
from postmortem_kit.report.durations import key_time_problems
from postmortem_kit.report.model import Report
from postmortem_kit.report.store import (
    REPORT_FILE,
    atomic_write_text,
    dump_report,
    parse_report,
    report_path,
)


@dataclasses.dataclass(frozen=True)
class BindingEvent:
    """What happened to the binding.

    ``kind`` is ``changed`` (a form changed a field; ``origin`` is that control), ``saved``,
    ``error``, ``conflict``, ``synced`` (the report was replaced by a newer file or a merge;
    text not saved yet stays in the forms), ``reloaded`` (the user chose the file: forms drop
    their unsaved text) or ``status`` (only the status line needs redrawing).
    """

    kind: str
    origin: Any = None


@dataclasses.dataclass(frozen=True)
class Conflict:
    """The file changed on disk behind the form. ``theirs`` is ``None`` if it cannot be read."""

    theirs: Report | None
    theirs_text: str | None
    digest: str | None
    problem: str | None
    fields: list[FieldDifference]
    text_diff: str


_log = logging.getLogger(__name__)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(file: Path) -> tuple[str | None, str | None]:
    """(text, digest) of a file; (None, None) when it does not exist."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return None, None
    return data.decode("utf-8", errors="replace"), _digest(data)


class ReportBinding:
    """A report file loaded into the kernel, saved back as the forms change it.

    Parameters
    ----------
    file
        The ``postmortem.yaml`` to bind.
    options
        Debounce, watch interval, scheduler and clock.
    """

    def __init__(self, file: Path, options: CaptureOptions):
        self.file = file
        self.options = options
        self._scheduler = options.scheduler or KernelScheduler()
        self._lock = threading.RLock()
        self._listeners: list[weakref.ref] = []
        self._save_handle: Handle | None = None
        self._watch_handle: Handle | None = None
        self.invalid: dict[str, str] = {}
        self.conflict: Conflict | None = None
        self.error: str | None = None
        self.saved_at = None
        self.dirty = False
        text, digest = _read(file)
        if text is None:
            raise ReportError(f"{file}: no report file here (create one with `postmortem new`)")
        self._adopt(parse_report(text, path=str(file))[0], text, digest)
        self._schedule_watch()

    # -- state -------------------------------------------------------------------------------
    def _adopt(self, report: Report, text: str, digest: str | None) -> None:
        """Make ``report`` (as written in ``text``) both the base and the working copy."""
        self.report = report
        self._base = report.model_copy(deep=True)
        self._base_text = text
        self._digest = digest

    def get(self, path: tuple[str, ...]) -> Any:
        """The current value at ``path`` (e.g. ``("summary", "narrative")``)."""
        node: Any = self.report
        for part in path:
            node = getattr(node, part)
        return node

    def set(self, path: tuple[str, ...], value: Any, *, origin: Any = None, commit=False) -> bool:
        """Change one field of the report and schedule a save.

        Parameters
        ----------
        path
            Field path, e.g. ``("summary", "users_affected")`` or ``("timeline",)``.
        value
            The new value; validated by the model.
        origin
            The control making the change (it is not refreshed by the resulting event).
        commit
            Save now instead of after the debounce interval (a committed edit: a choice,
            a button, a field the user left).

        Returns
        -------
        bool
            Whether the value changed.

        Raises
        ------
        ReportValidationError
            If the model rejects the value; the report is unchanged.
        """
        with self._lock:
            if self.get(path) == value and type(self.get(path)) is type(value):
                if commit:
                    self.flush()
                return False
            parent = self.report
            for part in path[:-1]:
                parent = getattr(parent, part)
            try:
                setattr(parent, path[-1], value)
            except ValidationError as exc:
                message = "; ".join(e["msg"] for e in exc.errors())
                raise ReportValidationError([(".".join(path), None, message)]) from None
            self.dirty = True
        self._emit(BindingEvent("changed", origin))
        if commit or self.options.debounce == 0:
            self.flush()
        else:
            self._schedule_save()
        return True

    def mark_invalid(self, field: str, message: str | None) -> None:
        """Record (or clear, with ``None``) a typed value that cannot be saved yet."""
        with self._lock:
            if message is None and self.invalid.pop(field, None) is None:
                return
            if message is not None:
                if self.invalid.get(field) == message:
                    return
                self.invalid[field] = message
        self._emit(BindingEvent("status"))

    # -- scheduling --------------------------------------------------------------------------
    def _schedule_save(self) -> None:
        """Save ``debounce`` seconds after the first unsaved change (later changes ride along),
        so continuous typing is saved at least every ``debounce`` seconds."""
        with self._lock:
            if self._save_handle is None:
                self._save_handle = self._scheduler.call_later(
                    self.options.debounce, self._timed_save
                )
                self._emit(BindingEvent("status"))

    def _timed_save(self) -> None:
        with self._lock:
            self._save_handle = None
        self.flush()

    def _schedule_watch(self) -> None:
        if self.options.watch is not None:
            self._watch_handle = self._scheduler.call_later(self.options.watch, self._timed_watch)

    def _timed_watch(self) -> None:
        try:
            self.check_disk()
        finally:
            self._schedule_watch()

    # -- saving ------------------------------------------------------------------------------
    def flush(self) -> bool:
        """Save unsaved changes now, unless the file changed on disk behind the form.

        Returns
        -------
        bool
            True when the file holds the form's report afterwards.
        """
        with self._lock:
            if self._save_handle is not None:
                self._save_handle.cancel()
                self._save_handle = None
            if self.conflict is not None:
                # Still blocked: refresh what differs, the form or the file may have moved on.
                with contextlib.suppress(OSError):
                    return self._enter_conflict(*_read(self.file))
                return False
            if not self.dirty:
                return True
            problems = key_time_problems(self.report.summary)
            if problems:
                return self._fail("; ".join(m for _, m in problems))
            try:
                text, digest = _read(self.file)
            except OSError as exc:
                return self._fail(f"cannot read {self.file}: {exc.strerror or exc}")
            if digest != self._digest:
                return self._enter_conflict(text, digest)
            new_text = dump_report(self.report, base_text=self._base_text)
            try:
                Report.model_validate(self.report.model_dump())
                atomic_write_text(self.file, new_text)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                return self._fail(f"cannot write {self.file}: {reason}")
            except ValidationError as exc:
                return self._fail(f"the report is not valid: {exc.errors()[0]['msg']}")
            self._base = self.report.model_copy(deep=True)
            self._base_text = new_text
            self._digest = _digest(new_text.encode("utf-8"))
            self.dirty = False
            self.error = None
            self.saved_at = self.options.now()
        self._emit(BindingEvent("saved"))
        return True

    def _fail(self, message: str) -> bool:
        self.error = message
        self._emit(BindingEvent("error"))
        return False

    def check_disk(self) -> None:
        """Look at the file now: reload it if it changed and the form has no unsaved edits,
        enter a conflict if it changed and the form has some."""
        with self._lock:
            if self.conflict is not None:
                return
            try:
                text, digest = _read(self.file)
            except OSError:
                return  # unreadable for now; the next save reports it
            if digest == self._digest:
                return
            if self.dirty:
                self._enter_conflict(text, digest)
                return
            try:
                theirs = parse_report(text, path=str(self.file))[0] if text is not None else None
            except ReportError:
                theirs = None
            if theirs is None:
                self._enter_conflict(text, digest)
                return
            self._adopt(theirs, text, digest)
            self.error = None
        self._emit(BindingEvent("synced"))

    def _enter_conflict(self, text: str | None, digest: str | None) -> bool:
        theirs, problem = None, None
        if text is None:
            problem = f"{self.file} was deleted or moved"
        else:
            try:
                theirs = parse_report(text, path=str(self.file))[0]
            except ReportError as exc:
                problem = str(exc)
        if theirs is not None and theirs == self.report:
            # The other writer wrote exactly what the form holds: nothing to lose either way.
            self._adopt(theirs, text, digest)
            self.conflict = None
            self.dirty = False
            self.saved_at = self.options.now()
            self._emit(BindingEvent("saved"))
            return True
        fields = differences(self._base, self.report, theirs) if theirs is not None else []
        mine_text = dump_report(self.report, base_text=text or self._base_text)
        text_diff = "".join(
            difflib.unified_diff(
                (text or "").splitlines(keepends=True),
                mine_text.splitlines(keepends=True),
                fromfile=f"{REPORT_FILE} on disk",
                tofile="this form",
                n=2,
            )
        )
        self.conflict = Conflict(theirs, text, digest, problem, fields, text_diff)
        self._emit(BindingEvent("conflict"))
        return False

    def _read_for_resolve(self) -> tuple[str | None, str | None]:
        try:
            return _read(self.file)
        except OSError as exc:
            raise ReportError(f"{self.file}: cannot read: {exc.strerror or exc}") from None

    def reload(self) -> None:
        """Resolve a conflict by taking the file as it is now (the form's unsaved edits go).

        Raises
        ------
        ReportError
            If the file is missing or invalid; the form keeps its edits and the conflict.
        """
        with self._lock:
            text, digest = self._read_for_resolve()
            if text is None:
                raise ReportError(f"{self.file}: the file is gone; Merge writes the form back")
            theirs = parse_report(text, path=str(self.file))[0]
            self._adopt(theirs, text, digest)
            self.conflict = None
            self.error = None
            self.dirty = False
            self.invalid.clear()
        self._emit(BindingEvent("reloaded"))

    def merge(self) -> list[str]:
        """Resolve a conflict by applying the form's edits on top of the file, then saving.

        Returns
        -------
        list of str
            Fields changed on both sides where the form's value was kept.

        Raises
        ------
        ReportError
            If the file on disk is not a valid report (fix it or Reload after fixing it).
        """
        with self._lock:
            text, digest = self._read_for_resolve()
            conflicts: list[str] = []
            if text is None:
                merged, text = self.report, ""
            else:
                theirs = parse_report(text, path=str(self.file))[0]
                merged, conflicts = merge_reports(self._base, self.report, theirs)
                self._base = theirs
            self.report = merged
            self._base_text = text
            self._digest = digest
            self.conflict = None
            self.dirty = True
        self._emit(BindingEvent("synced"))
        self.flush()
        return conflicts

    # -- listeners ---------------------------------------------------------------------------
    def observe(self, callback: Callable[[BindingEvent], None]) -> None:
        """Call ``callback(event)`` on every event; bound methods are held weakly."""
        ref = (
            weakref.WeakMethod(callback) if hasattr(callback, "__self__") else weakref.ref(callback)
        )
        self._listeners.append(ref)

    def _emit(self, event: BindingEvent) -> None:
        alive = []
        for ref in list(self._listeners):
            callback = ref()
            if callback is None:
                continue
            alive.append(ref)
            try:
                callback(event)
            except Exception:  # a broken view must never stop a save
                _log.exception("postmortem-kit: a form failed to show %s", event.kind)
        self._listeners = alive

    def close(self) -> None:
        """Save what is pending, stop watching the file and forget this binding."""
        self.flush()
        for handle in (self._save_handle, self._watch_handle):
            if handle is not None:
                handle.cancel()
        self.options = dataclasses.replace(self.options, watch=None)
        _BINDINGS.pop(self.file, None)


_BINDINGS: dict[Path, ReportBinding] = {}


def bind(path, options: CaptureOptions | None = None) -> ReportBinding:
    """The shared binding of a report file in this kernel (created on first use).

    Parameters
    ----------
    path
        The incident folder or its ``postmortem.yaml``.
    options
        Used when the binding is created; a later call reuses the first binding.

    Returns
    -------
    ReportBinding
        After checking the file: changes made elsewhere are loaded when the form has no
        unsaved edits, or reported as a conflict when it has some.
    """
    file = report_path(path).resolve()
    binding = _BINDINGS.get(file)
    if binding is None:
        binding = _BINDINGS[file] = ReportBinding(file, options or CaptureOptions())
    else:
        binding.check_disk()
    return binding


@atexit.register
def close_all() -> None:
    """Save what every binding's debounce still holds and forget them all.

    Runs at interpreter exit, so a clean kernel shutdown or restart loses nothing.
    """
    for binding in list(_BINDINGS.values()):
        with contextlib.suppress(Exception):  # best effort at exit; never block shutdown
            binding.close()
    _BINDINGS.clear()
