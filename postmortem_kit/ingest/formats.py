"""The built-in log formats: one row each, in sniffing-tie order (specific before generic)."""

from __future__ import annotations

from postmortem_kit.ingest import (
    accessblock,
    cripartials,
    csvfile,
    journald,
    jsonblock,
    jsondoc,
    k8saudit,
    logfmt,
    proxylogs,
    structured,
    syslogblock,
    text,
    textblock,
    w3c,
)
from postmortem_kit.ingest.registry import LogFormat, register_format

_ISO_RULE = "ISO 8601 / RFC 3339 with its offset; without one, the source's tz= (UTC if none)"
_JSON_TIME = (
    "the first of @timestamp, timestamp, time, ts, … present: ISO 8601 text (offset kept, "
    "else tz=) or epoch seconds/ms/µs/ns by magnitude"
)

BUILTIN_FORMATS: tuple[LogFormat, ...] = (
    LogFormat(
        name="journald-json",
        aliases=("journald",),
        description="journalctl -o json export",
        sniff=structured.json_sniffer(lambda k: "__REALTIME_TIMESTAMP" in k, "journald JSON", 1.0),
        parse=structured.json_parser(
            decode=journald.decode_byte_arrays, decode_record=journald.decode_record
        ),
        wants_bytes=True,
        prepare=structured.prepare_json,
        read_block=journald.read_journald_block,
        block_bytes=jsonblock.BLOCK_BYTES,
        timestamp="_SOURCE_REALTIME_TIMESTAMP, else __REALTIME_TIMESTAMP: µs since the epoch (UTC)",
        example='{"__REALTIME_TIMESTAMP":"1534860261221373","_HOSTNAME":"web-1","PRIORITY":"3",'
        '"SYSLOG_IDENTIFIER":"api","_PID":"184","MESSAGE":"GPS fix lost"}',
        payload=True,
    ),
    LogFormat(
        name="docker-json",
        aliases=("docker", "json-file", "kubernetes"),
        description="Docker json-file / Kubernetes container log (/var/log/containers)",
        sniff=structured.json_sniffer(
            lambda k: {"log", "stream", "time"} <= k, "Docker json-file", 1.0
        ),
        parse=structured.json_parser(),
        wants_bytes=True,
        prepare=structured.prepare_json,
        read_block=jsonblock.read_json_block,
        block_bytes=jsonblock.BLOCK_BYTES,
        timestamp="time: RFC 3339 UTC with nanoseconds (the runtime's receive time)",
        example='{"log":"GET /health 200\\n","stream":"stdout",'
        '"time":"2019-04-01T17:58:33.598656444Z"}',
        payload=True,
        find_level=True,
    ),
    LogFormat(
        name="ecs-json",
        aliases=("ecs",),
        description="Elastic Common Schema JSON lines (@timestamp, log.level, message)",
        sniff=structured.json_sniffer(
            lambda k: (
                "@timestamp" in k and any(x.startswith(("log.", "ecs.", "service.")) for x in k)
            ),
            "ECS JSON",
            0.99,
        ),
        parse=structured.json_parser(),
        wants_bytes=True,
        prepare=structured.prepare_json,
        read_block=jsonblock.read_json_block,
        block_bytes=jsonblock.BLOCK_BYTES,
        timestamp="@timestamp: ISO 8601 with offset",
        example='{"@timestamp":"2026-10-14T14:07:00.120Z","log.level":"error",'
        '"message":"db timeout",'
        '"service.name":"checkout","trace.id":"4bf92f35"}',
    ),
    LogFormat(
        name="k8s-audit",
        aliases=("kubernetes-audit",),
        description="Kubernetes API server audit log (audit.k8s.io events as JSON lines): "
        "who did what to which object, and the answer",
        sniff=structured.json_sniffer(k8saudit.is_audit, "Kubernetes audit events", 1.0),
        parse=structured.json_parser(k8saudit.KEYS, (), derive=k8saudit.derive_audit),
        wants_bytes=True,
        prepare=structured.prepare_json,
        timestamp="requestReceivedTimestamp (else stageTimestamp): RFC 3339 UTC, microseconds",
        example='{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",'
        '"auditID":"7e0cbccf","stage":"ResponseComplete","requestURI":'
        '"/apis/apps/v1/namespaces/shop/deployments/checkout/scale","verb":"update",'
        '"user":{"username":"alice"},"objectRef":{"resource":"deployments","namespace":"shop",'
        '"name":"checkout","subresource":"scale"},"responseStatus":{"code":200},'
        '"requestReceivedTimestamp":"2026-10-14T14:07:00.123456Z"}',
    ),
    LogFormat(
        name="json",
        aliases=("jsonl", "ndjson", "json-lines"),
        description="JSON lines: one object per line; common field names mapped, "
        "mapping= to override",
        sniff=structured.json_sniffer(lambda k: True, "JSON objects", 0.98),
        parse=structured.json_parser(),
        wants_bytes=True,
        prepare=structured.prepare_json,
        read_block=jsonblock.read_json_block,
        block_bytes=jsonblock.BLOCK_BYTES,
        timestamp=_JSON_TIME,
        example='{"ts":"2026-10-14T14:07:00Z","level":"warn","msg":"slow query","ms":812}',
    ),
    LogFormat(
        name="json-document",
        aliases=("cloudwatch", "gcloud"),
        description="one JSON document of records: aws logs filter-log-events, gcloud "
        "logging read --format=json, an Elasticsearch search response, any list of objects",
        sniff=jsondoc.sniff,
        parse=structured.json_parser(),
        timestamp=_JSON_TIME,
        example='{"events": [{"logStreamName": "checkout/abc", "timestamp": 1792073220123, '
        '"message": "ERROR charge failed"}]}',
        payload=True,
        find_level=True,
    ),
    LogFormat(
        name="combined",
        aliases=("nginx", "apache", "access", "nginx-combined", "apache-combined"),
        description="nginx/Apache access log, combined format (optional trailing fields)",
        sniff=text.regex_sniffer(text.COMBINED_LINE, "combined access log"),
        parse=text.parse_access,
        prepare=text.prepare_access,
        read_block=accessblock.read_access_block,
        one_core_blocks=True,
        block_bytes=accessblock.BLOCK_BYTES,
        timestamp="[dd/Mon/yyyy:HH:MM:SS ±hhmm]: the offset is in every line",
        example='203.0.113.9 - - [14/Oct/2026:14:07:00 +0000] "GET /api/orders HTTP/1.1" 502 173 '
        '"-" "curl/8.5.0"',
    ),
    LogFormat(
        name="common",
        aliases=("clf", "nginx-common", "apache-common"),
        description="nginx/Apache access log, common log format (no referrer/user agent)",
        sniff=text.regex_sniffer(text.COMMON_LINE, "common access log", 0.99),
        parse=text.parse_access,
        prepare=text.prepare_access,
        read_block=accessblock.read_access_block,
        one_core_blocks=True,
        block_bytes=accessblock.BLOCK_BYTES,
        timestamp="[dd/Mon/yyyy:HH:MM:SS ±hhmm]: the offset is in every line",
        example='203.0.113.9 - alice [14/Oct/2026:14:07:00 +0000] "POST /login HTTP/1.1" 200 512',
    ),
    LogFormat(
        name="envoy",
        aliases=("istio",),
        description='Envoy / Istio access log, default text layout ([START_TIME] "request" '
        "status flags …)",
        sniff=text.regex_sniffer(proxylogs.ENVOY_SNIFF, "Envoy access log"),
        parse=proxylogs.parse_envoy,
        prepare=proxylogs.prepare_envoy,
        timestamp="[yyyy-mm-ddTHH:MM:SS.fffZ]: START_TIME, UTC",
        example='[2026-10-14T14:07:00.123Z] "GET /api/orders HTTP/1.1" 503 UF 0 91 30012 - '
        '"10.0.0.1" "curl/8.5.0" "7f1c2d" "orders.svc" "10.0.0.2:8080"',
    ),
    LogFormat(
        name="aws-alb",
        aliases=("alb", "elb"),
        description="AWS Application (or Classic) Load Balancer access log",
        sniff=text.regex_sniffer(proxylogs.ALB_SNIFF, "AWS load balancer log"),
        parse=proxylogs.parse_alb,
        prepare=proxylogs.prepare_alb,
        timestamp="yyyy-mm-ddTHH:MM:SS.ffffffZ: when the response was sent, UTC",
        example="https 2026-10-14T14:07:00.123456Z app/shop/50dc6c 192.168.131.39:2817 - "
        '-1 -1 -1 502 - 34 366 "GET https://shop.example:443/api HTTP/1.1" "curl/8.5.0" '
        "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2",
    ),
    LogFormat(
        name="w3c",
        aliases=("iis", "w3c-extended", "cloudfront"),
        description="W3C extended log format: IIS access logs, CloudFront standard logs "
        "(#Fields directive, space- or tab-separated)",
        sniff=w3c.sniff_w3c,
        parse=w3c.parse_w3c,
        resume=w3c.fields_at,
        timestamp="date and time fields: UTC, as the format defines them (tz= does not apply)",
        example="#Fields: date time cs-method cs-uri-stem sc-status time-taken\n"
        "2026-10-14 14:07:00 GET /api/orders 502 30012",
    ),
    LogFormat(
        name="cri",
        aliases=("containerd", "cri-o"),
        description="CRI container log (containerd, CRI-O): time stream tag message",
        sniff=text.regex_sniffer(text.CRI, "CRI container log"),
        parse=text.parse_cri,
        prepare=text.prepare_cri,
        finish=cripartials.join_partials,
        timestamp=_ISO_RULE,
        example="2026-10-14T14:07:00.123456789Z stderr F panic: runtime error",
        payload=True,
        find_level=True,
    ),
    LogFormat(
        name="syslog-rfc5424",
        aliases=("rfc5424",),
        description="RFC 5424 syslog (<PRI>1 TIME HOST APP PROCID MSGID [SD] MSG; PRI optional)",
        sniff=text.regex_sniffer(text.RFC5424, "RFC 5424 syslog"),
        parse=text.parse_rfc5424,
        prepare=text.prepare_rfc5424,
        timestamp=_ISO_RULE,
        example='<165>1 2026-10-14T14:07:00.003Z web-1 api 811 ID47 [req@1 id="7"] '
        "upstream timeout",
        payload=True,
    ),
    LogFormat(
        name="syslog-rfc3164",
        aliases=("syslog", "rfc3164", "bsd-syslog"),
        description="BSD syslog (RFC 3164, or with an ISO 8601 time): TIME HOST PROGRAM[PID]: MSG",
        sniff=text.regex_sniffer(text.RFC3164_SNIFF, "BSD syslog"),
        parse=text.parse_rfc3164,
        prepare=text.prepare_rfc3164,
        read_block=syslogblock.read_syslog_block,
        one_core_blocks=True,
        timestamp="Mmm dd HH:MM:SS has no year: year= (the first line's), else the file's date, "
        "with a rollover at New Year; read in tz= (UTC if none). ISO times keep their offset",
        example="Oct 14 14:07:00 web-1 sshd[811]: Failed password for root from 203.0.113.9",
        payload=True,
    ),
    LogFormat(
        name="postgresql",
        aliases=("postgres",),
        description="PostgreSQL server log (log_line_prefix '%m [%p] ' or '%t [%p-%l] %q%u@%d ')",
        sniff=text.regex_sniffer(text.POSTGRES, "PostgreSQL log"),
        parse=text.parse_postgres,
        prepare=text.prepare_postgres,
        timestamp="yyyy-mm-dd HH:MM:SS[.fff] ZONE: the zone abbreviation (EST, PDT, …) or offset",
        example="2026-10-14 14:07:00.120 UTC [811] ERROR:  deadlock detected",
        multiline=True,
    ),
    LogFormat(
        name="apache-error",
        description="Apache httpd error log",
        sniff=text.regex_sniffer(text.APACHE_ERROR, "Apache error log"),
        parse=text.parse_apache_error,
        prepare=text.prepare_apache_error,
        timestamp="[Www Mmm dd HH:MM:SS[.ffffff] yyyy]: local time, read in tz= (UTC if none)",
        example="[Wed Oct 14 14:07:00.120 2026] [proxy:error] [pid 811] AH00957: connect failed",
        multiline=True,
    ),
    LogFormat(
        name="nginx-error",
        description="nginx error log",
        sniff=text.regex_sniffer(text.NGINX_ERROR, "nginx error log"),
        parse=text.parse_nginx_error,
        prepare=text.prepare_nginx_error,
        timestamp="yyyy/mm/dd HH:MM:SS: local time, read in tz= (UTC if none)",
        example="2026/10/14 14:07:00 [error] 811#811: *9 upstream timed out, client: 203.0.113.9",
        multiline=True,
    ),
    LogFormat(
        name="klog",
        aliases=("glog",),
        description="klog / glog: Kubernetes components (kubelet, apiserver, controllers), "
        "many Go and C++ servers (I1014 14:07:00.123456 1 file.go:12] msg)",
        sniff=text.regex_sniffer(text.KLOG, "klog"),
        parse=text.parse_klog,
        prepare=text.prepare_klog,
        timestamp="Lmmdd HH:MM:SS.ffffff has no year: year=, else the file's date, with a "
        "rollover at New Year; read in tz= (UTC if none: Kubernetes logs in UTC)",
        example="E1014 14:07:00.123456       1 controller.go:120] sync failed for shop/checkout",
        multiline=True,
    ),
    LogFormat(
        name="logfmt",
        description='logfmt key=value lines (time=… level=… msg="…")',
        sniff=logfmt.sniff_logfmt,
        parse=logfmt.parse_logfmt,
        prepare=logfmt.prepare_logfmt,
        read_block=logfmt.read_logfmt_block,
        one_core_blocks=True,
        timestamp=_JSON_TIME,
        example='time=2026-10-14T14:07:00Z level=error msg="payment declined" order=812',
    ),
    LogFormat(
        name="csv",
        aliases=("tsv",),
        description="CSV/TSV with a header and a time column (named time/timestamp/…, or sniffed)",
        sniff=csvfile.sniff_csv,
        parse=csvfile.parse_csv,
        read_block=csvfile.read_csv_block,
        block_bytes=csvfile.BLOCK_BYTES,
        timestamp="the time column: any style the text reader knows; tz= for naive times",
        example="timestamp,service,level,message\n2026-10-14 14:07:00,api,ERROR,db timeout",
        seekable=False,
    ),
    LogFormat(
        name="text",
        aliases=("generic",),
        description="Any timestamped text: finds the timestamp in each line (ISO 8601, "
        "'Jul  1 09:00:55', '14/10/2026 14:07:00' (day or month first), '03-17 16:13:38.811', "
        "'[10.30 16:49:06]', '20171223-22:15:29:606', "
        "epoch s/ms/µs, …); lines without one (stack traces) continue the event before",
        sniff=text.sniff_text,
        parse=text.parse_text,
        prime=text.prime_text,
        prepare=text.prepare_text,
        read_block=textblock.read_text_block,
        one_core_blocks=True,
        timestamp="the style found in the file's first lines; year-less styles use year= or the "
        "file date; naive times are read in tz= (UTC if none)",
        example="2026-10-14 14:07:00,120 ERROR [pool-3] OrderService: timeout after 30s",
        multiline=True,
        payload=True,
    ),
)

for _fmt in BUILTIN_FORMATS:
    register_format(_fmt)
