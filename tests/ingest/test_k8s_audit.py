"""Kubernetes audit logs (``ingest.k8saudit``): each event's message and severity are
worked out here from the event's own fields, as the module says it reads them."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from postmortem_kit.ingest import load_logs

T0 = dt.datetime(2026, 10, 14, 14, 7, 0, 123456, tzinfo=dt.UTC)


def _event(i: int) -> dict:
    t = T0 + dt.timedelta(seconds=i)
    event = {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": f"7e0cbccf-{i // 2}", "stage": "ResponseComplete",
        "requestURI": f"/apis/apps/v1/namespaces/shop/deployments/checkout-{i}/scale",
        "verb": ("update", "delete", "patch", "get")[i % 4],
        "user": {"username": ("alice", "system:serviceaccount:kube-system:hpa")[i % 2],
                 "groups": ["system:authenticated"]},
        "sourceIPs": [f"10.0.0.{i % 250}"], "userAgent": "kubectl/v1.31.0",
        "objectRef": {"resource": "deployments", "namespace": "shop",
                      "name": f"checkout-{i}", "apiGroup": "apps", "apiVersion": "v1",
                      "subresource": "scale"},
        "responseStatus": {"metadata": {}, "code": (200, 403, 500, 201)[i % 4]},
        "requestReceivedTimestamp": t.isoformat().replace("+00:00", "Z"),
        "stageTimestamp": (t + dt.timedelta(milliseconds=9)).isoformat().replace("+00:00", "Z"),
    }  # fmt: skip
    if i % 5 == 1:  # the first stage of a request: no answer yet
        event["stage"] = "RequestReceived"
        del event["responseStatus"]
    if i % 7 == 3:  # a non-resource URL: no object
        del event["objectRef"]
        event["requestURI"] = "/healthz"
    return event


def _expected(e: dict) -> tuple:
    ref = e.get("objectRef")
    if ref:
        what = "/".join(ref[k] for k in ("resource", "name", "subresource") if k in ref)
        what += f" in {ref['namespace']}"
    else:
        what = e["requestURI"]
    parts = [e["user"]["username"], e["verb"], what]
    code = e.get("responseStatus", {}).get("code")
    if code is not None:
        parts.append(f"→ {code}")
    if e["stage"] != "ResponseComplete":
        parts.append(f"({e['stage']})")
    severity = None if code is None else "error" if code >= 500 else (
        "warning" if code >= 400 else "info")  # fmt: skip
    return pd.Timestamp(e["requestReceivedTimestamp"]), " ".join(parts), severity


@pytest.mark.parametrize("chunk_bytes", [None, 4096], ids=["whole", "in blocks"])
def test_audit_events(tmp_path, chunk_bytes):
    events = [_event(i) for i in range(80)]
    path = tmp_path / "kube-apiserver-audit.log"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    frame = load_logs(path, chunk_bytes=chunk_bytes)
    report = frame.attrs["import_report"].files[0]
    assert report.format == "k8s-audit"
    assert report.lines_read == report.rows == 80
    severity = frame["severity"].astype(object).where(frame["severity"].notna(), None)
    got = list(zip(frame["timestamp"], frame["message"], severity, strict=True))
    assert got == [_expected(e) for e in events]
    assert frame["user.username"].iloc[1] == "system:serviceaccount:kube-system:hpa"
    assert frame["severity_raw"].isna().all()  # the audit level is no severity
    assert frame["level"].unique().tolist() == ["Metadata"]
    assert "no timestamp" not in str(frame.attrs["import_report"])
