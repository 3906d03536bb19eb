"""Three-way comparison of reports: what changed here, what changed on disk, and a merge.

``base`` is the report as this kernel last read or wrote it, ``mine`` what the form holds now,
``theirs`` what is on disk now. A field is one leaf of the document (``summary.narrative``,
``title``); list fields (``timeline``, ``actions``, ``root_cause.five_whys``, ...) merge by rows,
so two people who each add a timeline event or an action both keep their row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

from pydantic import BaseModel

from postmortem_kit.report.model import Lessons, Report, RootCause, Summary

#: Sections whose fields are compared one by one; other top-level keys are single fields.
_NESTED: dict[str, type[BaseModel]] = {
    "summary": Summary,
    "root_cause": RootCause,
    "lessons": Lessons,
}


def field_paths() -> list[tuple[str, ...]]:
    """Every comparable field of a report, in document order."""
    paths: list[tuple[str, ...]] = []
    for name in Report.model_fields:
        if name in _NESTED:
            paths.extend((name, sub) for sub in _NESTED[name].model_fields)
        else:
            paths.append((name,))
    return paths


def get_field(data: dict, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in a report's ``model_dump()``."""
    for part in path:
        data = data[part]
    return data


def _set_field(data: dict, path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _freeze(value: Any) -> Any:
    """A hashable, instant-normalised form of a dumped value (for row multisets)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return value


def _same(a: Any, b: Any) -> bool:
    return _freeze(a) == _freeze(b)


def _merge_rows(base: list, mine: list, theirs: list) -> list:
    """Theirs, minus the rows I removed, plus the rows I added (in my order)."""
    base_c = Counter(_freeze(r) for r in base)
    mine_c = Counter(_freeze(r) for r in mine)
    removed = base_c - mine_c
    added = mine_c - base_c
    out = []
    for row in theirs:
        key = _freeze(row)
        if removed[key] > 0:
            removed[key] -= 1
            continue
        out.append(row)
    for row in mine:
        key = _freeze(row)
        if added[key] > 0:
            added[key] -= 1
            out.append(row)
    return out


def _merge_actions(base: list, mine: list, theirs: list, conflicts: list[str]) -> list:
    """Merge action rows by ``id``, field by field within one action."""
    by_id = [{row["id"]: row for row in rows} for rows in (base, mine, theirs)]
    b, m, t = by_id
    out: list[dict] = []
    taken = set(t)
    for row in theirs:
        key = row["id"]
        if key in b and key not in m:  # I deleted it
            if _same(b[key], row):
                continue
            conflicts.append(f"actions[{key}] (deleted here, changed on disk: kept)")
            out.append(row)
        elif key in m and key in b:
            merged = dict(row)
            for name in set(row) | set(m[key]) | set(b[key]):
                mv, bv, tv = m[key].get(name), b[key].get(name), row.get(name)
                if _same(mv, bv):
                    continue
                if not _same(tv, bv) and not _same(tv, mv):
                    conflicts.append(f"actions[{key}].{name}")
                merged[name] = mv
            out.append(merged)
        elif key in m and not _same(m[key], row):  # both added the same id
            conflicts.append(f"actions[{key}] (added in both: yours renumbered)")
            out.append(row)
        else:
            out.append(row)
    for row in mine:
        key = row["id"]
        if key in b and key not in t and not _same(b[key], row):
            conflicts.append(f"actions[{key}] (deleted on disk, changed here: kept)")
        elif key in b or (key in t and _same(t[key], row)):
            continue
        if key in taken:
            row = {**row, "id": next_action_id(taken)}
        taken.add(row["id"])
        out.append(row)
    return out


def next_action_id(taken: set[str] | list[str]) -> str:
    """The next free action id of the form ``A<n>``."""
    numbers = [int(x[1:]) for x in taken if x[:1] == "A" and x[1:].isdigit()]
    return f"A{max(numbers, default=0) + 1}"


@dataclasses.dataclass(frozen=True)
class FieldDifference:
    """One field whose value in the form differs from the file on disk."""

    field: str
    yours: Any
    theirs: Any
    changed_here: bool
    changed_on_disk: bool

    @property
    def where(self) -> str:
        """``changed here``, ``changed on disk`` or ``changed in both``."""
        if self.changed_here and self.changed_on_disk:
            return "changed in both"
        return "changed here" if self.changed_here else "changed on disk"


def differences(base: Report, mine: Report, theirs: Report) -> list[FieldDifference]:
    """Fields where the form (``mine``) and the file (``theirs``) disagree.

    Returns
    -------
    list of FieldDifference
        In document order; each says whether the field changed here, on disk, or in both
        since ``base``.
    """
    b, m, t = (r.model_dump() for r in (base, mine, theirs))
    out = []
    for path in field_paths():
        bv, mv, tv = get_field(b, path), get_field(m, path), get_field(t, path)
        if not _same(mv, tv):
            out.append(
                FieldDifference(".".join(path), mv, tv, not _same(mv, bv), not _same(tv, bv))
            )
    return out


def merge_reports(base: Report, mine: Report, theirs: Report) -> tuple[Report, list[str]]:
    """Apply the changes made here (``base`` → ``mine``) on top of the file (``theirs``).

    Fields changed only on one side take that side. Rows of list fields merge: rows added on
    either side are kept, rows deleted here are removed. A scalar field changed on both sides
    to different values takes *your* value (the user chose Merge after seeing the diff) and is
    listed in the returned conflicts.

    Returns
    -------
    (Report, list of str)
        The merged report (not validated for key-time order) and the fields changed on both
        sides where your value was kept.
    """
    b, m, t = (r.model_dump() for r in (base, mine, theirs))
    merged = theirs.model_dump()
    conflicts: list[str] = []
    for path in field_paths():
        bv, mv, tv = get_field(b, path), get_field(m, path), get_field(t, path)
        if _same(mv, bv) or _same(mv, tv):
            continue
        if _same(tv, bv):
            _set_field(merged, path, mv)
        elif path == ("actions",):
            _set_field(merged, path, _merge_actions(bv, mv, tv, conflicts))
        elif isinstance(mv, list) and isinstance(tv, list) and isinstance(bv, list):
            rows = _merge_rows(bv, mv, tv)
            if path == ("timeline",):
                rows.sort(key=lambda row: row["time"])
            _set_field(merged, path, rows)
        else:
            conflicts.append(".".join(path))
            _set_field(merged, path, mv)
    return Report.model_validate(merged), conflicts
