"""AWS CloudTrail log files and ``aws cloudtrail lookup-events`` output as change events.
The records follow the shape AWS documents (userIdentity types, requestParameters,
errorCode); the expected descriptions and actors are written out by hand from the module's
rules, not produced by it."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from postmortem_kit.ingest.events import load_events
from postmortem_kit.ingest.events.cloudtrail import READ_ONLY

ROLE = {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/Admin/alice",
        "sessionContext": {"sessionIssuer": {"userName": "Admin"}}}  # fmt: skip
RECORDS = [
    {"eventTime": "2026-10-14T14:02:11Z", "eventSource": "ec2.amazonaws.com",
     "eventName": "RevokeSecurityGroupIngress", "awsRegion": "us-east-1", "readOnly": False,
     "userIdentity": ROLE, "requestParameters": {"groupId": "sg-0a1b2c3d"}, "eventID": "e1"},
    {"eventTime": "2026-10-14T14:01:00Z", "eventSource": "ec2.amazonaws.com",
     "eventName": "DescribeInstances", "awsRegion": "us-east-1", "readOnly": True,
     "userIdentity": ROLE, "eventID": "e2"},
    {"eventTime": "2026-10-14T14:05:30Z", "eventSource": "autoscaling.amazonaws.com",
     "eventName": "UpdateAutoScalingGroup", "awsRegion": "us-east-1", "readOnly": False,
     "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/bob",
                      "userName": "bob"},
     "requestParameters": {"autoScalingGroupName": "checkout-asg", "maxSize": 2},
     "eventID": "e3"},
    {"eventTime": "2026-10-14T14:06:00Z", "eventSource": "s3.amazonaws.com",
     "eventName": "PutBucketPolicy", "awsRegion": "eu-west-1", "readOnly": False,
     "userIdentity": ROLE, "requestParameters": {"bucketName": "shop-assets"},
     "errorCode": "AccessDenied", "errorMessage": "Access Denied", "eventID": "e4"},
    {"eventTime": "2026-10-14T14:07:00Z", "eventSource": "ec2.amazonaws.com",
     "eventName": "TerminateInstances", "awsRegion": "us-east-1", "readOnly": False,
     "userIdentity": {"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"},
     "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-1"},
                                                       {"instanceId": "i-2"}]}},
     "eventID": "e5"},
    {"eventTime": "2026-10-14T14:08:00Z", "eventSource": "signin.amazonaws.com",
     "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
     "userIdentity": {"type": "Root", "arn": "arn:aws:iam::123456789012:root"},
     "eventID": "e6"},
    {"eventSource": "iam.amazonaws.com", "eventName": "DeleteRole", "readOnly": False,
     "userIdentity": ROLE, "eventID": "e7"},  # no eventTime
]  # fmt: skip
EXPECTED = [  # in time order: (time, description, actor, severity, record id)
    ("2026-10-14T14:02:11Z", "AWS ec2 RevokeSecurityGroupIngress sg-0a1b2c3d in us-east-1",
     "assumed-role/Admin/alice", "", "e1"),
    ("2026-10-14T14:05:30Z", "AWS autoscaling UpdateAutoScalingGroup checkout-asg in us-east-1",
     "bob", "", "e3"),
    ("2026-10-14T14:06:00Z",
     "AWS s3 PutBucketPolicy shop-assets in eu-west-1 failed: AccessDenied (Access Denied)",
     "assumed-role/Admin/alice", "warning", "e4"),
    ("2026-10-14T14:07:00Z", "AWS ec2 TerminateInstances i-1,i-2 in us-east-1",
     "autoscaling.amazonaws.com", "", "e5"),
    ("2026-10-14T14:08:00Z", "AWS signin ConsoleLogin in us-east-1", "root", "", "e6"),
]  # fmt: skip


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        (t.isoformat().replace("+00:00", "Z"), d, a, s, r)
        for t, d, a, s, r in zip(frame["time"], frame["description"], frame["actor"],
                                 frame["severity"], frame["record_id"], strict=True)
    ]  # fmt: skip


@pytest.mark.parametrize("gzipped", [False, True], ids=["json", "json.gz"])
def test_a_cloudtrail_log_file(tmp_path, gzipped):
    text = json.dumps({"Records": RECORDS}, indent=1)
    name = "123456789012_CloudTrail_us-east-1_20261014T1405Z_abc.json"
    path = tmp_path / (name + (".gz" if gzipped else ""))
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    frame = load_events(path)
    assert _rows(frame) == [(*e[:3], e[3], e[4]) for e in EXPECTED]
    assert set(frame["kind"]) == {"change"} and set(frame["suggested_kind"]) == {"trigger"}
    report = frame.attrs["import_report"].inputs[0]
    assert report.format == "cloudtrail"
    assert report.records_read == 7 == report.records_imported + len(report.rejects)
    reasons = sorted(r.reason for r in report.rejects)
    assert reasons == sorted([READ_ONLY, "field 'eventTime' is missing or empty"])
    lines = text.splitlines()  # each reject names the line its record starts on
    for reject in report.rejects:
        assert lines[reject.line - 1].strip() == "{"
        assert lines[reject.line].strip().startswith(('"eventTime"', '"eventSource"'))


def test_lookup_events_output(tmp_path):
    full = RECORDS[0] | {"eventID": "L1"}
    events = [
        {"EventId": "L1", "EventName": full["eventName"], "ReadOnly": "false",
         "EventTime": "2026-10-14T14:02:11+00:00", "Username": "alice",
         "CloudTrailEvent": json.dumps(full)},
        {"EventId": "L2", "EventName": "DescribeVolumes", "ReadOnly": "true",
         "EventTime": 1791986000.0, "Username": "alice"},
        {"EventId": "L3", "EventName": "ModifyDBInstance", "EventTime": 1791987121.0,
         "EventSource": "rds.amazonaws.com", "Username": "carol",
         "Resources": [{"ResourceType": "AWS::RDS::DBInstance", "ResourceName": "orders-db"}]},
    ]  # fmt: skip
    path = tmp_path / "lookup.json"
    path.write_text(json.dumps({"Events": events}))
    frame = load_events(path)
    assert _rows(frame) == [
        ("2026-10-14T14:02:11Z", EXPECTED[0][1], "assumed-role/Admin/alice", "", "L1"),
        (pd.Timestamp(1791987121, unit="s", tz="UTC").isoformat().replace("+00:00", "Z"),
         "AWS rds ModifyDBInstance orders-db", "carol", "", "L3"),
    ]  # fmt: skip
    report = frame.attrs["import_report"].inputs[0]
    assert [r.reason for r in report.rejects] == [READ_ONLY]
