"""AWS CloudTrail: who changed what in an AWS account, and when. The log files CloudTrail
delivers to S3 (``{"Records": [...]}``, gzipped as delivered or not), and what ``aws
cloudtrail lookup-events`` prints (``{"Events": [...]}``, each with the full record as the
JSON text ``CloudTrailEvent``).

A call that changes something (``readOnly`` false: ``AuthorizeSecurityGroupIngress``,
``UpdateAutoScalingGroup``, ``PutBucketPolicy``) becomes a ``change`` event at
``eventTime``: ``AWS ec2 AuthorizeSecurityGroupIngress sg-0a1b in us-east-1``, its actor the
caller (``assumed-role/Admin/alice``, an IAM user's name, ``root``, or the AWS service that
called). A call that failed (``errorCode``, such as ``AccessDenied``) is still a change
event, a warning, with the error in its description. A read-only call (``Describe*``,
``Get*``, ``List*``: ``readOnly`` true, or a name that says so when the field is absent)
makes no event: it is counted among the rejects with that reason, so that every record is
accounted for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from postmortem_kit.ingest.events.context import ParseContext, require_object, text_field
from postmortem_kit.ingest.events.documents import Document
from postmortem_kit.ingest.events.model import Event, RecordError, one_line

#: Call names that read only, for a record without ``readOnly`` (lookup-events summaries).
_READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "Head", "Search", "Scan", "Query")
#: ``requestParameters`` keys that name the thing a call acts on, most telling first.
_TARGET_KEYS = (
    "groupId", "instanceId", "instancesSet", "autoScalingGroupName", "functionName",
    "bucketName", "dBInstanceIdentifier", "dBClusterIdentifier", "loadBalancerName",
    "loadBalancerArn", "targetGroupArn", "clusterName", "serviceName", "roleName",
    "userName", "policyArn", "keyId", "name", "hostedZoneId", "tableName", "queueUrl",
    "topicArn", "stackName",
)  # fmt: skip
READ_ONLY = "read-only API call: not a change"


def sniff(path: Path, document: Document | None) -> str | None:
    """Recognise a CloudTrail log file or a lookup-events response."""
    if document is None or not document.is_json:
        return None
    value = document.json()
    if not isinstance(value, dict):
        return None
    records = value.get("Records")
    if isinstance(records, list) and records and _is_record(records[0]):
        return "JSON object with a 'Records' list of CloudTrail records (eventTime, eventSource)"
    events = value.get("Events")
    first = events[0] if isinstance(events, list) and events else None
    if (
        isinstance(first, dict)
        and "EventName" in first
        and ("CloudTrailEvent" in first or "EventTime" in first)
    ):
        return "JSON object with an 'Events' list (aws cloudtrail lookup-events)"
    return None


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and "eventTime" in value and "eventSource" in value


def parse(path: Path, ctx: ParseContext) -> None:
    """Read every record of the file."""
    document = ctx.document(path)
    value = document.json()
    if isinstance(value, dict) and "Records" in value:
        ctx.convert(path, document.items("Records"), lambda r: [_record_event(r, ctx)])
    else:
        ctx.convert(path, document.items("Events"), lambda e: [_lookup_event(e, ctx)])


def _lookup_event(entry: Any, ctx: ParseContext) -> Event:
    """An ``Events`` entry of lookup-events: its ``CloudTrailEvent`` when it has one."""
    entry = require_object(entry, "a lookup-events entry")
    full = entry.get("CloudTrailEvent")
    if isinstance(full, str) and full.strip():
        try:
            record = json.loads(full)
        except ValueError as exc:
            raise RecordError(f"field 'CloudTrailEvent' is not JSON: {exc.msg}") from None
        return _record_event(record, ctx)
    read_only = str(entry.get("ReadOnly", "")).lower()
    record = {
        "eventTime": entry.get("EventTime"),
        "eventName": entry.get("EventName"),
        "eventSource": entry.get("EventSource", ""),
        "eventID": entry.get("EventId", ""),
        "readOnly": {"true": True, "false": False}.get(read_only),
        "userIdentity": {"userName": entry.get("Username", "")},
        "resources": [
            {"ARN": r.get("ResourceName", "")}
            for r in entry.get("Resources") or []
            if isinstance(r, dict)
        ],
    }
    return _record_event(record, ctx)


def _record_event(record: Any, ctx: ParseContext) -> Event:
    record = require_object(record, "a CloudTrail record")
    name = text_field(record, "eventName")
    if not name:
        raise RecordError("field 'eventName' is missing or empty")
    read_only = record.get("readOnly")
    if read_only is True or (read_only is None and name.startswith(_READ_PREFIXES)):
        raise RecordError(READ_ONLY)
    time = ctx.time.parse(record.get("eventTime"), "eventTime")
    service = text_field(record, "eventSource").removesuffix(".amazonaws.com")
    parts = ["AWS", service, name, _target(record)]
    region = text_field(record, "awsRegion")
    if region:
        parts.append(f"in {region}")
    error = text_field(record, "errorCode")
    description = " ".join(p for p in parts if p)
    if error:
        message = text_field(record, "errorMessage")
        description += f" failed: {error}" + (f" ({message})" if message else "")
    return Event(
        time=time,
        kind="change",
        description=one_line(description),
        actor=_caller(record),
        severity="warning" if error else "",
        record_id=text_field(record, "eventID"),
    )


def _target(record: dict[str, Any]) -> str:
    """What the call acted on: a known request parameter, else the first resource."""
    params = record.get("requestParameters")
    if isinstance(params, dict):
        for key in _TARGET_KEYS:
            value = params.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict):  # instancesSet: {"items": [{"instanceId": …}]}
                ids = [i.get("instanceId") for i in value.get("items", []) if isinstance(i, dict)]
                if ids and all(isinstance(i, str) for i in ids):
                    return ",".join(ids)
    resources = record.get("resources")
    if isinstance(resources, list) and resources and isinstance(resources[0], dict):
        return text_field(resources[0], "ARN")
    return ""


def _caller(record: dict[str, Any]) -> str:
    """Who made the call: the session or user in the caller's ARN, ``root``, a user name,
    or the AWS service that called."""
    kind = text_field(record, "userIdentity", "type")
    arn = text_field(record, "userIdentity", "arn")
    if kind == "Root":
        return "root"
    if arn:
        tail = arn.split(":", 5)[-1]  # assumed-role/Admin/alice, user/bob
        return tail.removeprefix("user/")
    return (
        text_field(record, "userIdentity", "userName")
        or text_field(record, "userIdentity", "invokedBy")
        or text_field(record, "sourceIPAddress")
        or "AWS"
    )
