"""Kubernetes audit logs (``audit.k8s.io/v1`` events, one JSON object a line, as the API
server's log backend writes them): who did what to which object, and what the API server
answered. In a postmortem they say who scaled, deleted or edited what, and when.

Each line is one stage of one request (``RequestReceived``, ``ResponseStarted``,
``ResponseComplete``, ``Panic``): every line is a row, its stage said in the message unless
it is the usual ``ResponseComplete``. The time is ``requestReceivedTimestamp`` (the same in
every stage of a request, so they sort together), else ``stageTimestamp``. The severity is
the answer's HTTP status (5xx error, 4xx warning); the message reads
``alice update deployments/checkout/scale in shop → 200``. Every field is kept under its
dotted name (``user.username``, ``objectRef.namespace``, ``responseStatus.code``, the
audit ``level``).
"""

from __future__ import annotations

import polars as pl

from postmortem_kit.ingest.columns import severity_from_http_status

#: The keys :func:`.structured.normalise_records` maps: only the times (the audit ``level``
#: is how much was recorded, not a severity, and there is no message key).
KEYS: dict[str, tuple[str, ...]] = {
    "timestamp": ("requestReceivedTimestamp", "stageTimestamp"),
}


def is_audit(keys: set[str]) -> bool:
    """Whether a record's (flattened) keys are a Kubernetes audit event's."""
    return {"auditID", "verb", "stage"} <= keys


def _text(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String) if name in frame.columns else pl.lit(None, pl.String)


def derive_audit(frame: pl.DataFrame) -> pl.DataFrame:
    """Message and severity of audit events (see the module)."""
    col = lambda name: _text(frame, name)  # noqa: E731
    target = pl.concat_str(
        [col("objectRef.resource"), col("objectRef.name"), col("objectRef.subresource")],
        separator="/",
        ignore_nulls=True,
    )
    target = pl.when(col("objectRef.resource").is_not_null()).then(target)
    place = pl.when(col("objectRef.namespace").is_not_null()).then(
        pl.concat_str([pl.lit("in"), col("objectRef.namespace")], separator=" ")
    )
    code = col("responseStatus.code")
    stage = pl.when(col("stage") != "ResponseComplete").then(pl.format("({})", col("stage")))
    message = pl.concat_str(
        [
            col("user.username"),
            col("verb"),
            pl.coalesce(target, col("requestURI")),
            place,
            pl.when(code.is_not_null()).then(pl.concat_str([pl.lit("→"), code], separator=" ")),
            stage,
        ],
        separator=" ",
        ignore_nulls=True,
    )
    status = code.cast(pl.Int64, strict=False)
    return frame.with_columns(message=message, severity=severity_from_http_status(status))
