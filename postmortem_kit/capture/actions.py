"""Section 4, Corrective and preventive actions: rows to add, edit and delete; overdue rows
highlighted; export as CSV for Jira and as JSON next to the report."""

from __future__ import annotations

import html
from typing import get_args

import ipywidgets as widgets

from postmortem_kit.capture.exports import export_actions_csv, export_actions_json
from postmortem_kit.capture.fields import error_html, wide
from postmortem_kit.capture.merge import next_action_id
from postmortem_kit.capture.section import SectionEditor
from postmortem_kit.capture.timefmt import parse_date
from postmortem_kit.report.model import Action, ActionStatus, ActionType, Priority

TYPES = get_args(ActionType)
STATUSES = get_args(ActionStatus)
PRIORITIES = [("—", None), *((p, p) for p in get_args(Priority))]
_LABELS = {"description_width": "initial"}
_OVERDUE_BORDER = "3px solid #b00020"


class ActionRow(widgets.VBox):
    """The controls of one action."""

    def __init__(self, editor: ActionsEditor, action: Action):
        self.editor, self.action_id = editor, action.id
        self.description = widgets.Text(
            description=f"Action {action.id}",
            value=action.description,
            continuous_update=True,
            style=_LABELS,
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.type = widgets.Dropdown(
            description="Type", options=TYPES, value=action.type, style=_LABELS
        )
        self.owner = widgets.Text(description="Owner", value=action.owner, style=_LABELS)
        self.due = widgets.Text(
            description="Due",
            value=action.due.isoformat() if action.due else "",
            placeholder="YYYY-MM-DD",
            continuous_update=False,
            style=_LABELS,
            layout=widgets.Layout(width="12em"),
        )
        self.status = widgets.Dropdown(
            description="Status", options=STATUSES, value=action.status, style=_LABELS
        )
        self.priority = widgets.Dropdown(
            description="Priority",
            options=PRIORITIES,
            value=action.priority,
            style=_LABELS,
            layout=widgets.Layout(width="9em"),
        )
        self.ticket = widgets.Text(
            description="Ticket",
            value=action.ticket,
            placeholder="https://… or KEY-123",
            style=_LABELS,
        )
        self.delete = widgets.Button(
            description="Delete",
            icon="trash",
            tooltip=f"Delete action {action.id}",
            layout=widgets.Layout(width="7em"),
        )
        self.badge = widgets.HTML()
        self.message = widgets.HTML()
        update = editor.update_action
        self.description.observe(lambda c: update(self, description=c["new"]), "value")
        self.owner.observe(lambda c: update(self, owner=c["new"]), "value")
        self.ticket.observe(lambda c: update(self, ticket=c["new"]), "value")
        for name in ("type", "status", "priority"):
            getattr(self, name).observe(
                lambda c, name=name: update(self, commit=True, **{name: c["new"]}), "value"
            )
        self.due.observe(self._on_due, "value")
        self.delete.on_click(lambda _: editor.delete_action(self))
        super().__init__(
            [
                widgets.HBox([self.description, self.delete], layout=wide()),
                widgets.HBox([self.type, self.status, self.priority, self.due]),
                widgets.HBox([self.owner, self.ticket, self.badge]),
                self.message,
            ],
            layout=wide(border_bottom="1px solid #ddd", padding="4px"),
        )
        self.add_class("pmk-action-row")
        self.show_overdue(action)

    def _on_due(self, change: dict) -> None:
        key = f"actions[{self.action_id}].due"
        try:
            due = parse_date(change["new"])
        except ValueError as exc:
            message = f"Due date of action {self.action_id}: {exc}"
            self.message.value = error_html(message + " (kept here, not saved yet)")
            self.editor.binding.mark_invalid(key, message)
            return
        self.message.value = ""
        self.editor.binding.mark_invalid(key, None)
        self.editor.update_action(self, commit=True, due=due)

    def show_overdue(self, action: Action) -> None:
        """Highlight the row (border, class and words, not colour alone) when overdue."""
        today = self.editor.context.today()
        overdue = action.is_overdue(today)
        self.layout.border = _OVERDUE_BORDER if overdue else None
        (self.add_class if overdue else self.remove_class)("pmk-overdue")
        self.badge.value = (
            f"<b style='color:#b00020'>⚠ Overdue: due {action.due.isoformat()}, "
            f"still {html.escape(action.status)}</b>"
            if overdue
            else ""
        )


class ActionsEditor(SectionEditor):
    """Section 4: corrective and preventive actions."""

    heading = "Corrective and preventive actions"

    def build(self) -> list[widgets.Widget]:
        self.rows: list[ActionRow] = []
        self.rows_box = widgets.VBox(layout=wide())
        self.new_description = widgets.Text(
            description="New action",
            placeholder="what will be done",
            style=_LABELS,
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.new_type = widgets.Dropdown(
            description="New action type", options=TYPES, value="prevent", style=_LABELS
        )
        self.new_owner = widgets.Text(description="New action owner", style=_LABELS)
        self.new_due = widgets.Text(
            description="New action due",
            placeholder="YYYY-MM-DD",
            style=_LABELS,
            layout=widgets.Layout(width="16em"),
        )
        self.new_priority = widgets.Dropdown(
            description="New action priority", options=PRIORITIES, value=None, style=_LABELS
        )
        self.add_button = widgets.Button(
            description="Add action", icon="plus", button_style="primary"
        )
        self.add_message = widgets.HTML()
        self.csv_button = widgets.Button(
            description="Export CSV for Jira", icon="download", layout=widgets.Layout(width="auto")
        )
        self.json_button = widgets.Button(
            description="Export JSON", icon="download", layout=widgets.Layout(width="auto")
        )
        self.export_message = widgets.HTML()
        self.add_button.on_click(self._add)
        self.csv_button.on_click(lambda _: self.export("csv"))
        self.json_button.on_click(lambda _: self.export("json"))
        self.render_rows()
        return [
            self.rows_box,
            widgets.HTML("<h4 style='margin:0.4em 0'>Add an action</h4>"),
            widgets.HBox([self.new_description, self.add_button], layout=wide()),
            widgets.HBox([self.new_type, self.new_priority, self.new_due]),
            self.new_owner,
            self.add_message,
            widgets.HBox([self.csv_button, self.json_button, self.export_message]),
        ]

    def render_rows(self) -> None:
        """Rebuild the rows from the report."""
        for row in self.rows:
            row.close()
        self._actions = list(self.binding.report.actions)
        self.rows = [ActionRow(self, a) for a in self._actions]
        self.rows_box.children = self.rows
        for key in [k for k in self.binding.invalid if k.startswith("actions[")]:
            self.binding.mark_invalid(key, None)

    def refresh(self, *, force: bool = False, origin: object = None) -> None:
        super().refresh(force=force, origin=origin)
        if force or list(self.binding.report.actions) != self._actions:
            self.render_rows()

    def update_action(self, row: ActionRow, *, commit: bool = False, **changes) -> None:
        """Apply an edit of one action (found by id)."""
        actions = list(self._actions)
        index = next(i for i, a in enumerate(actions) if a.id == row.action_id)
        action = Action.model_validate({**actions[index].model_dump(), **changes})
        actions[index] = action
        self._actions = actions
        self.binding.set(("actions",), actions, origin=self, commit=commit)
        row.show_overdue(action)

    def delete_action(self, row: ActionRow) -> None:
        """Delete one action."""
        actions = [a for a in self._actions if a.id != row.action_id]
        self._actions = actions
        self.binding.set(("actions",), actions, origin=self, commit=True)
        self.render_rows()

    def _add(self, _button=None) -> None:
        try:
            if not self.new_description.value.strip():
                raise ValueError("type what will be done")
            due = parse_date(self.new_due.value)
        except ValueError as exc:
            self.add_message.value = error_html(f"New action: {exc}")
            return
        action = Action(
            id=next_action_id([a.id for a in self._actions]),
            description=self.new_description.value.strip(),
            type=self.new_type.value,
            owner=self.new_owner.value.strip(),
            due=due,
            priority=self.new_priority.value,
        )
        self._actions = [*self._actions, action]
        self.binding.set(("actions",), self._actions, origin=self, commit=True)
        self.render_rows()
        for control in (self.new_description, self.new_owner, self.new_due):
            control.value = ""
        self.add_message.value = html.escape(f"Added action {action.id}.")

    def export(self, kind: str) -> None:
        """Write the actions next to the report (``csv`` for Jira or ``json``)."""
        self.binding.flush()
        report = self.binding.report
        try:
            if kind == "csv":
                path = export_actions_csv(self.binding.file, report=report)
            else:
                path = export_actions_json(
                    self.binding.file, report=report, today=self.context.today()
                )
        except OSError as exc:
            self.export_message.value = error_html(f"Cannot write the export: {exc}")
            return
        self.export_message.value = f"Wrote <code>{html.escape(str(path))}</code>"
