"""Generate the sample incident INC-2041 ("Harbor & Pine" checkout outage) into data/INC-2041/.

Run from the repository root::

    .venv/bin/python data/generate_sample.py            # writes data/INC-2041/
    .venv/bin/python data/generate_sample.py --out /tmp/x --seed 2041

The output is fully determined by the seed (default 2041): the same seed gives the same bytes
(the gzip stream of the access log may differ between zlib builds; its content does not).
Only the standard library and numpy are used; every random draw comes from numpy's PCG64
``Generator.random()`` through :class:`Rng`, so the stream does not depend on numpy's
non-uniform samplers.

The story (all times UTC, Wednesday 2026-10-14; the evidence covers 13:00:00-16:00:00)
--------------------------------------------------------------------------------------
Harbor & Pine is a small online shop. Browsers talk to the *storefront* nginx, which serves
static assets and the catalogue itself and proxies ``/cart``, ``/checkout``, ``/api/cart`` and
``/api/orders`` to *checkout-api* (three pods on the Kubernetes nodes node-a and node-b). The
checkout-api talks to *postgres* on db-1 through a SQLAlchemy QueuePool (``max_overflow=0``,
``pool_timeout=3``, ``pool_recycle=180``); lb-1 (HAProxy) sits in front and health-checks the
storefront every 5 s.

* 13:15 CHG-8807 deploys storefront v2.31.0. Harmless: only the hashed CSS/JS asset names
  change (returning browsers fetch the new files once); nothing else moves.
* 14:00 the "Autumn sale" newsletter goes out. Sessions with ``utm_source=newsletter`` rise
  over the next 25 minutes, and those visitors buy three times as often as others, so the
  load on checkout-api roughly doubles on top of the normal late-morning ramp in the US.
* 14:02:11 CHG-8812 by mkowalski pushes ``db.pool.max_size 50 -> 5`` to checkout-api. The
  value was meant for staging; the config template resolved it for production too.
  config-agent writes /etc/checkout/db.yaml on node-a and node-b, the pods log
  "config reloaded" with the diff and dispose their pools (postgres logs a burst of
  disconnections; afterwards far fewer connections churn).
* ~14:07:00 (impact start) demand for connections passes 5 per pod. Requests wait up to
  3 s for a connection and then fail with SQLAlchemy's ``QueuePool limit of size 5 overflow 0
  reached, connection timed out, timeout 3.00``. checkout-api answers 502; requests that
  also queued in gunicorn hit nginx's 5 s proxy_read_timeout and become 504. 30-45 % of
  requests to the four checkout paths fail; other pages get slightly slower (the storefront
  renders a mini-cart via checkout-api with a 300 ms budget). db_connections_in_use pegs at 5.
  Failed order submissions whose payment was already authorised are spooled for replay.
* 14:09:00 DBConnectionPoolSaturated (warning, Slack only) fires for each pod;
  14:10:30 CheckoutLatencyHigh (warning; inhibited once the critical alert fires);
  14:12:30 CheckoutHighErrorRate (critical) pages the on-call: *detected*. The alert times
  are evaluated from the simulated requests (30 s evaluation, [5m] windows).
* 14:14 sre-bot opens #inc-2041; dchen takes incident command; 14:16:00 priya acknowledges.
  They rule out the storefront deploy and the database, notice the pool gauge at 5, and at
  14:29 mkowalski confirms CHG-8812. 14:34 decision to roll back.
* 14:36:40 CHG-8813 (``db.pool.max_size 5 -> 50``) is applied; queued requests drain and the
  last pool timeout is logged just before 14:38. 14:41 *mitigated* (error ratio under 1 %).
  Alerts resolve 14:42-14:46 (``keep_firing_for``). The order-spool replay worker, in
  exponential backoff during the incident, replays the spooled orders a few minutes later
  (skipping those the customers completed themselves by retrying); PSP reconciliation shows no
  unmatched authorisations from then on, and after spot checks the incident is *resolved* at
  15:05.

The number of affected users is *derived* from the access log: unique client addresses with
at least one 5xx on a checkout path between 14:07:00 and 14:41:00 UTC.

Timezones (on purpose, each source writes time the way its system does)
-----------------------------------------------------------------------
* evidence/access.log.gz - nginx ``$time_local`` in America/New_York with offset (EDT, -0400);
  the time is when the request *finished* (nginx logs on completion), lines in that order.
* evidence/checkout-api.jsonl - UTC, ISO 8601 with milliseconds and ``Z``; ``trace_id`` is a
  64-bit B3 id (16 hex digits), ``null`` on background lines.
* evidence/syslog - RFC 3164, Europe/Berlin local time (CEST, UTC+2), no year, no offset.
  The kubelet lines embed klog headers in the same local time.
* evidence/deploys.json - ISO 8601 with ``+02:00`` (the change system runs in Berlin).
* evidence/alerts.json - Alertmanager API v2, UTC RFC 3339 with ``Z``.
* evidence/slack/ - Slack export: epoch seconds (``ts``), UTC by definition.
* evidence/metrics.csv - UTC with ``Z``, 15 s step; a row covers [timestamp, timestamp+15 s).
  The storefront HTTP metrics are computed from exactly the requests in access.log.gz
  (bucketed by their logged completion second).
"""

from __future__ import annotations

import argparse
import base64
import bisect
import calendar
import gzip
import hashlib
import json
import math
import pathlib
import shutil
import time

import numpy as np

SEED = 2041
INCIDENT = "INC-2041"

# ---------------------------------------------------------------------------------------------
# Time axis: seconds relative to T0 = 2026-10-14 13:00:00 UTC.
# ---------------------------------------------------------------------------------------------
T0_EPOCH = calendar.timegm((2026, 10, 14, 13, 0, 0, 0, 0, 0))
SPAN = 3 * 3600
WARMUP = 1800  # simulate sessions from 12:30 so that 13:00 is not an empty shop
NY_OFFSET_H = -4  # America/New_York on 2026-10-14 (EDT; DST ends 2026-11-01)
BERLIN_OFFSET_H = 2  # Europe/Berlin on 2026-10-14 (CEST; DST ends 2026-10-25)


def hms(h: int, m: int, s: float = 0) -> float:
    """UTC wall time on 2026-10-14 as seconds relative to 13:00:00."""
    return (h - 13) * 3600 + m * 60 + s


T_DEPLOY_SF = hms(13, 15, 0)
T_NEWSLETTER = hms(14, 0, 0)
T_CHG8812 = hms(14, 2, 11)
T_IMPACT = hms(14, 7, 0)
T_ALERT_POOL = hms(14, 9, 0)
T_ALERT_LAT = hms(14, 10, 30)
T_PAGE = hms(14, 12, 30)
T_CHANNEL = hms(14, 14, 5)
T_ACK = hms(14, 16, 0)
T_SUSPECT = hms(14, 29, 0)
T_DECIDE = hms(14, 34, 0)
T_ROLLBACK = hms(14, 36, 40)
T_DRAIN_QUEUE = 75.0  # seconds after the rollback until the last queued request times out
T_MITIGATED = hms(14, 41, 0)
T_RESOLVED = hms(15, 5, 0)

POOL_BIG, POOL_SMALL = 50, 5
HOST = "shop.harborpine.example"
SITE = "https://" + HOST

PODS = (
    ("checkout-api-6f7c9-x2k4p", "10.244.1.17", "node-a"),
    ("checkout-api-6f7c9-m7q2z", "10.244.1.23", "node-a"),
    ("checkout-api-6f7c9-tr8wn", "10.244.2.9", "node-b"),
)
LB_IP = "10.40.0.11"
CHECKOUT_PREFIXES = ("/checkout", "/cart", "/api/cart", "/api/orders")


def pool_size_at(t: float) -> int:
    return POOL_SMALL if T_CHG8812 <= t < T_ROLLBACK else POOL_BIG


# ---------------------------------------------------------------------------------------------
# Randomness
# ---------------------------------------------------------------------------------------------
class Rng:
    """Buffered uniforms from one PCG64 stream plus small samplers built on them."""

    __slots__ = ("_gen", "_it")

    def __init__(self, seed: int, stream: int):
        self._gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream])))
        self._it = iter(())

    def u(self) -> float:
        """The next uniform in [0, 1), drawn from the stream in blocks of 65536."""
        try:
            return next(self._it)
        except StopIteration:
            self._it = iter(self._gen.random(65536).tolist())
            return next(self._it)

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.u()

    def expo(self, mean: float) -> float:
        return -mean * math.log(1.0 - self.u())

    def normal(self) -> float:
        u1 = self.u()
        u2 = self.u()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    def lognorm(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * self.normal())

    def pick(self, seq):
        return seq[int(self.u() * len(seq))]

    def wpick(self, items, cum):
        return items[bisect.bisect_right(cum, self.u() * cum[-1])]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.u() * (b - a + 1))

    def chance(self, p: float) -> bool:
        return self.u() < p

    def hex(self, n: int) -> str:
        out = []
        while n > 0:
            k = min(8, n)
            out.append(f"{int(self.u() * (1 << (4 * k))):0{k}x}")
            n -= k
        return "".join(out)


def cumulative(weights) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


# ---------------------------------------------------------------------------------------------
# Time formatting
# ---------------------------------------------------------------------------------------------
def _clock(sec: int, offset_h: int) -> tuple[int, int, int]:
    total = 13 * 3600 + sec + offset_h * 3600
    return total // 3600, (total // 60) % 60, total % 60


def nginx_time(sec: int) -> str:
    h, m, s = _clock(sec, NY_OFFSET_H)
    return f"14/Oct/2026:{h:02d}:{m:02d}:{s:02d} -0400"


def syslog_time(sec: int) -> str:
    h, m, s = _clock(sec, BERLIN_OFFSET_H)
    return f"Oct 14 {h:02d}:{m:02d}:{s:02d}"


def iso_z(t: float, ms: bool = True) -> str:
    msec = int(math.floor(t * 1000.0 + 1e-6))
    sec, frac = divmod(msec, 1000)
    if -13 * 3600 <= sec < 11 * 3600:
        h, m, s = _clock(sec, 0)
        day = "2026-10-14"
    else:  # outside the incident day (e.g. a long-running alert)
        y, mo, d, h, m, s = time.gmtime(T0_EPOCH + sec)[:6]
        day = f"{y:04d}-{mo:02d}-{d:02d}"
    if ms:
        return f"{day}T{h:02d}:{m:02d}:{s:02d}.{frac:03d}Z"
    return f"{day}T{h:02d}:{m:02d}:{s:02d}Z"


def iso_offset(t: float, offset_h: int) -> str:
    h, m, s = _clock(int(t), offset_h)
    sign = "+" if offset_h >= 0 else "-"
    return f"2026-10-14T{h:02d}:{m:02d}:{s:02d}{sign}{abs(offset_h):02d}:00"


def iso_utc(t: float) -> str:
    """Second-precision ISO 8601 with +00:00 (the report's convention)."""
    return iso_offset(t, 0)


def hm(t: float) -> str:
    h, m, s = _clock(int(t), 0)
    return f"{h:02d}:{m:02d}"


def hms_str(t: float) -> str:
    h, m, s = _clock(int(t), 0)
    return f"{h:02d}:{m:02d}:{s:02d}"


# ---------------------------------------------------------------------------------------------
# Load profile: sessions per second, connection demand, failure probability
# ---------------------------------------------------------------------------------------------
NEWS_PEAK_MIN = 25.0
NEWS_AMPLITUDE = 0.45
NEWS_BUYER_FACTOR = 3.0


def newsletter_shape(x_min: float) -> float:
    """Relative newsletter traffic x minutes after sending: fast rise, ~45 min decay."""
    if x_min <= 0:
        return 0.0
    k = NEWS_PEAK_MIN
    if x_min <= k:
        r = x_min / k
        return r**1.8 * math.exp(1.8 * (1.0 - r))
    return math.exp(-(x_min - k) / 45.0)


class Profile:
    """Per-second arrays over [-WARMUP, SPAN + 600)."""

    def __init__(self, rng: Rng):
        n = WARMUP + SPAN + 600
        self.offset = WARMUP
        t = np.arange(n, dtype=float) - WARMUP
        base = 1.0 + 0.45 * (t / SPAN)
        news = np.array([NEWS_AMPLITUDE * newsletter_shape((x - T_NEWSLETTER) / 60.0) for x in t])
        # per-minute AR(1) noise on the session rate (log scale), linearly interpolated
        n_min = n // 60 + 2
        z = np.empty(n_min)
        z[0] = 0.0
        for i in range(1, n_min):
            z[i] = 0.7 * z[i - 1] + 0.055 * rng.normal()
        noise = np.interp(np.arange(n) / 60.0, np.arange(n_min), z)
        self.base = base
        self.news = news
        self.rate = base * (1.0 + news) * np.exp(noise)  # relative session rate
        # demand for DB connections per pod, in "busy connections" (max over pods)
        n_q = n // 15 + 2
        zq = np.empty(n_q)
        zq[0] = 0.0
        for i in range(1, n_q):
            zq[i] = 0.6 * zq[i - 1] + 0.03 * rng.normal()
        dnoise = np.interp(np.arange(n) / 15.0, np.arange(n_q), zq)
        raw = base * (1.0 + NEWS_BUYER_FACTOR * news) * np.exp(0.5 * noise + dnoise)
        i0 = int(T_IMPACT) + WARMUP
        ref = float(np.mean((base * (1.0 + NEWS_BUYER_FACTOR * news))[i0 - 15 : i0 + 15]))
        self.demand = raw * (5.0 / ref)
        # probability that a checkout-api request fails with a pool timeout
        p = np.zeros(n)
        for i in range(n):
            x = i - WARMUP
            if T_IMPACT <= x < T_ROLLBACK:
                p[i] = min(0.44, max(0.0, 1.0 - 5.0 / self.demand[i]))
        last = p[int(T_ROLLBACK) - 1 + WARMUP]
        for i in range(int(T_ROLLBACK), int(T_ROLLBACK + T_DRAIN_QUEUE)):
            p[i + WARMUP] = last * (1.0 - (i - T_ROLLBACK) / T_DRAIN_QUEUE)
        self.p_fail = p

    def at(self, arr, t: float) -> float:
        i = int(t) + self.offset
        if i < 0:
            i = 0
        elif i >= len(arr):
            i = len(arr) - 1
        return float(arr[i])


# ---------------------------------------------------------------------------------------------
# Catalogue, clients, user agents
# ---------------------------------------------------------------------------------------------
ADJ = [
    "harbor",
    "pine",
    "cedar",
    "driftwood",
    "fjord",
    "saltmarsh",
    "birch",
    "alder",
    "slate",
    "juniper",
    "moss",
    "tidewater",
    "boreal",
    "willow",
    "granite",
    "heron",
    "larch",
    "rowan",
]
NOUN = [
    "wool-throw",
    "linen-napkins",
    "enamel-mug",
    "cutting-board",
    "soy-candle",
    "storm-lantern",
    "field-blanket",
    "stoneware-bowl",
    "canvas-tote",
    "beeswax-wraps",
    "oak-serving-tray",
    "flannel-shirt",
    "rain-jacket",
    "knit-beanie",
    "tea-towel-set",
    "pour-over-kettle",
    "camp-stool",
    "wax-cotton-apron",
    "pillar-candle",
    "bread-knife",
]
CATEGORIES = [
    "candles",
    "textiles",
    "kitchen",
    "tableware",
    "outdoor",
    "apparel",
    "lighting",
    "gifts",
    "sale",
    "new-arrivals",
]
SEARCHES = [
    "wool blanket",
    "candle",
    "mug",
    "lantern",
    "gift card",
    "cutting board",
    "linen",
    "apron",
    "beanie",
    "throw",
    "kettle",
    "rain jacket",
    "tote",
    "bowl",
    "sale",
    "cedar",
    "napkins",
    "tea towel",
    "stool",
    "flannel",
    "beeswax",
    "bread knife",
    "christmas",
    "halloween candle",
    "wool socks",
    "oak tray",
    "blanket grey",
]
RETIRED = [
    "harbor-summer-hammock",
    "pine-picnic-basket-2024",
    "slate-coaster-set-old",
    "birch-beach-towel",
    "fjord-sun-hat",
    "alder-citronella-candle",
]

UA_BROWSERS = [
    (
        0.24,
        "desktop",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{c}.0.0.0 Safari/537.36",
    ),
    (
        0.09,
        "desktop",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{c}.0.0.0 Safari/537.36",
    ),
    (
        0.08,
        "desktop",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/{s}.0 Safari/605.1.15",
    ),
    (
        0.21,
        "mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/{s}.0 Mobile/15E148 Safari/604.1",
    ),
    (
        0.03,
        "mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.7 Mobile/15E148 Safari/604.1",
    ),
    (
        0.16,
        "mobile",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{c}.0.0.0 Mobile Safari/537.36",
    ),
    (
        0.03,
        "mobile",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/29.0 Chrome/{c2}.0.0.0 Mobile Safari/537.36",
    ),
    (
        0.05,
        "desktop",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0",
    ),
    (0.01, "desktop", "Mozilla/5.0 (X11; Linux x86_64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0"),
    (
        0.06,
        "desktop",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{c}.0.0.0 Safari/537.36 Edg/{c}.0.0.0",
    ),
    (
        0.02,
        "mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Mobile/15E148 Instagram 402.0.0.36.95 (iPhone15,3; iOS 18_6; en_US; en; "
        "scale=3.00; 1290x2796; 744215912)",
    ),
    (
        0.02,
        "mobile",
        "Mozilla/5.0 (Linux; Android 15; Pixel 8 Build/AP4A.250105.002; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/{c}.0.0.0 Mobile Safari/537.36 "
        "[FB_IAB/FB4A;FBAV/498.0.0.49.108;]",
    ),
]
UA_GOOGLEBOT = (
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/154.0.7412.96 Mobile Safari/537.36 (compatible; "
    "Googlebot/2.1; +http://www.google.com/bot.html)"
)
UA_GOOGLEBOT_DESKTOP = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
UA_GOOGLE_IMAGE = "Googlebot-Image/1.0"
UA_BING = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
    "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"
)
UA_AHREFS = "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"
UA_GPTBOT = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot)"
)
UA_META = (
    "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)"
)
UA_APPLEBOT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Safari/605.1.15 (Applebot/0.1; "
    "+http://www.apple.com/go/applebot)"
)
UA_UPTIME = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"
UA_SCANNERS = [
    "python-requests/2.32.3",
    "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
    "Go-http-client/1.1",
]
UA_SLACKBOT = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
UA_HEALTH = "haproxy-healthcheck (lb-1)"

SCAN_PATHS = [
    ("/.env", 404),
    ("/wp-login.php", 404),
    ("/wp-admin/setup-config.php", 404),
    ("/.git/config", 404),
    ("/xmlrpc.php", 404),
    ("/phpmyadmin/", 404),
    ("/admin/.env", 404),
    ("/config.json", 404),
    ("/server-status", 403),
    ("/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", 404),
    ("/.aws/credentials", 404),
    ("/actuator/health", 404),
    ("/backup.zip", 404),
    ("/api/.env", 404),
    ("/.DS_Store", 404),
]


def nginx_error_body(code: int, reason: str) -> int:
    """Size of nginx's built-in error page (server_tokens on, nginx/1.24.0)."""
    crlf = "\r\n"
    head = (
        f"<html>{crlf}<head><title>{code} {reason}</title></head>{crlf}<body>{crlf}"
        f"<center><h1>{code} {reason}</h1></center>{crlf}"
    )
    tail = f"<hr><center>nginx/1.24.0</center>{crlf}</body>{crlf}</html>{crlf}"
    return len(head) + len(tail)


BODY_404_NGINX = nginx_error_body(404, "Not Found")
BODY_403_NGINX = nginx_error_body(403, "Forbidden")
BODY_301_NGINX = nginx_error_body(301, "Moved Permanently")
BODY_504_NGINX = nginx_error_body(504, "Gateway Time-out")
BODY_50X_PAGE = 1843  # /errors/50x.html served for HTML locations via error_page
BODY_502_JSON = 118  # checkout-api's JSON error body


class Catalogue:
    def __init__(self, rng: Rng):
        combos = [f"{a}-{n}" for a in ADJ for n in NOUN]
        slugs = []
        while len(slugs) < 140:
            s = rng.pick(combos)
            if s not in slugs:
                slugs.append(s)
        self.products = slugs
        self.featured = slugs[:6]
        w = [1.0 / (i + 3) ** 0.9 for i in range(len(slugs))]
        self.prod_cum = cumulative(w)
        self.img_main = {s: rng.randint(58_000, 142_000) for s in slugs}
        self.img_thumb = {s: rng.randint(11_000, 31_000) for s in slugs}
        self.page_bytes = {s: rng.randint(18_500, 27_800) for s in slugs}
        self.sku = {
            s: f"HP-{rng.randint(1000, 9999)}-{rng.pick(['S', 'M', 'L', 'OS', 'NA'])}"
            for s in slugs
        }

    def product(self, rng: Rng) -> str:
        return rng.wpick(self.products, self.prod_cum)


def v6_address(rng: Rng) -> str:
    groups = [f"{rng.randint(0x1000, 0xFFFF):x}" for _ in range(6)]
    return "2001:db8:" + ":".join(groups)


class Client:
    __slots__ = ("ip", "ua", "proto", "mobile", "returning", "bw", "asset_gen", "ios", "cart")

    def __init__(self, ip, ua, proto, mobile, returning, bw, ios):
        self.ip = ip
        self.ua = ua
        self.proto = proto
        self.mobile = mobile
        self.returning = returning
        self.bw = bw  # bytes per second
        self.asset_gen = 1 if returning else 0  # cached storefront build (1 = v2.30, 2 = v2.31)
        self.ios = ios
        self.cart = 0  # items in the cart cookie's cart


def build_clients(rng: Rng, n: int = 3400):
    v4 = (
        [f"203.0.113.{i}" for i in range(1, 255)]
        + [f"198.51.100.{i}" for i in range(1, 231)]
        + [f"192.0.2.{i}" for i in range(1, 231)]
    )
    cum_ua = cumulative([w for w, _, _ in UA_BROWSERS])
    clients = []
    for _ in range(n):
        # 44 % IPv6; IPv4 clients share addresses unevenly (a few busy NATs)
        ip = v6_address(rng) if rng.chance(0.44) else v4[int(rng.u() ** 1.15 * len(v4))]
        w, kind, tpl = rng.wpick(UA_BROWSERS, cum_ua)
        c = rng.pick([152, 153, 153, 154, 154, 154])
        ua = tpl.format(
            c=c, c2=c - 2, s=rng.pick([26, 26, 26, 26, 18]), f=rng.pick([155, 156, 156, 157])
        )
        mobile = kind == "mobile"
        proto = "HTTP/2.0" if rng.chance(0.82) else "HTTP/1.1"
        bw = rng.lognorm(1_100_000, 0.8) if mobile else rng.lognorm(5_000_000, 0.7)
        c = Client(ip, ua, proto, mobile, rng.chance(0.42), bw, "iPhone" in ua)
        if c.returning and rng.chance(0.2):
            c.cart = rng.randint(1, 3)  # left something in the cart on an earlier visit
        clients.append(c)
    order = list(range(n))
    for i in range(n - 1, 0, -1):  # Fisher-Yates so the weights are not tied to ip kind
        j = int(rng.u() * (i + 1))
        order[i], order[j] = order[j], order[i]
    weights = [0.0] * n
    for rank, idx in enumerate(order):
        weights[idx] = 1.0 / (rank + 25) ** 0.85  # Zipf-ish activity
    return clients, cumulative(weights)


# ---------------------------------------------------------------------------------------------
# The access-log simulation
# ---------------------------------------------------------------------------------------------
class Order:
    __slots__ = ("t", "id", "ikey", "spool", "spool_t", "committed_by_retry")

    def __init__(self, t, ikey):
        self.t = t
        self.id = None
        self.ikey = ikey
        self.spool = False
        self.spool_t = None
        self.committed_by_retry = None


class AppReq:
    """A request that nginx proxied to checkout-api."""

    __slots__ = (
        "start",
        "end",
        "route",
        "method",
        "path",
        "status",
        "pod",
        "trace",
        "qw",
        "wait",
        "fail",
        "app_ms",
        "order",
        "sku",
        "items",
        "decline",
        "client",
    )

    def __init__(self):
        self.qw = 0.0
        self.wait = 0.0
        self.fail = None
        self.order = None
        self.sku = None
        self.items = 0
        self.decline = None


# request tuple layout (list for mutability of the lazy order path)
# 0 end, 1 start, 2 ip, 3 method, 4 path, 5 proto, 6 status, 7 bytes, 8 referer, 9 ua, 10 rt,
# 11 app (AppReq or None)


class AccessSim:
    def __init__(self, seed: int, profile: Profile):
        self.rng = Rng(seed, 1)
        self.profile = profile
        self.cat = Catalogue(self.rng)
        self.clients, self.client_cum = build_clients(self.rng)
        self.reqs: list[list] = []
        self.app: list[AppReq] = []
        self.orders: list[Order] = []
        self.spool: list[Order] = []
        self.returners: list[tuple[float, Client]] = []
        self.pod_rr = 0

    # -- primitives ------------------------------------------------------------------------
    def emit(self, start, client_ip, method, path, proto, status, nbytes, ref, ua, rt, app=None):
        self.reqs.append(
            [start + rt, start, client_ip, method, path, proto, status, nbytes, ref, ua, rt, app]
        )

    def asset_names(self, t: float, client: Client):
        # rolling deploy of storefront v2.31.0 at 13:15: new HTML references new hashes
        frac = (t - (T_DEPLOY_SF + 20)) / 90.0
        new = frac >= 1 or (frac > 0 and self.rng.chance(frac))
        if new:
            return 2, [
                ("/static/css/main.51d0b8e4.css", 38_902),
                ("/static/js/vendor.c7e5a912.js", 142_877),
                ("/static/js/app.e2a6f93b.js", 61_733),
            ]
        return 1, [
            ("/static/css/main.3f9c2e1a.css", 38_411),
            ("/static/js/vendor.c7e5a912.js", 142_877),
            ("/static/js/app.8b41d07c.js", 61_240),
        ]

    def static(self, t, client: Client, path, size, ref, revalidate_p=0.0):
        """A static asset request; returns end time."""
        rng = self.rng
        if revalidate_p and rng.chance(revalidate_p):
            rt = round(rng.uniform(0.0, 0.002), 3)
            self.emit(t, client.ip, "GET", path, client.proto, 304, 0, ref, client.ua, rt)
            return t + rt
        rt = round(0.001 + size / client.bw * rng.uniform(0.6, 1.2), 3)
        if size < 20000 and not client.mobile:
            rt = round(rng.uniform(0.0, 0.004), 3)
        self.emit(t, client.ip, "GET", path, client.proto, 200, size, ref, client.ua, rt)
        return t + rt

    def slowdown(self, t):
        """Storefront pages render a mini-cart through checkout-api with a 300 ms budget."""
        p = self.profile.at(self.profile.p_fail, t)
        if p > 0:
            return self.rng.uniform(0.05, 0.3) * min(1.0, p * 3)
        return 0.0

    def page_assets(self, t, client: Client, page_url, first, images):
        rng = self.rng
        seen = self.seen
        uniq = []
        for img in images:  # the browser fetches each image once per session (memory cache)
            if img[0] not in seen:
                seen.add(img[0])
                uniq.append(img)
        images = uniq
        t0 = t + rng.uniform(0.02, 0.15)
        gen, core = self.asset_names(t, client)
        end = t0
        if first or client.asset_gen != gen:
            if client.asset_gen != gen:
                for i, (path, size) in enumerate(core):
                    if (
                        client.returning
                        and path.startswith("/static/js/vendor")
                        and client.asset_gen
                    ):
                        continue  # unchanged file, still cached
                    end = max(end, self.static(t0 + 0.003 * i, client, path, size, page_url))
                if client.asset_gen == 0:
                    css = core[0][0]
                    end = max(
                        end,
                        self.static(
                            t0 + 0.05,
                            client,
                            "/static/fonts/inter-var-latin.woff2",
                            48_256,
                            SITE + css,
                        ),
                    )
                    end = max(
                        end,
                        self.static(
                            t0 + 0.01, client, "/static/img/logo-harbor-pine.svg", 6_212, page_url
                        ),
                    )
                    end = max(end, self.static(t0 + 0.2, client, "/favicon.ico", 15_086, page_url))
                    if client.ios and rng.chance(0.05):
                        self.emit(
                            t0 + 0.3,
                            client.ip,
                            "GET",
                            "/apple-touch-icon-precomposed.png",
                            client.proto,
                            404,
                            BODY_404_NGINX,
                            "-",
                            client.ua,
                            0.000,
                        )
                        self.emit(
                            t0 + 0.31,
                            client.ip,
                            "GET",
                            "/apple-touch-icon.png",
                            client.proto,
                            404,
                            BODY_404_NGINX,
                            "-",
                            client.ua,
                            0.000,
                        )
                client.asset_gen = gen
            elif client.returning and rng.chance(0.25):
                end = max(
                    end,
                    self.static(
                        t0 + 0.2, client, "/favicon.ico", 15_086, page_url, revalidate_p=1.0
                    ),
                )
        for j, (path, size) in enumerate(images):
            start = t0 + 0.05 + 0.01 * j + (rng.expo(0.8) if j > 3 else 0.0)  # lazy loading
            if client.returning and rng.chance(0.5):
                if rng.chance(0.3):
                    self.static(start, client, path, size, page_url, revalidate_p=1.0)
                continue
            end = max(end, self.static(start, client, path, size, page_url))
        return end

    def storefront_page(self, t, client, path, ref, first, kind, slug=None):
        """An HTML page served by the storefront. Returns (end time, page url, status)."""
        rng = self.rng
        cat = self.cat
        status = 200
        if kind == "home":
            nbytes = rng.randint(23_800, 24_900)
            rt = rng.lognorm(0.045, 0.5)
            images = [("/static/img/hero/autumn-sale-2026.webp", 212_408)] + [
                (f"/static/img/p/{s}-320.webp", cat.img_thumb[s]) for s in cat.featured
            ]
        elif kind == "category":
            nbytes = rng.randint(29_000, 33_500)
            rt = rng.lognorm(0.07, 0.5)
            picks = [cat.product(rng) for _ in range(rng.randint(4, 9))]
            images = [(f"/static/img/p/{s}-320.webp", cat.img_thumb[s]) for s in picks]
            if "sale" in path:
                images.insert(0, ("/static/img/hero/autumn-sale-2026.webp", 212_408))
        elif kind == "product":
            nbytes = cat.page_bytes.get(slug, 21_000) + rng.randint(-40, 40)
            rt = rng.lognorm(0.06, 0.5)
            images = [(f"/static/img/p/{slug}-800.webp", cat.img_main[slug])] + [
                (f"/static/img/p/{s}-320.webp", cat.img_thumb[s])
                for s in (cat.product(rng) for _ in range(3))
            ]
        elif kind == "search":
            nbytes = rng.randint(20_000, 23_000)
            rt = rng.lognorm(0.09, 0.6)
            images = [
                (f"/static/img/p/{s}-320.webp", cat.img_thumb[s])
                for s in (cat.product(rng) for _ in range(rng.randint(2, 6)))
            ]
        else:  # 404 for a retired product
            status, nbytes, rt, images = 404, 7_212, rng.lognorm(0.03, 0.4), []
        rt += self.slowdown(t)
        if status == 200 and rng.chance(0.0007):
            status, nbytes, rt, images = 500, BODY_50X_PAGE, rng.uniform(0.05, 1.4), []
        rt = round(rt + client_overhead(client, nbytes), 3)
        self.emit(t, client.ip, "GET", path, client.proto, status, nbytes, ref, client.ua, rt)
        url = SITE + path
        end = t + rt
        end = max(end, self.page_assets(end, client, url, first, images))
        if status == 200 and client.cart and kind != "404":
            end = max(end, self.app_call(end + 0.1, client, "cart_get", "GET", "/api/cart", url)[1])
        return end, url, status

    def suggest(self, t, client, q, ref):
        """Type-ahead suggestions while the query is typed on the previous page."""
        rng = self.rng
        for k in range(2, len(q)):
            t += rng.uniform(0.15, 0.5)
            pref = q[: k + 1].replace(" ", "+")
            self.emit(
                t,
                client.ip,
                "GET",
                "/api/search?q=" + pref + "&suggest=1",
                client.proto,
                200,
                rng.randint(180, 900),
                ref,
                client.ua,
                round(rng.lognorm(0.012, 0.4), 3),
            )
        return t + rng.uniform(0.3, 1.2)

    def search_api(self, t, client, url, q):
        rng = self.rng
        path = "/api/search?q=" + q.replace(" ", "+")
        rt = round(rng.lognorm(0.035, 0.5) + self.slowdown(t) * 0.5, 3)
        status = 500 if rng.chance(0.0008) else 200
        self.emit(
            t,
            client.ip,
            "GET",
            path,
            client.proto,
            status,
            rng.randint(1_400, 6_200) if status == 200 else 96,
            url,
            client.ua,
            rt,
        )
        return t + rt

    # -- checkout-api ----------------------------------------------------------------------
    BASE_MS = {
        "cart_page": (0.11, 0.35),
        "cart_get": (0.032, 0.4),
        "cart_add": (0.058, 0.35),
        "cart_update": (0.05, 0.35),
        "cart_delete": (0.045, 0.35),
        "checkout_page": (0.17, 0.35),
        "order_post": (0.62, 0.3),
        "complete_page": (0.085, 0.35),
    }

    def app_call(self, t, client, route, method, path, ref, order=None, sku=None):
        """One request proxied to checkout-api. Returns (status, end time, AppReq)."""
        rng = self.rng
        prof = self.profile
        a = AppReq()
        a.start = t
        a.route = route
        a.method = method
        a.path = path
        a.client = client
        a.pod = self.pod_rr % 3 if rng.chance(0.7) else rng.randint(0, 2)
        self.pod_rr += 1
        a.trace = rng.hex(16)  # 64-bit B3 trace id
        a.order = order
        a.sku = sku
        a.items = client.cart
        median, sigma = self.BASE_MS[route]
        base = rng.lognorm(median, sigma)
        p = prof.at(prof.p_fail, t)
        html = route in ("cart_page", "checkout_page", "complete_page")
        if p > 0 and rng.chance(p):
            if rng.chance(0.62):
                a.fail = 502
                a.qw = min(1.5, rng.expo(0.18))
                a.app_ms = 3000 + rng.randint(1, 14)
                rt = a.qw + a.app_ms / 1000.0 + rng.uniform(0.002, 0.03)
                nbytes = BODY_50X_PAGE if html else BODY_502_JSON
            else:
                a.fail = 504
                a.qw = rng.uniform(2.0, 2.95)
                a.app_ms = 3000 + rng.randint(1, 14)
                rt = 5.0 + rng.uniform(0.0, 0.004)
                nbytes = BODY_50X_PAGE if html else BODY_504_NGINX
            status = a.fail
            if route == "order_post" and not order.spool:
                # payment was authorised before the insert failed: the order is spooled
                order.spool = True
                order.spool_t = t + rt
                self.spool.append(order)
        else:
            wait = 0.0
            pool = pool_size_at(t)
            if p > 0:
                if rng.chance(min(1.0, p * 2.2)):
                    wait = 2.95 * rng.u() ** 1.4
            elif pool == POOL_SMALL:
                d = prof.at(prof.demand, t)
                if d > 4.2 and rng.chance(min(1.0, (d - 4.2) / 1.6)):
                    wait = min(2.5, rng.expo(0.25))
            elif T_ROLLBACK <= t < T_ROLLBACK + 240:
                wait = rng.expo(0.03)
            a.wait = wait
            dur = base + wait
            a.app_ms = int(dur * 1000)
            rt = dur + 0.001 + rng.uniform(0.0, 0.004)
            status = 200
            if route == "order_post":
                if rng.chance(0.03):
                    status, a.decline = (
                        402,
                        rng.pick(["card_declined", "insufficient_funds", "do_not_honor"]),
                    )
                    nbytes = 188
                else:
                    status = 201
                    nbytes = rng.randint(590, 640)
                    order.t = t + rt
                    if order.spool:
                        order.committed_by_retry = True
                    self.orders.append(order)
            elif route == "cart_add":
                if rng.chance(0.012):
                    status, nbytes = 409, 143  # out of stock
                else:
                    nbytes = rng.randint(400, 460)
            elif route == "cart_get":
                nbytes = 160 + 240 * max(1, client.cart) + rng.randint(0, 60)
            elif route in ("cart_update", "cart_delete"):
                nbytes = 160 + 240 * max(1, client.cart)
            elif route == "cart_page":
                nbytes = rng.randint(13_500, 15_200)
            elif route == "checkout_page":
                nbytes = rng.randint(16_800, 18_100)
            else:
                nbytes = rng.randint(8_900, 9_400)
        a.status = status
        rt = round(rt + (client_overhead(client, nbytes) if html else 0.0), 3)
        a.end = t + rt
        self.emit(t, client.ip, method, path, client.proto, status, nbytes, ref, client.ua, rt, a)
        self.app.append(a)
        return status, t + rt, a

    def app_page(self, t, client, route, path, ref, first, order=None):
        """checkout-api HTML page plus its assets/XHR. Returns (status, end, url)."""
        rng = self.rng
        status, end, a = self.app_call(
            t, client, route, "GET", path if not isinstance(path, tuple) else path, ref, order=order
        )
        url = SITE + (path if isinstance(path, str) else path[0] + "{order}")
        if status >= 500:
            return status, end, url
        images = []
        if route in ("cart_page", "checkout_page"):
            images = [
                (f"/static/img/p/{s}-320.webp", self.cat.img_thumb[s])
                for s in (self.cat.product(rng) for _ in range(max(1, client.cart)))
            ]
        end = max(end, self.page_assets(end, client, url, first, images))
        if route in ("cart_page", "checkout_page"):
            end = max(
                end, self.app_call(end + 0.05, client, "cart_get", "GET", "/api/cart", url)[1]
            )
        return status, end, url

    # -- sessions --------------------------------------------------------------------------
    def think(self, mean=22.0, lo=2.0, hi=240.0):
        return min(hi, max(lo, self.rng.expo(mean)))

    def human_session(self, t, client: Client, newsletter: bool, returning_buyer=False):
        rng = self.rng
        cat = self.cat
        first = True
        self.seen = set()
        if client.cart and not returning_buyer and rng.chance(0.4):
            client.cart = 0  # cart expired or cleared on another device
        cart_p = 0.26 if newsletter else 0.095
        utm = "utm_source=newsletter&utm_medium=email&utm_campaign=autumn-sale-2026"
        if returning_buyer:
            state, path, ref = "cart", "/cart", "-"
            client.cart = max(1, client.cart)
        elif newsletter:
            ref = (
                "-"
                if rng.chance(0.75)
                else rng.pick(["https://mail.google.com/", "https://outlook.live.com/"])
            )
            if rng.chance(0.55):
                state, path = "category", "/category/sale?" + utm
            else:
                state, slug = "product", rng.pick(cat.featured)
                path = f"/product/{slug}?{utm}&utm_content=hero"
        else:
            r = rng.u()
            ref = rng.wpick(
                [
                    "https://www.google.com/",
                    "-",
                    "https://www.bing.com/",
                    "https://duckduckgo.com/",
                    "https://l.instagram.com/",
                    "https://www.pinterest.com/",
                    "https://m.facebook.com/",
                ],
                cumulative([45, 30, 6, 5, 5, 4, 5]),
            )
            if r < 0.33:
                state, path = "home", "/"
            elif r < 0.75:
                if rng.chance(0.02):
                    state, path = "404", "/product/" + rng.pick(RETIRED)
                else:
                    state, path = "product", "/product/" + cat.product(rng)
            elif r < 0.95:
                state, path = "category", "/category/" + rng.pick(CATEGORIES)
            else:
                state, path = "search", "/search?q=" + rng.pick(SEARCHES).replace(" ", "+")
        pages = 0
        url = ref
        order = None
        order_attempts = 0
        while pages < 40 and t < SPAN + 300:
            pages += 1
            if state in ("home", "category", "product", "search", "404"):
                slug = path.split("/")[-1].split("?")[0] if state == "product" else None
                if state == "category" and rng.chance(0.03) and "?" not in path:
                    # trailing-slash link from an old blog post: 301 then the real page
                    self.emit(
                        t,
                        client.ip,
                        "GET",
                        path + "/",
                        client.proto,
                        301,
                        BODY_301_NGINX,
                        ref,
                        client.ua,
                        0.000,
                    )
                    t += rng.uniform(0.05, 0.2)
                if state == "search" and ref.startswith(SITE) and rng.chance(0.4):
                    t = self.suggest(t, client, path.split("=", 1)[1].replace("+", " "), ref)
                end, url, status = self.storefront_page(t, client, path, ref, first, state, slug)
                first = False
                if state == "search" and status == 200:
                    end = self.search_api(
                        end + rng.uniform(0.2, 0.6),
                        client,
                        url,
                        path.split("=", 1)[1].replace("+", " "),
                    )
                t = end
                if status >= 400:
                    if state == "404" and rng.chance(0.6):
                        state, path, ref = "home", "/", url
                        t += self.think(6)
                        continue
                    if status == 500 and rng.chance(0.5):
                        t += self.think(5)
                        continue
                    return
                r = rng.u()
                if state == "product" and r < cart_p:
                    # add to cart (XHR), retry once on failure
                    tries = 0
                    while True:
                        t += self.think(9, 1.5, 60)
                        tries += 1
                        st, t, _ = self.app_call(
                            t, client, "cart_add", "POST", "/api/cart", url, sku=cat.sku.get(slug)
                        )
                        if st < 300:
                            client.cart += 1
                            t = self.app_call(
                                t + 0.05, client, "cart_get", "GET", "/api/cart", url
                            )[1]
                            break
                        if st < 500 or tries >= 3 or not rng.chance(0.55):
                            if st >= 500 and rng.chance(0.35):
                                self.maybe_return(t, client)
                                return
                            break
                    r2 = rng.u()
                    if client.cart and r2 < (0.5 if newsletter else 0.42):
                        state, path, ref = "cart", "/cart", url
                    elif r2 < 0.85:
                        state, path, ref = "product", "/product/" + cat.product(rng), url
                    else:
                        return
                elif client.cart and r < cart_p + 0.07:
                    state, path, ref = "cart", "/cart", url
                elif r < 0.70:
                    nxt = rng.u()
                    if nxt < 0.6 or state == "category":
                        state, path = "product", "/product/" + cat.product(rng)
                    elif nxt < 0.82:
                        state, path = "category", "/category/" + rng.pick(CATEGORIES)
                    else:
                        state, path = "search", "/search?q=" + rng.pick(SEARCHES).replace(" ", "+")
                    ref = url
                elif r < 0.76 and state != "home":
                    state, path, ref = "home", "/", url
                else:
                    return
                t += self.think()
            elif state == "cart":
                tries = 0
                while True:
                    tries += 1
                    st, t, url = self.app_page(t, client, "cart_page", "/cart", ref, first)
                    first = False
                    if st < 500:
                        break
                    if tries >= 3 or not rng.chance(0.55):
                        self.maybe_return(t, client)
                        return
                    t += self.think(6, 2, 20)
                    ref = url
                if rng.chance(0.15):
                    t += self.think(8, 1, 40)
                    item = rng.randint(100000, 999999)
                    if rng.chance(0.75):
                        self.app_call(
                            t, client, "cart_update", "PATCH", f"/api/cart/items/{item}", url
                        )
                    else:
                        self.app_call(
                            t, client, "cart_delete", "DELETE", f"/api/cart/items/{item}", url
                        )
                        client.cart = max(0, client.cart - 1)
                        if client.cart == 0:
                            state, path, ref = "product", "/product/" + cat.product(rng), url
                            t += self.think()
                            continue
                t += self.think(25)
                r = rng.u()
                if r < (0.66 if newsletter or returning_buyer else 0.55):
                    state, ref = "checkout", url
                elif r < 0.8:
                    state, path, ref = "product", "/product/" + cat.product(rng), url
                else:
                    return
            elif state == "checkout":
                tries = 0
                while True:
                    tries += 1
                    st, t, url = self.app_page(t, client, "checkout_page", "/checkout", ref, first)
                    first = False
                    if st < 500:
                        break
                    if tries >= 3 or not rng.chance(0.6):
                        self.maybe_return(t, client)
                        return
                    t += self.think(6, 2, 20)
                    ref = url
                t += self.think(70, 20, 400)  # address and card details
                if not rng.chance(0.74):
                    return
                if order is None:
                    order = Order(None, rng.hex(24))
                while True:
                    order_attempts += 1
                    st, t, a = self.app_call(
                        t, client, "order_post", "POST", "/api/orders", url, order=order
                    )
                    if st == 201:
                        client.cart = 0
                        t += rng.uniform(0.1, 0.4)
                        self.app_page(
                            t,
                            client,
                            "complete_page",
                            ("/checkout/complete?order=", order),
                            url,
                            False,
                            order=order,
                        )
                        if order.committed_by_retry is None:
                            order.committed_by_retry = False
                        return
                    if st == 402:
                        if order_attempts < 3 and rng.chance(0.5):
                            t += self.think(40, 10, 200)
                            continue
                        return
                    # 5xx: "Something went wrong, please try again"
                    if order_attempts < 3 and rng.chance(0.65):
                        t += self.think(18, 5, 60)
                        continue
                    # the order is in the spool; the customer gets an email once it is replayed
                    return
            else:
                return

    def maybe_return(self, t, client):
        """Some customers who gave up come back later to finish their purchase."""
        if self.rng.chance(0.3):
            self.returners.append((t + self.rng.uniform(600, 3000), client))

    def run(self):
        rng = self.rng
        prof = self.profile
        sessions_per_s = 0.482
        lam_max = float(np.max(prof.rate)) * sessions_per_s
        t = -WARMUP
        n_sessions = 0
        while True:
            t += rng.expo(1.0 / lam_max)
            if t >= SPAN:
                break
            lam = prof.at(prof.rate, t) * sessions_per_s
            if not rng.chance(lam / lam_max):
                continue
            news = prof.at(prof.news, t)
            newsletter = rng.chance(news / (1.0 + news))
            client = self.clients[
                bisect.bisect_right(self.client_cum, rng.u() * self.client_cum[-1])
            ]
            self.human_session(t, client, newsletter)
            n_sessions += 1
        i = 0
        while i < len(self.returners):  # returners may spawn returners
            tb, client = self.returners[i]
            i += 1
            if tb < SPAN:
                self.human_session(tb, client, False, returning_buyer=True)
        self.bots()
        self.health()
        self.n_sessions = n_sessions

    def bots(self):
        rng = self.rng
        cat = self.cat
        crawlers = [  # (rate per s, ua, ips)
            (0.65, UA_GOOGLEBOT, [f"192.0.2.{i}" for i in range(240, 249)]),
            (0.06, UA_GOOGLEBOT_DESKTOP, [f"192.0.2.{i}" for i in range(240, 249)]),
            (0.24, UA_BING, [f"198.51.100.{i}" for i in range(240, 246)]),
            (0.1, UA_AHREFS, [f"198.51.100.{i}" for i in range(246, 250)]),
            (0.08, UA_GOOGLE_IMAGE, [f"192.0.2.{i}" for i in range(240, 249)]),
            (0.16, UA_GPTBOT, [f"203.0.113.{i}" for i in range(236, 240)]),
            (0.09, UA_META, [f"2001:db8:face:b00c::{i:x}" for i in range(0x10, 0x16)]),
            (0.04, UA_APPLEBOT, ["192.0.2.235", "192.0.2.236"]),
        ]
        for rate, ua, ips in crawlers:
            t = rng.uniform(0, 5)
            next_robots = rng.uniform(0, 900)
            while t < SPAN + 10:
                ip = rng.pick(ips)
                if ua == UA_GOOGLE_IMAGE:
                    s = cat.product(rng)
                    path, nbytes = f"/static/img/p/{s}-800.webp", cat.img_main[s]
                    self.emit(
                        t,
                        ip,
                        "GET",
                        path,
                        "HTTP/1.1",
                        200,
                        nbytes,
                        "-",
                        ua,
                        round(rng.uniform(0.01, 0.09), 3),
                    )
                elif t > next_robots:
                    self.emit(t, ip, "GET", "/robots.txt", "HTTP/1.1", 200, 312, "-", ua, 0.000)
                    next_robots = t + rng.uniform(1800, 4000)
                    if rng.chance(0.5):
                        self.emit(
                            t + 1.3,
                            ip,
                            "GET",
                            "/sitemap.xml",
                            "HTTP/1.1",
                            200,
                            24_118,
                            "-",
                            ua,
                            0.004,
                        )
                else:
                    r = rng.u()
                    if r < 0.72:
                        s = cat.product(rng) if rng.chance(0.6) else rng.pick(cat.products)
                        path, st, nb = "/product/" + s, 200, cat.page_bytes[s]
                    elif r < 0.9:
                        path, st, nb = (
                            "/category/"
                            + rng.pick(CATEGORIES)
                            + (f"?page={rng.randint(2, 6)}" if rng.chance(0.4) else ""),
                            200,
                            rng.randint(29_000, 33_500),
                        )
                    elif r < 0.95:
                        path, st, nb = "/product/" + rng.pick(RETIRED), 404, 7_212
                    elif r < 0.98:
                        path, st, nb = (
                            "/category/" + rng.pick(CATEGORIES) + "/",
                            301,
                            BODY_301_NGINX,
                        )
                    else:
                        path, st, nb = "/", 200, rng.randint(23_800, 24_900)
                    rt = 0.000 if st == 301 else round(rng.lognorm(0.07, 0.5) + self.slowdown(t), 3)
                    if st == 200 and rng.chance(0.0007):
                        st, nb, rt = 500, BODY_50X_PAGE, round(rng.uniform(0.05, 1.2), 3)
                    if st == 200 and "bingbot" in ua and rng.chance(0.3):
                        st, nb = 304, 0
                    self.emit(t, ip, "GET", path, "HTTP/1.1", st, nb, "-", ua, rt)
                burst = "Ahrefs" in ua and rng.chance(0.02)
                t += rng.expo(1.0 / rate) if not burst else rng.uniform(0.2, 1.0)
        # uptime monitor: HEAD / every 60 s from two probe locations
        t = 17.0
        while t < SPAN:
            ip = "198.51.100.250" if int(t // 60) % 2 else "198.51.100.251"
            self.emit(
                t + rng.uniform(0, 0.3),
                ip,
                "HEAD",
                "/",
                "HTTP/1.1",
                200,
                0,
                SITE,
                UA_UPTIME,
                round(rng.lognorm(0.03, 0.3) + self.slowdown(t), 3),
            )
            t += 60.0
        # vulnerability scanners: a few bursts of probes
        for start in (hms(13, 23, 41), hms(14, 47, 3), hms(15, 31, 18)):
            ip = rng.pick(["203.0.113.251", "203.0.113.252", "2001:db8:dead:beef:5ca:77e1:0:1"])
            ua = rng.pick(UA_SCANNERS)
            t = start
            for path, st in SCAN_PATHS * 2:
                if rng.chance(0.6):
                    self.emit(
                        t,
                        ip,
                        "GET",
                        path,
                        "HTTP/1.1",
                        st,
                        BODY_404_NGINX if st == 404 else BODY_403_NGINX,
                        "-",
                        ua,
                        0.000,
                    )
                    t += rng.uniform(0.05, 0.6)
        # marketing pastes the sale link in Slack: link unfurl
        self.emit(
            hms(14, 0, 7.2),
            "198.51.100.233",
            "GET",
            "/category/sale?utm_source=newsletter&utm_medium=email&utm_campaign=autumn-sale-2026",
            "HTTP/1.1",
            200,
            31_204,
            "-",
            UA_SLACKBOT,
            0.081,
        )

    def health(self):
        rng = self.rng
        t = 2.31
        while t < SPAN:
            self.emit(
                t,
                LB_IP,
                "GET",
                "/healthz",
                "HTTP/1.1",
                200,
                2,
                "-",
                UA_HEALTH,
                0.000 if rng.chance(0.8) else 0.001,
            )
            t += 5.0


def client_overhead(client: Client, nbytes: int) -> float:
    """Time to send the response body to the client."""
    return nbytes / client.bw


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------
def request_path(path) -> str:
    if isinstance(path, tuple):
        return path[0] + path[1].id
    return path


def is_checkout_path(path: str) -> bool:
    p = path.split("?", 1)[0]
    return any(p == pre or p.startswith(pre + "/") for pre in CHECKOUT_PREFIXES)


def finalize_access(sim: AccessSim):
    """Sort by completion (nginx logs when a request ends) and keep [13:00, 16:00)."""
    reqs = [r for r in sim.reqs if 0.0 <= r[0] < SPAN]
    reqs.sort(key=lambda r: (r[0], r[1]))
    for r in reqs:  # 12: is a checkout path (proxied to checkout-api)
        r.append(r[11] is not None)
    return reqs


def assign_order_ids(sim: AccessSim, replays):
    events = [(o.t, 0, o) for o in sim.orders] + [(t, 1, o) for t, o in replays]
    events.sort(key=lambda e: (e[0], e[1]))
    seq = 10_481_870
    for _t, _kind, o in events:
        if o.id is None:
            seq += 1
            o.id = f"HP-{seq}"


def write_access_log(reqs, path: pathlib.Path, gzip_level: int = 9) -> list[str]:
    lines = []
    cache: dict[int, str] = {}
    for r in reqs:
        sec = int(r[0])
        ts = cache.get(sec)
        if ts is None:
            ts = cache[sec] = nginx_time(sec)
        rp = request_path(r[4])
        lines.append(
            f'{r[2]} - - [{ts}] "{r[3]} {rp} {r[5]}" {r[6]} {r[7]} "{r[8]}" "{r[9]}" {r[10]:.3f}\n'
        )
    data = "".join(lines).encode()
    with (
        open(path, "wb") as fh,
        gzip.GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=gzip_level, mtime=0) as gz,
    ):
        gz.write(data)
    return lines


# ---------------------------------------------------------------------------------------------
# checkout-api JSON log
# ---------------------------------------------------------------------------------------------
STACK_TEMPLATE = """Traceback (most recent call last):
  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/pool/impl.py", line 179, in _do_get
    return self._pool.get(wait, self._timeout)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/util/queue.py", line 209, in get
    raise Empty()
sqlalchemy.util.queue.Empty

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/app/checkout_api/http/middleware.py", line 64, in __call__
    response = await call_next(request)
               ^^^^^^^^^^^^^^^^^^^^^^^^
  File "/app/checkout_api/routes/{module}.py", line {line}, in {func}
    async with db.session() as session:
  File "/app/checkout_api/db.py", line 41, in session
    conn = await run_in_threadpool(engine.connect)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 3278, in connect
    return self._connection_cls(self)
  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/pool/base.py", line 449, in connect
    return _ConnectionFairy._checkout(self)
  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/pool/impl.py", line 182, in _do_get
    raise exc.TimeoutError(
sqlalchemy.exc.TimeoutError: {error}"""

ROUTE_CODE = {
    "cart_page": ("cart", 37, "show_cart"),
    "cart_get": ("cart", 58, "get_cart"),
    "cart_add": ("cart", 92, "add_item"),
    "cart_update": ("cart", 131, "update_item"),
    "cart_delete": ("cart", 154, "remove_item"),
    "checkout_page": ("checkout", 46, "show_checkout"),
    "order_post": ("orders", 88, "create_order"),
    "complete_page": ("orders", 142, "show_confirmation"),
}
POOL_ERR = (
    "QueuePool limit of size 5 overflow 0 reached, connection timed out, timeout 3.00 "
    "(Background on this error at: https://sqlalche.me/e/20/3o7r)"
)


class AppLog:
    def __init__(self, seed: int):
        self.rng = Rng(seed, 2)
        self.events: list[tuple[float, int, dict]] = []
        self.seq = 0

    def add(self, t, level, logger, msg, pod, trace=None, **extra):
        if not (0.0 <= t < SPAN):
            return
        rec = {
            "ts": None,
            "level": level,
            "logger": logger,
            "msg": msg,
            "service": "checkout-api",
            "host": PODS[pod][0],
            "trace_id": trace,
        }
        rec.update(extra)
        self.seq += 1
        self.events.append((t, self.seq, rec))

    def request(self, a: AppReq):
        rng = self.rng
        t = a.start + 0.001
        path = request_path(a.path)
        pod, tr = a.pod, a.trace
        self.add(
            a.start + a.qw + 0.0008, "debug", "http", f"request started: {a.method} {path}", pod, tr
        )
        if a.fail:
            t_app = a.start + a.qw + 0.002
            t_err = t_app + a.app_ms / 1000.0
            if a.route == "order_post":
                self.add(
                    t_app - 0.002 + 0.0005,
                    "debug",
                    "orders",
                    "order received",
                    pod,
                    tr,
                    idempotency_key=a.order.ikey,
                    items=max(1, a.items),
                )
                pay_ms = rng.randint(380, 900)
                # payment is authorised first, then the insert needs a connection
                self.add(
                    t_app + 0.0005,
                    "info",
                    "payments",
                    "payment authorized",
                    pod,
                    tr,
                    duration_ms=pay_ms,
                    psp="adyen",
                )
                t_err += pay_ms / 1000.0
            extra = {
                "exc_type": "sqlalchemy.exc.TimeoutError",
                "pool_size": 5,
                "pool_in_use": 5,
                "pool_wait_ms": a.app_ms,
            }
            if rng.chance(0.08):
                module, line, func = ROUTE_CODE[a.route]
                extra["stack"] = STACK_TEMPLATE.format(
                    module=module, line=line, func=func, error=POOL_ERR
                )
            self.add(t_err, "error", "db", POOL_ERR, pod, tr, **extra)
            if a.route == "order_post":
                first = a.order.spool_t is not None and abs(a.order.spool_t - a.end) < 1e-9
                self.add(
                    t_err + 0.004,
                    "warn",
                    "orders.spool",
                    "order spooled for replay"
                    if first
                    else "order already in spool (same idempotency key)",
                    pod,
                    tr,
                    idempotency_key=a.order.ikey,
                )
            self.add(
                t_err + 0.006,
                "error",
                "http",
                f"{a.method} {path} 502",
                pod,
                tr,
                duration_ms=int((t_err + 0.006 - t_app) * 1000),
            )
            if a.fail == 504:
                self.add(
                    t_err + 0.007,
                    "warn",
                    "http",
                    "client disconnected before response was sent",
                    pod,
                    tr,
                )
            return
        if a.wait > 0.5:
            self.add(
                t + a.wait,
                "warn",
                "db",
                "slow connection checkout",
                pod,
                tr,
                pool_wait_ms=int(a.wait * 1000),
                pool_size=pool_size_at(t),
                pool_in_use=pool_size_at(t) if pool_size_at(t) == 5 else rng.randint(6, 14),
            )
        end = a.start + a.app_ms / 1000.0
        r = a.route
        if r == "order_post":
            if a.order.spool:  # a retry of a spooled order carries its idempotency key
                self.add(
                    t + 0.0005,
                    "debug",
                    "orders",
                    "order received",
                    pod,
                    tr,
                    idempotency_key=a.order.ikey,
                    items=max(1, a.items),
                )
            else:
                self.add(
                    t + 0.0005, "debug", "orders", "order received", pod, tr, items=max(1, a.items)
                )
            pay_ms = int(a.app_ms * rng.uniform(0.7, 0.85))
            if a.decline:
                self.add(
                    t + a.wait + pay_ms / 1000.0,
                    "warn",
                    "payments",
                    "payment declined",
                    pod,
                    tr,
                    duration_ms=pay_ms,
                    psp="adyen",
                    reason=a.decline,
                )
            else:
                self.add(
                    t + a.wait + pay_ms / 1000.0,
                    "info",
                    "payments",
                    "payment authorized",
                    pod,
                    tr,
                    duration_ms=pay_ms,
                    psp="adyen",
                )
                self.add(
                    end - 0.003,
                    "info",
                    "orders",
                    "order created",
                    pod,
                    tr,
                    order_id=a.order.id,
                    duration_ms=a.app_ms,
                )
        elif r == "cart_add":
            if a.status == 409:
                self.add(end - 0.002, "warn", "cart", "item out of stock", pod, tr, sku=a.sku)
            else:
                self.add(
                    end - 0.002, "info", "cart", "item added to cart", pod, tr, sku=a.sku, qty=1
                )
        elif r == "cart_page" or (r == "cart_get" and rng.chance(0.5)):  # cart cache miss
            self.add(
                t + a.wait + 0.004,
                "debug",
                "cart",
                "cart loaded from db",
                pod,
                tr,
                items=max(1, a.items),
            )
        elif r == "checkout_page":
            self.add(
                end - 0.03,
                "debug",
                "shipping",
                "shipping options computed",
                pod,
                tr,
                duration_ms=rng.randint(18, 70),
                options=3,
            )
        elif r == "complete_page":
            self.add(
                end - 0.002,
                "debug",
                "orders",
                "confirmation rendered",
                pod,
                tr,
                order_id=a.order.id,
            )
        level = "info" if a.status < 400 else "warn"
        self.add(end, level, "http", f"{a.method} {path} {a.status}", pod, tr, duration_ms=a.app_ms)

    def background(self, prof: Profile, gauges, replays):
        rng = self.rng
        # pool status per pod every 30 s
        for k in range(0, SPAN, 30):
            for pod in range(3):
                t = k + 0.4 + pod * 0.137 + rng.uniform(0, 0.05)
                size = pool_size_at(t)
                in_use = min(size, max(0, gauges.pod_value(t, pod)))
                self.add(
                    t, "debug", "db", "pool status", pod, None, pool_size=size, pool_in_use=in_use
                )
        # price cache refresh every 5 minutes per pod
        for k in range(60, SPAN, 300):
            for pod in range(3):
                t = k + pod * 1.7 + rng.uniform(0, 1)
                self.add(
                    t,
                    "info",
                    "pricing",
                    "price cache refreshed",
                    pod,
                    None,
                    skus=1402,
                    duration_ms=rng.randint(140, 260)
                    if pool_size_at(t) == 50 or t < T_IMPACT
                    else rng.randint(2900, 3400),
                )
        # PSP reconciliation job (leader pod only) every minute: authorisations without an order
        for k in range(20, SPAN, 60):
            t = k + rng.uniform(0, 0.5)
            open_auth = sum(
                1 for tr, o, skipped in replays if o.spool_t <= t < (o.t if skipped else tr)
            )
            level = "warn" if open_auth else "info"
            self.add(
                t,
                level,
                "reconcile",
                "psp reconciliation finished",
                0,
                None,
                checked=rng.randint(8, 40),
                unmatched_authorizations=open_auth,
            )

    def config_reload(self, t, old, new, change):
        for pod in range(3):
            tt = t + 0.31 + pod * 0.19
            self.add(
                tt,
                "info",
                "config",
                f"config reloaded: db.pool.max_size {old} -> {new} ({change})",
                pod,
                None,
                change_id=change,
                diff={"db.pool.max_size": [old, new]},
            )
            self.add(
                tt + 0.004,
                "info",
                "db",
                f"pool disposed and recreated: max_size={new} max_overflow=0 timeout=3.00",
                pod,
                None,
                pool_size=new,
                pool_in_use=0,
            )

    def write(self, path: pathlib.Path) -> list[str]:
        self.events.sort(key=lambda e: (e[0], e[1]))
        lines = []
        for t, _, rec in self.events:
            rec["ts"] = iso_z(t)
            lines.append(json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n")
        path.write_text("".join(lines), encoding="utf-8")
        return lines


# ---------------------------------------------------------------------------------------------
# Connection gauge (metrics + app log + syslog agree)
# ---------------------------------------------------------------------------------------------
class Gauges:
    def __init__(self, seed: int, prof: Profile, replay_end: float):
        self.rng = Rng(seed, 8)
        self.prof = prof
        self.replay_end = replay_end
        n = SPAN // 15 + 1
        self.samples = []  # max over pods at each 15 s step
        self.pod_noise = [[self.rng.randint(0, 2) for _ in range(SPAN // 30 + 2)] for _ in range(3)]
        for i in range(n):
            t = i * 15.0
            self.samples.append(self._value(t))

    def _value(self, t):
        rng = self.rng
        d = self.prof.at(self.prof.demand, t)
        size = pool_size_at(t)
        v = d + rng.normal() * 0.45
        if t >= T_ROLLBACK:
            since = t - T_ROLLBACK
            v += 11.0 * math.exp(-since / 100.0)
            if t < self.replay_end:
                v += 1.0
        if size == POOL_SMALL:
            if t >= T_IMPACT:
                return 5
            return int(min(4, max(1, round(v))))
        return int(max(1, round(v)))

    def at(self, t):
        i = int(t // 15)
        return self.samples[min(i, len(self.samples) - 1)]

    def pod_value(self, t, pod):
        v = self.at(t)
        if pool_size_at(t) == POOL_SMALL and t >= T_IMPACT:
            return 5
        return max(0, v - self.pod_noise[pod][min(int(t // 30), len(self.pod_noise[pod]) - 1)])


# ---------------------------------------------------------------------------------------------
# syslog
# ---------------------------------------------------------------------------------------------
class Syslog:
    def __init__(self, seed: int):
        self.rng = Rng(seed, 3)
        self.events: list[tuple[float, int, str, str]] = []
        self.seq = 0
        self.pg_pid = 2_198_331
        self.backends: list = []
        self.cron_pid = {"db-1": 881_204, "node-a": 410_992, "node-b": 398_115, "lb-1": 221_870}

    def add(self, t, host, prog, msg):
        if 0.0 <= t < SPAN:
            self.seq += 1
            self.events.append((t, self.seq, host, f"{prog}: {msg}"))

    def next_pg_pid(self):
        self.pg_pid += self.rng.randint(1, 4)
        return self.pg_pid

    def pg(self, t, pid, seq, msg, user="checkout", db="shop"):
        prefix = f"{user}@{db} " if user else ""
        self.add(t, "db-1", f"postgres[{pid}]", f"[{seq}-1] {prefix}LOG:  {msg}")

    def pg_connection(self, t_open, t_close, host, user, db, app):
        """Register a backend; pids are handed out later in order of connection time."""
        rng = self.rng
        port = rng.randint(32768, 60999) if host != "[local]" else None
        self.backends.append(
            (
                t_open,
                len(self.backends),
                "conn",
                (t_close, host, user, db, app, port, 0.002 + rng.uniform(0, 0.004)),
            )
        )

    def finalize_backends(self):
        self.backends.sort(key=lambda b: (b[0], b[1]))
        for t_open, _, kind, data in self.backends:
            pid = self.next_pg_pid()
            if kind == "vacuum":
                for i, msg in enumerate(data):
                    prefix = "LOG:  " if i == 0 else ""
                    self.add(
                        t_open + 0.001 * i, "db-1", f"postgres[{pid}]", f"[1-{i + 1}] {prefix}{msg}"
                    )
                continue
            t_close, host, user, db, app, port, auth = data
            where = f"host={host} port={port}" if port else f"host={host}"
            self.add(
                t_open, "db-1", f"postgres[{pid}]", f"[1-1] LOG:  connection received: {where}"
            )
            self.pg(
                t_open + auth,
                pid,
                2,
                f"connection authorized: user={user} database={db} application_name={app}",
                user,
                db,
            )
            if t_close is not None:
                ms = int(round((t_close - t_open) * 1000))
                hh, rest = divmod(ms, 3_600_000)
                mm, rest = divmod(rest, 60_000)
                ss, msr = divmod(rest, 1000)
                self.pg(
                    t_close,
                    pid,
                    3,
                    f"disconnection: session time: {hh}:{mm:02d}:{ss:02d}.{msr:03d} user={user} "
                    f"database={db} {where}",
                    user,
                    db,
                )
        self.backends = []

    def checkout_pools(self, gauges: Gauges):
        """Connections of the three checkout-api pods (pool_recycle=180 s)."""
        rng = self.rng
        recycle = 180.0
        for pod, (_name, ip, _node) in enumerate(PODS):
            slots = 24 + pod % 2
            # phase 1: before CHG-8812, pool 50, ~19 open connections
            opened = [(-rng.uniform(0, recycle)) for _ in range(slots)]
            self._churn(opened, -WARMUP, T_CHG8812 + 0.25 + pod * 0.19, ip, recycle, dispose=True)
            # phase 2: pool 5
            t_re = T_CHG8812 + 0.3 + pod * 0.19
            opened = [t_re + rng.uniform(0.01, 2.5) for _ in range(5)]
            self._churn(opened, t_re, T_ROLLBACK + 0.25 + pod * 0.19, ip, recycle, dispose=True)
            # phase 3: pool 50 again; the backlog opens ~20 connections quickly, later ~20 stay
            t_re = T_ROLLBACK + 0.3 + pod * 0.19
            opened = [t_re + rng.expo(6.0) for _ in range(slots + 2)]
            self._churn(opened, t_re, SPAN + 600, ip, recycle, dispose=False)

    def _churn(self, opened, t_from, t_until, ip, recycle, dispose):
        rng = self.rng
        for t_open in opened:
            while True:
                life = recycle + rng.expo(40.0)
                t_close = t_open + life
                if t_close >= t_until:
                    if dispose:
                        self.pg_connection_clip(t_open, t_until + rng.uniform(0.001, 0.04), ip)
                    else:
                        self.pg_connection_clip(t_open, None, ip)
                    break
                self.pg_connection_clip(t_open, t_close, ip)
                t_open = t_close + rng.uniform(0.0, 8.0)  # reopened on the next checkout

    def pg_connection_clip(self, t_open, t_close, ip):
        self.pg_connection(t_open, t_close, ip, "checkout", "shop", "checkout-api")

    def storefront_pools(self):
        rng = self.rng
        ips = {"old": ["10.244.1.31", "10.244.2.14"], "new": ["10.244.1.35", "10.244.2.19"]}
        life = 1800.0
        for gen, pod_ips in ips.items():
            for ip in pod_ips:
                for _ in range(6):
                    if gen == "old":
                        t_open = -rng.uniform(0, life)
                        end = T_DEPLOY_SF + 35 + rng.uniform(0, 50)
                    else:
                        t_open = T_DEPLOY_SF + 25 + rng.uniform(0, 50)
                        end = SPAN + 999
                    while True:
                        t_close = t_open + life + rng.uniform(-180, 180)
                        if t_close >= end:
                            self.pg_connection(
                                t_open,
                                end if gen == "old" else None,
                                ip,
                                "storefront",
                                "shop",
                                "storefront",
                            )
                            break
                        self.pg_connection(t_open, t_close, ip, "storefront", "shop", "storefront")
                        t_open = t_close + rng.uniform(0, 1)

    def db_host(self):
        rng = self.rng
        # metrics push every minute from cron (local connection)
        for m in range(0, SPAN // 60):
            t = m * 60 + 0.0
            pid = self.cron_pid["db-1"] = self.cron_pid["db-1"] + rng.randint(2, 9)
            self.add(
                t + 0.01,
                "db-1",
                f"CRON[{pid}]",
                "pam_unix(cron:session): session opened for user postgres(uid=107) by (uid=0)",
            )
            self.add(
                t + 0.02,
                "db-1",
                f"CRON[{pid + 1}]",
                "(postgres) CMD (/usr/local/bin/pg_metrics_push.sh >/dev/null 2>&1)",
            )
            c_open = t + rng.uniform(0.05, 0.12)
            self.pg_connection(
                c_open,
                c_open + rng.uniform(0.03, 0.09),
                "[local]",
                "postgres",
                "postgres",
                "pg_metrics_push",
            )
            self.add(
                t + rng.uniform(0.3, 0.6),
                "db-1",
                f"CRON[{pid}]",
                "pam_unix(cron:session): session closed for user postgres",
            )
        # checkpoints every 5 minutes
        lsn = 0x3A9BF0D1C0
        for k in range(0, SPAN + 300, 300):
            t = k + 117.3
            wrote = rng.randint(900, 3200)
            self.add(
                t,
                "db-1",
                "postgres[1042]",
                f"[{4821 + k // 150}-1] LOG:  checkpoint starting: time",
            )
            dist = rng.randint(7000, 16000)
            lsn += dist * 1024
            self.add(
                t + 269.9,
                "db-1",
                "postgres[1042]",
                f"[{4822 + k // 150}-1] LOG:  checkpoint complete: wrote {wrote} buffers "
                f"({wrote / 163.84:.1f}%); 0 WAL file(s) added, 0 removed, 1 recycled; "
                f"write=269.812 s, sync=0.004 s, total=269.901 s; "
                f"sync files={rng.randint(30, 70)}, longest=0.002 s, average=0.001 s; "
                f"distance={dist} kB, estimate={dist + rng.randint(0, 900)} kB; "
                f"lsn={lsn >> 32:X}/{lsn & 0xFFFFFFFF:08X}, "
                f"redo lsn={lsn >> 32:X}/{(lsn - 900_000) & 0xFFFFFFFF:08X}",
            )
        # autovacuum of the busy tables
        for t0, table in (
            (hms(13, 11, 4), "cart_items"),
            (hms(13, 48, 52), "carts"),
            (hms(14, 27, 19), "cart_items"),
            (hms(15, 9, 40), "order_events"),
            (hms(15, 44, 2), "cart_items"),
        ):
            pages = rng.randint(1200, 3800)
            msgs = [
                f'automatic vacuum of table "shop.public.{table}": index scans: 1',
                f"#011pages: 0 removed, {pages} remain, {rng.randint(200, 900)} scanned "
                f"({rng.uniform(10, 40):.2f}% of total)",
                f"#011tuples: {rng.randint(2000, 9000)} removed, {rng.randint(40000, 160000)} "
                "remain, 0 are dead but not yet removable",
                f"#011avg read rate: {rng.uniform(0.5, 4):.3f} MB/s, avg write rate: "
                f"{rng.uniform(0.5, 3):.3f} MB/s",
                f"#011system usage: CPU: user: 0.{rng.randint(10, 60):02d} s, system: "
                f"0.0{rng.randint(1, 9)} s, elapsed: {rng.uniform(0.5, 2.5):.2f} s",
            ]
            self.backends.append((t0, len(self.backends), "vacuum", msgs))

    def hosts_routine(self):
        rng = self.rng
        for host in ("db-1", "node-a", "node-b", "lb-1"):
            off = rng.uniform(0, 3)
            for k in range(0, SPAN, 600):
                t = k + off
                self.add(
                    t,
                    host,
                    "systemd[1]",
                    "Starting sysstat-collect.service - system activity accounting tool...",
                )
                self.add(
                    t + 0.05,
                    host,
                    "systemd[1]",
                    "sysstat-collect.service: Deactivated successfully.",
                )
                self.add(
                    t + 0.06,
                    host,
                    "systemd[1]",
                    "Finished sysstat-collect.service - system activity accounting tool.",
                )
            for h in range(3):
                t = h * 3600 + 17 * 60 + 0.01
                pid = self.cron_pid[host] = self.cron_pid[host] + rng.randint(10, 400)
                self.add(
                    t,
                    host,
                    f"CRON[{pid}]",
                    "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
                )
                self.add(
                    t + 0.01,
                    host,
                    f"CRON[{pid + 1}]",
                    "(root) CMD (cd / && run-parts --report /etc/cron.hourly)",
                )
                self.add(
                    t + 0.03,
                    host,
                    f"CRON[{pid}]",
                    "pam_unix(cron:session): session closed for user root",
                )
        # lb-1 firewall noise from scanners
        t = rng.uniform(0, 10)
        uptime = 8_412_337.0
        while t < SPAN:
            src = rng.pick(["203.0.113.", "198.51.100.", "192.0.2."]) + str(rng.randint(1, 254))
            dpt = rng.pick([22, 23, 23, 3389, 445, 8080, 5900, 6379, 2323, 1433, 3306, 8443, 25])
            self.add(
                t,
                "lb-1",
                "kernel",
                f"[{uptime + t:.6f}] [UFW BLOCK] IN=eth0 OUT= "
                f"MAC=02:00:0a:28:00:0b:02:00:0a:28:00:01:08:00 SRC={src} DST=10.40.0.11 LEN=44 "
                f"TOS=0x00 PREC=0x00 TTL={rng.randint(230, 250)} ID={rng.randint(1, 65535)} "
                f"PROTO=TCP SPT={rng.randint(1024, 65535)} DPT={dpt} "
                f"WINDOW={rng.pick([1024, 14600, 29200, 65535])} RES=0x00 SYN URGP=0",
            )
            t += rng.expo(24.0)
        # kubelet garbage collection and cert checks (routine)
        for node, pid in (("node-a", 1187), ("node-b", 1203)):
            for k in range(120, SPAN, 300):
                t = k + rng.uniform(0, 5)
                self.add(
                    t,
                    node,
                    f"kubelet[{pid}]",
                    klog(
                        t,
                        pid,
                        "I",
                        "container_gc.go:88",
                        '"Attempting to delete unused containers"',
                    ),
                )

    def config_agent(self):
        rng = self.rng
        revs = {"node-a": 2211, "node-b": 2198}
        for node, pid in revs.items():
            off = rng.uniform(5, 30)
            for k in range(0, SPAN, 300):
                t = k + off
                rev = "r20931" if t < T_CHG8812 else ("r20934" if t < T_ROLLBACK else "r20937")
                self.add(
                    t, node, f"config-agent[{pid}]", f"poll: revision {rev} up to date (3 files)"
                )
            for t_c, rev, change, old, new in (
                (T_CHG8812, "r20934", "CHG-8812", 50, 5),
                (T_ROLLBACK, "r20937", "CHG-8813", 5, 50),
            ):
                base = t_c + 0.04 + (0.0 if node == "node-a" else 0.06)
                self.add(base, node, f"config-agent[{pid}]", f"fetched revision {rev} ({change})")
                self.add(
                    base + 0.12,
                    node,
                    f"config-agent[{pid}]",
                    f"rendered /etc/checkout/db.yaml for env=production: db.pool.max_size {old} -> "
                    f"{new}",
                )
                self.add(
                    base + 0.16,
                    node,
                    f"config-agent[{pid}]",
                    f"applied /etc/checkout/db.yaml from {change}",
                )
                pods = [p[0] for p in PODS if p[2] == node]
                self.add(
                    base + 0.2,
                    node,
                    f"config-agent[{pid}]",
                    f"sent SIGHUP to {len(pods)} pod(s): {', '.join(pods)}",
                )

    def kubelet(self, prof: Profile):
        rng = self.rng
        # storefront v2.31.0 rolling update at 13:15
        olds = [
            ("storefront-7d9f8c6b4-qk2vd", "node-a", 1187),
            ("storefront-7d9f8c6b4-w8rtx", "node-b", 1203),
        ]
        news = [
            ("storefront-5b8c7f9d2-h4zlm", "node-a", 1187),
            ("storefront-5b8c7f9d2-p9cjn", "node-b", 1203),
        ]
        t = T_DEPLOY_SF + 2.4
        for (old, node, pid), (new, _, _) in zip(olds, news, strict=True):
            self.add(
                t,
                node,
                f"kubelet[{pid}]",
                klog(
                    t,
                    pid,
                    "I",
                    "kubelet.go:2463",
                    f'"SyncLoop ADD" source="api" pods=["shop/{new}"]',
                ),
            )
            self.add(
                t + 1.2,
                node,
                f"kubelet[{pid}]",
                klog(
                    t + 1.2,
                    pid,
                    "I",
                    "kuberuntime_manager.go:1128",
                    '"Pulling image" image="registry.harborpine.example/shop/storefront:2.31.0" '
                    f'pod="shop/{new}"',
                ),
            )
            self.add(
                t + 9.8,
                node,
                f"kubelet[{pid}]",
                klog(
                    t + 9.8,
                    pid,
                    "I",
                    "kuberuntime_container.go:293",
                    f'"Started container" pod="shop/{new}" containerName="storefront"',
                ),
            )
            self.add(
                t + 24.5,
                node,
                f"kubelet[{pid}]",
                klog(
                    t + 24.5,
                    pid,
                    "I",
                    "prober.go:120",
                    f'"Readiness probe status changed" pod="shop/{new}" containerName="storefront" '
                    'status="ready"',
                ),
            )
            self.add(
                t + 31.0,
                node,
                f"kubelet[{pid}]",
                klog(
                    t + 31.0,
                    pid,
                    "I",
                    "kubelet.go:2479",
                    f'"SyncLoop DELETE" source="api" pods=["shop/{old}"]',
                ),
            )
            self.add(
                t + 31.1,
                node,
                f"kubelet[{pid}]",
                klog(
                    t + 31.1,
                    pid,
                    "I",
                    "kuberuntime_container.go:809",
                    f'"Killing container with a grace period" pod="shop/{old}" '
                    'containerName="storefront" gracePeriod=30',
                ),
            )
            t += 41.0
        # readiness probes of checkout-api (/readyz checks a pool connection, 1 s timeout)
        for pod, (name, ip, node) in enumerate(PODS):
            pid = 1187 if node == "node-a" else 1203
            t = 3.0 + pod * 3.3
            while t < SPAN:
                p = prof.at(prof.p_fail, t)
                if p > 0 and rng.chance(min(0.9, p * 1.1)):
                    self.add(
                        t + 1.0,
                        node,
                        f"kubelet[{pid}]",
                        klog(
                            t + 1.0,
                            pid,
                            "I",
                            "prober.go:107",
                            f'"Probe failed" probeType="Readiness" pod="shop/{name}" '
                            f'podUID="{pod_uid(pod)}" containerName="checkout-api" '
                            f'probeResult="failure" output="Get \\"http://{ip}:8080/readyz\\": '
                            "context deadline exceeded (Client.Timeout exceeded while awaiting "
                            'headers)"',
                        ),
                    )
                t += 10.0

    def sshd(self):
        rng = self.rng
        sessions = [  # (start, end, host, user, uid, src, sid)
            (hms(13, 40, 12), hms(13, 41, 3), "node-b", "ansible", 1100, "10.40.0.5", 5127),
            (hms(13, 40, 14), hms(13, 41, 5), "node-a", "ansible", 1100, "10.40.0.5", 5311),
            (hms(13, 40, 15), hms(13, 41, 6), "lb-1", "ansible", 1100, "10.40.0.5", 2278),
            (hms(14, 19, 41), hms(14, 52, 10), "node-a", "priya", 1004, "10.8.0.14", 5312),
            (hms(14, 21, 27), hms(14, 49, 55), "db-1", "priya", 1004, "10.8.0.14", 3306),
            (hms(14, 30, 5), hms(14, 45, 31), "node-a", "mkowalski", 1007, "10.8.0.22", 5313),
            (hms(15, 2, 44), hms(15, 6, 12), "db-1", "priya", 1004, "10.8.0.14", 3307),
        ]
        for start, end, host, user, uid, src, sid in sessions:
            pid = rng.randint(300_000, 900_000)
            port = rng.randint(40000, 65000)
            fp = ssh_key_fingerprint(user)
            self.add(
                start,
                host,
                f"sshd[{pid}]",
                f"Accepted publickey for {user} from {src} port {port} ssh2: ED25519 SHA256:{fp}",
            )
            self.add(
                start + 0.01,
                host,
                f"sshd[{pid}]",
                f"pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)",
            )
            self.add(
                start + 0.03, host, "systemd-logind[612]", f"New session {sid} of user {user}."
            )
            self.add(
                start + 0.05,
                host,
                "systemd[1]",
                f"Started session-{sid}.scope - Session {sid} of User {user}.",
            )
            self.add(
                end,
                host,
                f"sshd[{pid}]",
                f"Received disconnect from {src} port {port}:11: disconnected by user",
            )
            self.add(
                end + 0.001,
                host,
                f"sshd[{pid}]",
                f"Disconnected from user {user} {src} port {port}",
            )
            self.add(
                end + 0.002,
                host,
                f"sshd[{pid}]",
                "pam_unix(sshd:session): session closed for user " + user,
            )
            self.add(
                end + 0.01, host, "systemd[1]", f"session-{sid}.scope: Deactivated successfully."
            )
            self.add(
                end + 0.02,
                host,
                "systemd-logind[612]",
                f"Session {sid} logged out. Waiting for processes to exit.",
            )
            if user == "priya" and host == "db-1":
                # psql session to look at pg_stat_activity
                self.pg_connection(start + 21.4, end - 6.0, "[local]", "priya", "shop", "psql")

    def write(self, path: pathlib.Path) -> list[str]:
        self.finalize_backends()
        self.events.sort(key=lambda e: (e[0], e[1]))
        lines = []
        cache: dict[int, str] = {}
        for t, _, host, msg in self.events:
            sec = int(t)
            ts = cache.get(sec)
            if ts is None:
                ts = cache[sec] = syslog_time(sec)
            lines.append(f"{ts} {host} {msg}\n")
        path.write_text("".join(lines), encoding="utf-8")
        return lines


def klog(t: float, pid: int, sev: str, where: str, msg: str) -> str:
    """A klog header in the node's local time (Europe/Berlin)."""
    sec = int(t)
    # sub-second part plus a small deterministic scatter (kubelet's own scheduling noise)
    scatter = (int(t * 1000) * 2654435761 + pid) % 40_000
    us = min(999_999, int(round((t - sec) * 1_000_000)) + scatter)
    h, m, s = _clock(sec, BERLIN_OFFSET_H)
    return f"{sev}1014 {h:02d}:{m:02d}:{s:02d}.{us:06d}    {pid} {where}] {msg}"


def ssh_key_fingerprint(user: str) -> str:
    """A stable OpenSSH-style SHA256 fingerprint (unpadded base64) for the user's key."""
    digest = hashlib.sha256(f"harborpine-{user}-ed25519".encode()).digest()
    return base64.b64encode(digest).decode().rstrip("=")


def pod_uid(i: int) -> str:
    return [
        "3f1c9a52-8e0b-4d67-a1f2-6c0e9b7d2a41",
        "b72e04d9-1a3c-4f85-9e6b-0d4a8c3f5e12",
        "9c5d7e21-6b4a-4e09-8f3d-2a1b0c9e7f63",
    ][i]


# ---------------------------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------------------------
def compute_http_buckets(reqs):
    n = SPAN // 15
    counts = np.zeros(n, dtype=np.int64)
    errors = np.zeros(n, dtype=np.int64)
    times: list[list[float]] = [[] for _ in range(n)]
    for r in reqs:
        b = int(r[0]) // 15
        counts[b] += 1
        if r[6] >= 500:
            errors[b] += 1
        times[b].append(r[10])
    p99 = np.array([float(np.percentile(np.array(x), 99)) if x else 0.0 for x in times])
    return counts, errors, p99


def write_metrics(path: pathlib.Path, counts, errors, p99, gauges: Gauges) -> list[str]:
    lines = ["timestamp,metric,service,value\n"]
    for i in range(SPAN // 15):
        t = i * 15.0
        ts = iso_z(t, ms=False)
        lines.append(f"{ts},http_requests_per_second,storefront,{counts[i] / 15.0:.3f}\n")
        lines.append(f"{ts},http_error_ratio,storefront,{errors[i] / counts[i]:.5f}\n")
        lines.append(f"{ts},http_latency_p99_seconds,storefront,{p99[i]:.3f}\n")
        lines.append(f"{ts},db_connections_in_use,checkout-api,{gauges.at(t)}\n")
        lines.append(f"{ts},db_pool_max_size,checkout-api,{pool_size_at(t)}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return lines


# ---------------------------------------------------------------------------------------------
# deploys, alerts, slack
# ---------------------------------------------------------------------------------------------
def write_deploys(path: pathlib.Path):
    records = [
        {
            "id": "CHG-8807",
            "time": iso_offset(T_DEPLOY_SF, BERLIN_OFFSET_H),
            "service": "storefront",
            "kind": "deploy",
            "description": "storefront v2.31.0: lazy-load category images, new footer links "
            "(rolling update, 2 pods)",
            "author": "jlopez",
            "status": "succeeded",
        },
        {
            "id": "CHG-8810",
            "time": iso_offset(hms(13, 48, 30), BERLIN_OFFSET_H),
            "service": "lb-1",
            "kind": "maintenance",
            "description": "automated TLS certificate renewal for shop.harborpine.example (no "
            "reload needed)",
            "author": "cert-renewer",
            "status": "succeeded",
        },
        {
            "id": "CHG-8812",
            "time": iso_offset(T_CHG8812, BERLIN_OFFSET_H),
            "service": "checkout-api",
            "kind": "config",
            "description": "db.pool.max_size 50 -> 5 (config repo revision r20934; intended for "
            "staging load-test sizing)",
            "author": "mkowalski",
            "status": "succeeded",
        },
        {
            "id": "CHG-8813",
            "time": iso_offset(T_ROLLBACK, BERLIN_OFFSET_H),
            "service": "checkout-api",
            "kind": "config",
            "description": "rollback of CHG-8812: db.pool.max_size 5 -> 50 (revision r20937), "
            "incident INC-2041",
            "author": "mkowalski",
            "status": "succeeded",
        },
    ]
    text = "[\n" + ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"
    path.write_text(text, encoding="utf-8")
    return {r["id"]: i + 2 for i, r in enumerate(records)}


def fnv64a_labels(labels: dict) -> str:
    """Prometheus model.LabelsToSignature-style FNV-1a fingerprint of a label set."""
    h = 0xCBF29CE484222325
    prime = 0x100000001B3
    for name in sorted(labels):
        for part in (name.encode(), b"\xff", labels[name].encode(), b"\xff"):
            for byte in part:
                h ^= byte
                h = (h * prime) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def alert_times(reqs) -> dict:
    """Evaluate the checkout alert rules on the simulated requests (Prometheus-style: every
    30 s, [5m] windows, ``for: 2m``, ``keep_firing_for``), so alerts.json agrees with the log."""
    ts, err, lat = [], [], []
    for r in reqs:
        if r[12]:
            ts.append(int(r[0]))
            err.append(r[6] >= 500)
            lat.append(r[10])
    ts = np.array(ts)
    err = np.array(err)
    lat = np.array(lat)

    def rule(cond, start, for_s, keep_s):
        pending = fired = cleared = None
        for ev in range(int(start), SPAN, 30):
            sel = (ts > ev - 300) & (ts <= ev)
            c = cond(sel)
            if fired is None:
                if c and pending is None:
                    pending = ev
                elif not c:
                    pending = None
                if pending is not None and ev - pending >= for_s:
                    fired = ev
            elif not c and cleared is None:
                cleared = ev
            elif c:
                cleared = None
            if cleared is not None and ev - cleared >= keep_s:
                return fired, cleared + keep_s
        raise RuntimeError("alert did not resolve")

    def tuned(cond, keep_s, target):
        """``for:`` is set per rule; pick the usual value that matches the story."""
        for for_s in (120, 150, 90, 180, 60, 210, 240):
            fired, resolved = rule(cond, hms(13, 30), for_s, keep_s)
            if fired == target:
                return fired, resolved
        return rule(cond, hms(13, 30), 120, keep_s)

    out = {}
    out["err_fired"], out["err_resolved"] = tuned(lambda sel: err[sel].mean() > 0.05, 120, T_PAGE)
    out["lat_fired"], out["lat_resolved"] = tuned(
        lambda sel: float(np.quantile(lat[sel], 0.99)) > 2.0, 180, T_ALERT_LAT
    )
    sel = (ts > out["err_fired"] - 300) & (ts <= out["err_fired"])
    out["ratio_at_fire"] = 100.0 * err[sel].mean()
    out["pool_resolved"] = (
        hms(14, 37, 0) + 300
    )  # gauge below the limit from 14:37:00, keep_firing_for 5m
    if (out["err_fired"], out["lat_fired"]) != (T_PAGE, T_ALERT_LAT):
        print(
            "warning: alert rules fire at "
            f"{hms_str(out['err_fired'])}/{hms_str(out['lat_fired'])}, "
            f"story says {hms_str(T_PAGE)}/{hms_str(T_ALERT_LAT)}"
        )
    return out


def write_alerts(path: pathlib.Path, at: dict):
    from urllib.parse import quote

    prom = "https://prometheus.harborpine.example/graph?g0.expr="
    snapshot = hms(14, 49, 32.118)
    alerts = []

    def alert(
        labels, annotations, starts, ends, updated, expr, receiver, state="active", inhibited=None
    ):
        fp = fnv64a_labels(labels)
        alerts.append(
            {
                "annotations": annotations,
                "endsAt": iso_z(ends),
                "fingerprint": fp,
                "receivers": [{"name": receiver}],
                "startsAt": iso_z(starts),
                "status": {"inhibitedBy": inhibited or [], "silencedBy": [], "state": state},
                "updatedAt": iso_z(updated),
                "generatorURL": prom + quote(expr, safe="") + "&g0.tab=1",
                "labels": labels,
            }
        )
        return fp

    base = {"cluster": "prod-eu1", "prometheus": "monitoring/k8s"}
    alert(
        dict(base, alertname="Watchdog", severity="none"),
        {
            "summary": "An alert that should always be firing to certify that Alertmanager is "
            "working properly.",
            "description": "This is an alert meant to ensure that the entire alerting pipeline is "
            "functional.",
            "runbook_url": "https://runbooks.harborpine.example/general/watchdog",
        },
        hms(-40, 12, 7.441),
        snapshot + 240,
        snapshot - 12.3,
        "vector(1)",
        "null",
    )
    alert(
        dict(
            base,
            alertname="NodeFilesystemSpaceFillingUp",
            severity="warning",
            instance="lb-1:9100",
            device="/dev/sda1",
            mountpoint="/var/log",
            service="node-exporter",
        ),
        {
            "summary": "Filesystem on /dev/sda1 at lb-1 is predicted to run out of space within "
            "the next 24 hours.",
            "description": "Filesystem on /dev/sda1 at lb-1 has only 14.2% available space left "
            "and is filling up.",
            "runbook_url": "https://runbooks.harborpine.example/node/nodefilesystemspacefillingup",
        },
        hms(11, 52, 40.12),
        snapshot + 240,
        snapshot - 12.3,
        'node_filesystem_avail_bytes{mountpoint="/var/log"} / node_filesystem_size_bytes < 0.15 '
        "and predict_linear(node_filesystem_avail_bytes[6h], 24*3600) < 0",
        "slack-infra",
    )
    pool_expr = (
        "max by (service, pod, instance) "
        '(db_pool_connections_in_use{service="checkout-api"} / '
        'db_pool_max_size{service="checkout-api"}) >= 1'
    )
    for i, (name, ip, _node) in enumerate(PODS):
        starts = T_ALERT_POOL + (30.0 if i == 2 else 0.0) + 0.183
        ends = at["pool_resolved"] + 0.183 + (30.0 if i == 2 else 0.0)
        alert(
            dict(
                base,
                alertname="DBConnectionPoolSaturated",
                severity="warning",
                service="checkout-api",
                namespace="shop",
                pod=name,
                instance=f"{ip}:8080",
                team="checkout",
            ),
            {
                "summary": f"checkout-api pod {name} has no free database connections",
                "description": f"All connections of the SQLAlchemy pool on {name} have been in use "
                "for more than 2 minutes (pool max_size 5).",
                "runbook_url": "https://runbooks.harborpine.example/checkout/db-pool-saturated",
            },
            starts,
            ends,
            ends,
            pool_expr,
            "slack-checkout",
        )
    routes = 'route=~"/checkout.*|/cart.*|/api/cart.*|/api/orders.*"'
    err_expr = (
        f'sum(rate(nginx_http_requests_total{{service="storefront",{routes},status=~"5.."}}[5m])) '
        f'/ sum(rate(nginx_http_requests_total{{service="storefront",{routes}}}[5m])) > 0.05'
    )
    err_labels = dict(
        base,
        alertname="CheckoutHighErrorRate",
        severity="critical",
        service="checkout-api",
        namespace="shop",
        team="checkout",
        page="true",
    )
    err_fp = alert(
        err_labels,
        {
            "summary": "More than 5% of checkout requests fail",
            "description": "The 5-minute 5xx ratio of /checkout, /cart, /api/cart and /api/orders "
            f"is above 5% (value at firing: {at['ratio_at_fire']:.0f}%).",
            "runbook_url": "https://runbooks.harborpine.example/checkout/high-error-rate",
        },
        at["err_fired"] + 0.187,
        at["err_resolved"] + 0.187,
        at["err_resolved"] + 0.187,
        err_expr,
        "pagerduty-checkout",
    )
    lat_expr = (
        "histogram_quantile(0.99, sum by (le) "
        '(rate(nginx_http_request_duration_seconds_bucket{service="storefront",'
        'route=~"/checkout.*|/cart.*|/api/cart.*|/api/orders.*"}[5m]))) > 2'
    )
    alert(
        dict(
            base,
            alertname="CheckoutLatencyHigh",
            severity="warning",
            service="checkout-api",
            namespace="shop",
            team="checkout",
        ),
        {
            "summary": "Checkout p99 latency above 2 s",
            "description": "The 5-minute p99 latency of checkout requests is above 2 s.",
            "runbook_url": "https://runbooks.harborpine.example/checkout/latency",
        },
        at["lat_fired"] + 0.187,
        at["lat_resolved"] + 0.187,
        at["lat_resolved"] + 0.187,
        lat_expr,
        "slack-checkout",
        state="suppressed",
        inhibited=[err_fp],
    )
    # Alertmanager lists alerts sorted by fingerprint-independent order: keep start time order
    alerts.sort(key=lambda a: (a["startsAt"], a["labels"].get("pod", "")))
    text = json.dumps(alerts, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return alerts, object_start_lines(text, 2)


def object_start_lines(text: str, indent: int) -> list[int]:
    """1-based line numbers where the top-level list's objects start (pretty-printed JSON)."""
    marker = " " * indent + "{"
    return [i + 1 for i, line in enumerate(text.split("\n")) if line == marker]


USERS = [
    {
        "id": "U04K7PRYA2Q",
        "name": "priya",
        "real_name": "Priya Raman",
        "title": "Site Reliability Engineer",
        "tz": "Europe/Berlin",
        "tz_label": "Central European Summer Time",
        "tz_offset": 7200,
        "color": "9f69e7",
    },
    {
        "id": "U03DCH3N8LM",
        "name": "dchen",
        "real_name": "Dana Chen",
        "title": "Engineering Manager, Platform",
        "tz": "America/New_York",
        "tz_label": "Eastern Daylight Time",
        "tz_offset": -14400,
        "color": "4bbe2e",
    },
    {
        "id": "U05MKW4L5KI",
        "name": "mkowalski",
        "real_name": "Marek Kowalski",
        "title": "Backend Engineer, Checkout",
        "tz": "Europe/Warsaw",
        "tz_label": "Central European Summer Time",
        "tz_offset": 7200,
        "color": "e7392d",
    },
    {
        "id": "U06SREB0T01",
        "name": "sre-bot",
        "real_name": "sre-bot",
        "title": "",
        "tz": "America/Los_Angeles",
        "tz_label": "Pacific Daylight Time",
        "tz_offset": -25200,
        "color": "3c989f",
        "is_bot": True,
    },
]
TEAM = "T02HRBRPN3"
CHANNEL_ID = "C07R2041INC"


def slack_users():
    out = []
    for u in USERS:
        bot = u.get("is_bot", False)
        out.append(
            {
                "id": u["id"],
                "team_id": TEAM,
                "name": u["name"],
                "deleted": False,
                "color": u["color"],
                "real_name": u["real_name"],
                "tz": u["tz"],
                "tz_label": u["tz_label"],
                "tz_offset": u["tz_offset"],
                "profile": {
                    "title": u["title"],
                    "phone": "",
                    "skype": "",
                    "real_name": u["real_name"],
                    "real_name_normalized": u["real_name"],
                    "display_name": u["name"],
                    "display_name_normalized": u["name"],
                    "status_text": "",
                    "status_emoji": "",
                    "avatar_hash": "g" + u["id"][-8:].lower(),
                    "first_name": u["real_name"].split()[0],
                    "last_name": " ".join(u["real_name"].split()[1:]),
                    "team": TEAM,
                },
                "is_admin": u["name"] == "dchen",
                "is_owner": False,
                "is_primary_owner": False,
                "is_restricted": False,
                "is_ultra_restricted": False,
                "is_bot": bot,
                "is_app_user": False,
                "updated": 1788000000 + int(u["id"][-3:], 36) % 100000,
            }
        )
    return out


def uid(name: str) -> str:
    return next(u["id"] for u in USERS if u["name"] == name)


def slack_escape(text: str) -> str:
    """Slack stores &, < and > escaped, except in its own <...> markup."""
    out = []
    i = 0
    while i < len(text):
        if text[i] == "<":
            j = text.find(">", i)
            inner = text[i + 1 : j]
            if inner.startswith(("@", "#", "!", "http")):
                out.append("<" + inner.replace("&", "&amp;") + ">")
                i = j + 1
                continue
            out.append("&lt;")
        elif text[i] == ">":
            out.append("&gt;")
        elif text[i] == "&":
            out.append("&amp;")
        else:
            out.append(text[i])
        i += 1
    return "".join(out)


def write_slack(root: pathlib.Path, rng: Rng, facts: dict):
    P, D, M, B = (f"<@{uid(n)}>" for n in ("priya", "dchen", "mkowalski", "sre-bot"))
    dash = "<https://grafana.harborpine.example/d/checkout|checkout dashboard>"
    msgs = [
        (T_CHANNEL, "sre-bot", "join", f"{B} has joined the channel"),
        (
            T_CHANNEL + 1.4,
            "sre-bot",
            "msg",
            ":rotating_light: *INC-2041* opened from PagerDuty incident Q2K7VXM8 — "
            "*CheckoutHighErrorRate* (critical): "
            f"{facts['page_ratio']:.0f}% of checkout requests return 5xx (threshold 5%). On-call: "
            f"{P}. "
            f"Incident commander rotation: {D}. {dash}",
        ),
        (hms(14, 14, 38), "dchen", "join", f"{D} has joined the channel"),
        (
            hms(14, 15, 12),
            "dchen",
            "msg",
            f"I'm taking IC. {P} are you on it? Page went out at 14:12.",
        ),
        (hms(14, 15, 51), "priya", "join", f"{P} has joined the channel"),
        (
            T_ACK,
            "sre-bot",
            "msg",
            f":white_check_mark: {P} acknowledged PagerDuty incident Q2K7VXM8 "
            "(CheckoutHighErrorRate).",
        ),
        (
            hms(14, 16, 34),
            "priya",
            "msg",
            f"ack, on my laptop now. {dash} shows 502/504 on /checkout, /cart, /api/cart and "
            "/api/orders, started around 14:07.",
        ),
        (hms(14, 17, 30), "alertmanager", "bot", ""),
        (
            hms(14, 18, 42),
            "dchen",
            "msg",
            "Customer impact? Is checkout down completely or intermittent?",
        ),
        (
            hms(14, 19, 29),
            "priya",
            "msg",
            f"Intermittent. About {facts['ratio_1414']:.0f}% of checkout requests fail since "
            "14:10, the rest of the shop works but is a bit slower. "
            "checkout-api logs `QueuePool limit of size 5 overflow 0 reached, connection timed "
            "out, timeout 3.00`",
        ),
        (
            hms(14, 20, 15),
            "dchen",
            "msg",
            "Anything deployed in the window? I see CHG-8807 storefront v2.31.0 at 13:15 in the "
            "change log.",
        ),
        (
            hms(14, 21, 8),
            "priya",
            "msg",
            "That one was at 13:15 and storefront isn't on the checkout path, errors only start at "
            "14:07. I don't think it's that.",
        ),
        (
            hms(14, 22, 46),
            "priya",
            "msg",
            "DB side looks healthy: db-1 CPU ~20%, no lock waits, no slow queries. "
            "pg_stat_activity shows only 15 connections from checkout-api.",
        ),
        (
            hms(14, 23, 31),
            "dchen",
            "msg",
            "Traffic? Marketing sent the autumn sale newsletter at 14:00.",
        ),
        (
            hms(14, 24, 40),
            "priya",
            "msg",
            f"Requests are up ~{facts['traffic_up']:.0f}% vs 13:00 and checkout traffic roughly "
            "doubled, but that's a normal busy day. "
            "We ran Black Friday with far more on the same pods.",
        ),
        (
            hms(14, 25, 22),
            "dchen",
            "msg",
            "So why would the pool be 5? I thought it was 50 per pod.",
        ),
        (
            hms(14, 26, 10),
            "priya",
            "msg",
            "db_pool_max_size dropped from 50 to 5 at 14:02 on all three pods, and "
            "db_connections_in_use has been flat at 5 since 14:07. "
            "Something changed the config.",
        ),
        (
            hms(14, 27, 5),
            "dchen",
            "msg",
            f"{M} can you join? Did a config change land on checkout-api around 14:02?",
        ),
        (hms(14, 28, 3), "mkowalski", "join", f"{M} has joined the channel"),
        (
            T_SUSPECT,
            "mkowalski",
            "msg",
            "Yes, CHG-8812 at 14:02:11: db.pool.max_size 50 -> 5. That value was meant for the "
            "staging load test, "
            "the template rendered it for production as well.",
        ),
        (
            hms(14, 29, 44),
            "priya",
            "msg",
            "That matches: config-agent on node-a and node-b logged `applied /etc/checkout/db.yaml "
            "from CHG-8812` at 16:02:11 (Berlin time = 14:02:11 UTC), "
            "and every pod logged `config reloaded` right after.",
        ),
        (
            hms(14, 30, 37),
            "dchen",
            "msg",
            "Options: (1) roll back CHG-8812 through the change system, (2) scale checkout-api "
            "out. Rollback returns us to a known-good state.",
        ),
        (
            hms(14, 31, 24),
            "mkowalski",
            "msg",
            "Rollback would be CHG-8813, same path as the push, takes 1-2 min to reach the pods. "
            "Preparing it now.",
        ),
        (
            hms(14, 32, 36),
            "priya",
            "msg",
            "Headroom check: 3 pods x 50 = 150 connections max, db-1 has max_connections 300 and "
            "~30 open right now. Fine.",
        ),
        (
            hms(14, 33, 12),
            "dchen",
            "msg",
            'Status page updated: "Some customers are unable to complete checkout. We are working '
            'on a fix."',
        ),
        (
            T_DECIDE,
            "dchen",
            "msg",
            f"Decision: roll back CHG-8812 now. {M} go ahead, {P} please watch the pool gauge and "
            "error ratio.",
        ),
        (
            hms(14, 36, 52),
            "mkowalski",
            "msg",
            "CHG-8813 applied at 14:36:40, config-agent reports applied on both nodes, pods "
            "reloaded with max_size 50.",
        ),
        (
            hms(14, 38, 21),
            "priya",
            "msg",
            f"Pool is back at 50, in-use jumped to {facts['inuse_peak']} while the queue drains. "
            "5xx dropping fast.",
        ),
        (
            hms(14, 39, 33),
            "priya",
            "msg",
            f"No QueuePool errors since {facts['last_error']} UTC. {facts['spooled']} orders "
            "were spooled during the incident "
            "(payment authorised, no order row yet); the replay worker is in backoff, next run "
            f"{facts['replay_start']}.",
        ),
        (
            T_MITIGATED,
            "dchen",
            "msg",
            f"Error ratio {facts['ratio_after']:.2f}% since 14:38, under 1%. Calling it "
            "*mitigated* at 14:41. "
            "Keeping the incident open until the spooled orders are replayed and verified.",
        ),
        (facts["err_resolved"] + 4.6, "alertmanager", "bot_resolved", ""),
        (
            hms(14, 47, 18),
            "mkowalski",
            "msg",
            f"Spool drained at {facts['drained']}: {facts['replayed']} orders replayed, "
            f"{facts['skipped']} skipped because the customer "
            "had already retried successfully (same idempotency key).",
        ),
        (
            hms(14, 52, 40),
            "priya",
            "msg",
            'Support reports customers who saw "Something went wrong" on payment. Those who '
            "retried successfully got exactly one order, "
            "the others get the confirmation email from the replay.",
        ),
        (
            hms(14, 58, 12),
            "mkowalski",
            "msg",
            f"PSP reconciliation shows 0 unmatched authorisations since {facts['recon_zero']} (it "
            f"peaked at {facts['recon_peak']} during the incident).",
        ),
        (
            hms(15, 2, 55),
            "priya",
            "msg",
            "Spot-checked 20 orders from the window in admin: each completed once, no double "
            "captures. Pool in-use is back to normal levels.",
        ),
        (
            T_RESOLVED,
            "dchen",
            "msg",
            f"Resolved at 15:05. Thanks {P} {M}. Postmortem draft by {P} and me, review on "
            "Thursday. Please don't push config to checkout-api until then.",
        ),
        (
            hms(15, 5, 9),
            "sre-bot",
            "msg",
            f":large_green_circle: INC-2041 marked *resolved* by {D}. Duration since page: 52 min.",
        ),
        (hms(15, 9, 47), "dchen", "msg", "Status page: resolved."),
    ]
    out = []
    used = set()
    for t, who, kind, text in msgs:
        sec = T0_EPOCH + int(t)
        micro = rng.randint(100, 999_899)
        ts = f"{sec}.{micro:06d}"
        while ts in used:
            micro += 1
            ts = f"{sec}.{micro:06d}"
        used.add(ts)
        if kind == "join":
            out.append(
                {
                    "type": "message",
                    "subtype": "channel_join",
                    "ts": ts,
                    "user": uid(who),
                    "text": text,
                }
            )
        elif kind in ("bot", "bot_resolved"):
            if kind == "bot":
                title = "[FIRING:1] CheckoutHighErrorRate checkout-api (critical)"
                body = (
                    "*Summary:* More than 5% of checkout requests fail\n*Description:* 5xx ratio "
                    "on /checkout, /cart, /api/cart "
                    "and /api/orders is above 5% for 5 minutes.\n*Also firing:* "
                    "DBConnectionPoolSaturated x3 (warning)"
                )
                color = "danger"
            else:
                title = "[RESOLVED] CheckoutHighErrorRate checkout-api (critical)"
                body = (
                    "*Summary:* More than 5% of checkout requests fail\n*Resolved at:* "
                    f"{hms_str(facts['err_resolved'])} UTC"
                )
                color = "good"
            out.append(
                {
                    "type": "message",
                    "subtype": "bot_message",
                    "text": "",
                    "ts": ts,
                    "username": "alertmanager",
                    "bot_id": "B05ALRTMGR1",
                    "attachments": [
                        {
                            "id": 1,
                            "color": color,
                            "fallback": title,
                            "title": title,
                            "title_link": "https://alertmanager.harborpine.example/#/alerts?receiver=pagerduty-checkout",
                            "text": slack_escape(body),
                            "mrkdwn_in": ["text"],
                        }
                    ],
                }
            )
        else:
            rec = {"type": "message", "user": uid(who), "text": slack_escape(text), "ts": ts}
            if who != "sre-bot":
                rec["client_msg_id"] = "-".join(rng.hex(n) for n in (8, 4, 4, 4, 12))
            rec["team"] = TEAM
            out.append(rec)
    chan_dir = root / "inc-2041"
    chan_dir.mkdir(parents=True, exist_ok=True)
    day_text = json.dumps(out, indent=4, ensure_ascii=False) + "\n"
    (chan_dir / "2026-10-14.json").write_text(day_text, encoding="utf-8")
    (root / "users.json").write_text(
        json.dumps(slack_users(), indent=4, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    channels = [
        {
            "id": CHANNEL_ID,
            "name": "inc-2041",
            "created": T0_EPOCH + int(T_CHANNEL),
            "creator": uid("sre-bot"),
            "is_archived": False,
            "is_general": False,
            "members": [uid("sre-bot"), uid("dchen"), uid("priya"), uid("mkowalski")],
            "topic": {
                "value": "INC-2041 checkout errors | IC: Dana Chen | status: investigating",
                "creator": uid("sre-bot"),
                "last_set": T0_EPOCH + int(T_CHANNEL),
            },
            "purpose": {
                "value": "Incident channel for INC-2041 (opened by sre-bot from PagerDuty)",
                "creator": uid("sre-bot"),
                "last_set": T0_EPOCH + int(T_CHANNEL),
            },
        }
    ]
    (root / "channels.json").write_text(
        json.dumps(channels, indent=4, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    starts = object_start_lines(day_text, 4)
    return out, starts, msgs


# ---------------------------------------------------------------------------------------------
# Replay of spooled orders
# ---------------------------------------------------------------------------------------------
def plan_replay(sim: AccessSim, rng: Rng):
    """Schedule the spool replay: the worker backs off exponentially (2, 4, 8, max 15 min)
    while the pool is saturated; its first run after the rollback replays the orders one by
    one (payment capture plus insert, ~20 s each)."""
    spool = sorted(sim.spool, key=lambda o: o.spool_t)
    attempts = []
    t, delay = spool[0].spool_t, 120.0
    while t + delay < T_ROLLBACK + 30:
        t += delay
        delay = min(delay * 2, 900.0)
        attempts.append((t + rng.uniform(0, 0.3), delay, sum(1 for o in spool if o.spool_t <= t)))
    t_start = t + delay
    replays = []  # (time, order, skipped)
    t = t_start
    for o in spool:
        skipped = bool(o.committed_by_retry) and o.t < t
        t += rng.uniform(0.3, 1.0) if skipped else rng.uniform(12.0, 28.0)
        replays.append((t, o, skipped))
    return replays, attempts, t_start, t + 0.8


def log_replay(applog: AppLog, replays, attempts, t_start, t_end):
    for t, delay, pending in attempts:
        applog.add(
            t,
            "warn",
            "orders.spool",
            f"replay attempt failed: {POOL_ERR}; next attempt in {int(delay // 60)}m",
            0,
            None,
            backlog=pending,
            exc_type="sqlalchemy.exc.TimeoutError",
        )
    n = len(replays)
    applog.add(
        t_start, "info", "orders.spool", f"replay started: {n} orders pending", 0, None, backlog=n
    )
    pending = n
    for t, o, skipped in replays:
        pending -= 1
        if skipped:
            applog.add(
                t,
                "info",
                "orders.spool",
                "replay skipped: order already committed by a client retry",
                0,
                None,
                idempotency_key=o.ikey,
                order_id=o.id,
                backlog=pending,
            )
        else:
            applog.add(
                t,
                "info",
                "orders.spool",
                "replayed spooled order",
                0,
                None,
                idempotency_key=o.ikey,
                order_id=o.id,
                duration_ms=applog.rng.randint(9000, 16000),
                backlog=pending,
            )
    applog.add(t_end, "info", "orders.spool", "spool drained: 0 pending", 0, None, backlog=0)


# ---------------------------------------------------------------------------------------------
# postmortem.yaml
# ---------------------------------------------------------------------------------------------
def yq(s: str) -> str:
    """A YAML scalar: plain when safe, else double-quoted."""
    plain_ok = (
        s
        and s[0] not in "!&*-?:,[]{}#|>@`\"'%"
        and ": " not in s
        and " #" not in s
        and not s.endswith(":")
        and s.strip() == s
        and s.lower() not in ("yes", "no", "true", "false", "null", "on", "off", "~")
        and not s[0].isdigit()
    )
    return s if plain_ok else json.dumps(s, ensure_ascii=False)


def block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "".join(
        pad + line + "\n" if line else "\n" for line in text.strip("\n").split("\n")
    )


def write_postmortem(path: pathlib.Path, f: dict, timeline: list[dict]):
    L = []
    a = L.append
    a("schema_version: 1")
    a("id: INC-2041")
    a("title: Checkout failures after DB connection pool shrunk by a config push")
    a("severity: SEV2")
    a("status: in review")
    a("authors: [Priya Raman, Dana Chen]")
    a("services: [checkout-api, storefront, postgres]")
    a("tags: [config-change, database, checkout]")
    a("summary:")
    narrative = f"""
On Wednesday 2026-10-14 a configuration change to checkout-api (CHG-8812, 14:02 UTC) reduced
the database connection pool of each checkout-api pod from 50 to 5 connections. The value
was intended for a staging load test; the configuration template resolved it for production
as well.

Traffic was rising towards the late-morning US peak and the autumn sale newsletter (sent
14:00) roughly doubled checkout traffic. From about 14:07 the five connections per pod were
no longer enough: requests waited 3 s for a connection and then failed, so customers saw
errors on the cart and checkout pages and when placing orders. The on-call engineer was
paged at 14:12:30. The team ruled out the 13:15 storefront deploy and the database, found
the pool size at 5, linked it to CHG-8812 and rolled the change back at 14:36:40 (CHG-8813).
Errors stopped within about a minute and the incident was declared mitigated at 14:41.
Orders whose payment had been authorised but not saved were replayed from the order spool by
{f["drained"][:5]}; after reconciliation and spot checks the incident was resolved at 15:05.
"""
    a("  narrative: " + block(narrative, 4).rstrip("\n"))
    a("  impact_start: 2026-10-14T14:07:00+00:00")
    a("  detected: 2026-10-14T14:12:30+00:00")
    a("  acknowledged: 2026-10-14T14:16:00+00:00")
    a("  mitigated: 2026-10-14T14:41:00+00:00")
    a("  resolved: 2026-10-14T15:05:00+00:00")
    impact = (
        f"Between 14:07 and 14:41 UTC (34 minutes) {f['failed']:,} of {f['checkout_total']:,} "
        "requests to the checkout paths "
        "(/cart, /checkout, /api/cart, /api/orders) failed with 502 or 504 "
        f"({f['checkout_ratio']:.1f}%; "
        f"{f['peak_min_ratio']:.0f}% in the worst minute). {f['users_affected']:,} unique client "
        "addresses saw at least one "
        f"failed checkout request. {f['orders_failed']:,} order submissions for {f['spooled']} "
        "distinct orders failed after "
        f"the payment had been authorised; the orders were spooled, {f['skipped']} were completed "
        "by the customers retrying "
        f"and {f['replayed']} by the replay worker after the rollback. No order was lost or "
        "charged twice. Many more customers "
        "gave up earlier, on the cart or checkout page, so some sales were lost. The rest of the "
        "shop stayed "
        f"available but slower (storefront p99 latency up to {f['p99_peak']:.1f} s; overall 5xx "
        "ratio peaked at "
        f"{f['peak_bucket_ratio']:.1f}% of all requests in a 15 s window)."
    )
    a("  impact: " + yq(impact))
    a(f"  users_affected: {f['users_affected']}")
    a(
        "  trigger: "
        + yq(
            "CHG-8812 (14:02:11 UTC) set db.pool.max_size from 50 to 5 for checkout-api in "
            "production; "
            "the value was meant for staging and was rendered for every environment by the config "
            "template."
        )
    )
    a(
        "  detection: "
        + yq(
            "CheckoutHighErrorRate (critical) paged the checkout on-call at 14:12:30, 5.5 minutes "
            "after impact "
            "started. DBConnectionPoolSaturated had fired at 14:09 but is a warning that only "
            "posts to "
            "#alerts-checkout, which nobody was watching."
        )
    )
    a("timeline:")
    for ev in timeline:
        a(f"  - time: {ev['time']}")
        a(f"    source: {ev['source']}")
        a(f"    kind: {ev['kind']}")
        a(f"    description: {yq(ev['description'])}")
        a(f"    pinned: {'true' if ev['pinned'] else 'false'}")
        a(f"    provenance: {ev['provenance']}")
    a("root_cause:")
    rc = """
checkout-api's configuration is rendered by config-agent from a shared base file plus one
overlay per environment. The staging load test needed a small pool, and the value was added
under a key that the template reads for every environment unless an overlay overrides it;
production's overlay does not set `db.pool.max_size`, so production inherited 5. The change
review shows the edited file, not the rendered result per environment, so the production
effect was not visible to the author or the reviewer.

A pool of 5 per pod had not been a problem at quiet hours, which is why the change looked
harmless for five minutes. checkout-api holds a database connection for the whole order
request, including the call to the payment provider (about 0.6 s), so its demand for
connections grows quickly with checkout traffic. When the newsletter traffic arrived, demand
passed 5 per pod at about 14:07 and a third or more of the requests timed out after
`pool_timeout=3`. Nothing in the pipeline checks a pool size against observed peak demand,
and the config push is applied to all pods at once, with no canary that would have caught
the saturation.
"""
    a("  root_cause: " + block(rc, 4).rstrip("\n"))
    cf = [
        "Shared base layer of the config template: a key set for one environment applies to all "
        "that do not override it.",
        "Change review shows the source diff, not the rendered per-environment result.",
        "Config pushes reach all checkout-api pods at once; no canary and no automatic rollback on "
        "error rate.",
        "No validation of db.pool.max_size against observed demand (after the rollback the "
        f"busiest pod used {f['inuse_normal']} connections at normal load, {f['inuse_peak']} "
        "while draining the queue).",
        "checkout-api holds a DB connection across the payment-provider call, making connection "
        "demand sensitive to checkout traffic.",
        "The autumn sale newsletter (14:00) roughly doubled checkout traffic shortly after the "
        "change.",
        "DBConnectionPoolSaturated is a warning routed only to a Slack channel, so it did not page "
        "at 14:09.",
        "Config changes are not shown on the checkout dashboard; linking the symptom to CHG-8812 "
        "took until 14:29.",
    ]
    a("  contributing_factors:")
    for x in cf:
        a("    - " + yq(x))
    whys = [
        "Why did checkout requests fail? They waited 3 s for a database connection and timed out, "
        "because every pod's pool of 5 was in use.",
        "Why was the pool only 5 connections? CHG-8812 set db.pool.max_size to 5 in production at "
        "14:02:11.",
        "Why did a staging value reach production? The template's base layer applies to every "
        "environment, and the production overlay does not override that key.",
        "Why was that not noticed before it was applied? The review shows the edited file, not the "
        "rendered production config, and nothing checks pool sizes against observed demand.",
        "Why did the impact last 34 minutes? The saturation warning did not page, and config "
        "changes were not visible next to the symptoms, so the change was identified only at "
        "14:29.",
    ]
    a("  five_whys:")
    for x in whys:
        a("    - " + yq(x))
    recs = [
        "Render and diff the per-environment result of every config change in review; block "
        "changes whose production diff was not approved.",
        "Validate pool sizes in config-agent against a floor derived from observed peak demand.",
        "Apply checkout-api config changes to one pod first and roll back automatically on "
        "saturation or error rate.",
        "Show change events on service dashboards and in the incident channel when it opens.",
        "Release the DB connection during the payment-provider call and return 202 for spooled "
        "orders instead of 502.",
    ]
    a("  recommendations:")
    for x in recs:
        a("    - " + yq(x))
    a("actions:")
    actions = [
        (
            "A1",
            "Roll back CHG-8812 (CHG-8813) and freeze config pushes to checkout-api until the "
            "postmortem review.",
            "mitigate",
            "Marek Kowalski",
            "2026-10-14",
            "done",
            "SRE-1432",
            "P1",
        ),
        (
            "A2",
            "Show the rendered per-environment diff in config change review and require approval "
            "of the production diff.",
            "prevent",
            "Platform team",
            "2026-10-30",
            "in progress",
            "SRE-1433",
            "P1",
        ),
        (
            "A3",
            "Add bounds for db.pool.* to the checkout-api config schema (production floor 30 per "
            "pod) and reject violating renders in config-agent.",
            "prevent",
            "Checkout team",
            "2026-11-06",
            "open",
            "SRE-1434",
            "P2",
        ),
        (
            "A4",
            "Roll out config pushes to one canary pod for 10 minutes with automatic rollback on "
            "pool saturation or 5xx ratio above 2%.",
            "prevent",
            "Platform team",
            "2026-11-27",
            "open",
            "SRE-1435",
            "P2",
        ),
        (
            "A5",
            "Page the checkout on-call when DBConnectionPoolSaturated lasts 5 minutes; have "
            "sre-bot post changes of the last 2 hours when an incident channel opens.",
            "process",
            "SRE team",
            "2026-10-23",
            "in progress",
            "SRE-1436",
            "P2",
        ),
        (
            "A6",
            "Release the DB connection during the payment-provider call and answer 202 (order "
            "received) for spooled orders instead of 502.",
            "prevent",
            "Checkout team",
            "2026-11-20",
            "open",
            "SRE-1437",
            "P3",
        ),
        (
            "A7",
            "Require a second human approver for every production config push.",
            "process",
            "Platform team",
            "2026-10-28",
            "won't do",
            "SRE-1438",
            "P4",
        ),
    ]
    for aid, desc, typ, owner, due, status, ticket, prio in actions:
        a(f"  - id: {aid}")
        a(f"    description: {yq(desc)}")
        a(f"    type: {typ}")
        a(f"    owner: {owner}")
        a(f"    due: {due}")
        a(f"    status: {yq(status)}")
        a(f"    ticket: https://tracker.harborpine.example/browse/{ticket}")
        a(f"    priority: {prio}")
    a("lessons:")
    lessons = {
        "went_well": [
            "The rollback path through the change system worked as designed: CHG-8813 reached all "
            "pods within seconds.",
            "Hypotheses were tested one at a time against evidence (storefront deploy, database "
            "health, traffic) before acting.",
            "The order spool kept every order whose payment was authorised; idempotency keys "
            "prevented duplicate orders.",
            "An incident commander took over within two minutes of the channel opening.",
        ],
        "went_wrong": [
            "The first signal (DBConnectionPoolSaturated at 14:09) did not page anyone.",
            "It took 17 minutes from the page to connect the symptom to the config change.",
            "Customers whose orders were spooled saw an error although their order was later "
            "completed.",
            "Acknowledging the page took 3.5 minutes.",
        ],
        "got_lucky": [
            "The newsletter peak was moderate; a Black-Friday-sized peak would have failed most "
            "checkouts.",
            "The author of the change was online and could confirm it immediately.",
            "db-1 had enough max_connections headroom for the burst of new connections after the "
            "rollback.",
        ],
        "recommendations": [
            "Open every incident channel with the list of changes of the last two hours.",
            "Post a status page update within 10 minutes of declaring an incident (this time it "
            "took 19 minutes).",
            "Practice config rollbacks in game days so the path stays familiar.",
        ],
    }
    for key, items in lessons.items():
        a(f"  {key}:")
        for x in items:
            a("    - " + yq(x))
    a("links:")
    for title, url in (
        ("Grafana dashboard — checkout", "https://grafana.harborpine.example/d/checkout"),
        ("Change CHG-8812", "https://changes.harborpine.example/CHG-8812"),
        ("Change CHG-8813 (rollback)", "https://changes.harborpine.example/CHG-8813"),
        ("Slack #inc-2041", "https://harborpine.slack.com/archives/" + CHANNEL_ID),
        (
            "Runbook — DB pool saturated",
            "https://runbooks.harborpine.example/checkout/db-pool-saturated",
        ),
    ):
        a(f"  - title: {yq(title)}")
        a(f"    url: {url}")
    a("sources:")
    for name, kind, spath, fmt, tz in (
        ("nginx", "logs", "evidence/access.log.gz", "nginx", None),
        ("checkout-api", "logs", "evidence/checkout-api.jsonl", "jsonl", None),
        ("syslog", "logs", "evidence/syslog", "syslog", "Europe/Berlin"),
        ("deploys", "events", "evidence/deploys.json", "deploys", None),
        ("alerts", "events", "evidence/alerts.json", "alertmanager", None),
        ("slack", "events", "evidence/slack", "slack", None),
        ("metrics", "metrics", "evidence/metrics.csv", "metrics-csv", None),
    ):
        a(f"  - name: {name}")
        a(f"    kind: {kind}")
        a(f"    path: {spath}")
        a(f"    format: {fmt}")
        a(f"    timezone: {tz if tz else 'null'}")
    # what a customer-facing report must not show: the shop's internal hosts and tools
    a("audiences:")
    a("  external:")
    a("    internal_domains: [harborpine.example, harborpine.slack.com]")
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
def generate(out_dir, seed: int = SEED, gzip_level: int = 9) -> dict:
    """Write the sample incident into ``out_dir`` (the INC-2041 folder). Returns summary facts."""
    out = pathlib.Path(out_dir)
    ev = out / "evidence"
    if ev.exists():
        shutil.rmtree(ev)
    (ev / "slack").mkdir(parents=True)

    prof = Profile(Rng(seed, 4))
    sim = AccessSim(seed, prof)
    sim.run()

    applog = AppLog(seed)
    replays, attempts, replay_start, replay_end = plan_replay(sim, Rng(seed, 5))
    assign_order_ids(sim, [(t, o) for t, o, skipped in replays if not skipped])
    log_replay(applog, replays, attempts, replay_start, replay_end)
    spool = [o for t, o, skipped in replays]

    reqs = finalize_access(sim)
    access_lines = write_access_log_resolved(reqs, sim, ev / "access.log.gz", gzip_level)

    gauges = Gauges(seed, prof, replay_end)
    for a in sim.app:
        if 0.0 <= a.end < SPAN + 30:
            applog.request(a)
    applog.background(prof, gauges, replays)
    applog.config_reload(T_CHG8812, 50, 5, "CHG-8812")
    applog.config_reload(T_ROLLBACK, 5, 50, "CHG-8813")
    app_lines = applog.write(ev / "checkout-api.jsonl")

    sl = Syslog(seed)
    sl.checkout_pools(gauges)
    sl.storefront_pools()
    sl.db_host()
    sl.hosts_routine()
    sl.config_agent()
    sl.kubelet(prof)
    sl.sshd()
    sys_lines = sl.write(ev / "syslog")

    counts, errors, p99 = compute_http_buckets(reqs)
    metric_lines = write_metrics(ev / "metrics.csv", counts, errors, p99, gauges)

    deploy_lines = write_deploys(ev / "deploys.json")
    at = alert_times(reqs)
    alerts, alert_lines = write_alerts(ev / "alerts.json", at)

    facts = derive_facts(
        reqs, counts, errors, p99, gauges, app_lines, replays, spool, replay_start, replay_end
    )
    facts.update(at)
    slack_msgs, slack_lines, raw_msgs = write_slack(ev / "slack", Rng(seed, 7), facts)

    timeline = build_timeline(
        facts,
        access_lines,
        app_lines,
        sys_lines,
        metric_lines,
        deploy_lines,
        alerts,
        alert_lines,
        raw_msgs,
        slack_lines,
    )
    write_postmortem(out / "postmortem.yaml", facts, timeline)
    facts["lines"] = {
        "access": len(access_lines),
        "app": len(app_lines),
        "syslog": len(sys_lines),
        "metrics": len(metric_lines),
    }
    return facts


def write_access_log_resolved(reqs, sim, path, gzip_level):
    # confirmation pages: the referer of their assets was recorded with a placeholder
    conf_urls = {}
    for a in sim.app:
        if a.route == "complete_page":
            conf_urls.setdefault(a.client.ip, []).append((a.start, SITE + request_path(a.path)))
    for r in reqs:
        ref = r[8]
        if "{order}" in ref:
            cands = conf_urls.get(r[2], [])
            best = None
            for t, url in cands:
                if t <= r[1] + 1e-9 and (best is None or t > best[0]):
                    best = (t, url)
            r[8] = best[1] if best else ref.replace("{order}", "")
    return write_access_log(reqs, path, gzip_level)


def derive_facts(
    reqs, counts, errors, p99, gauges, app_lines, replays, spool, replay_start, replay_end
):
    f = {}
    affected = set()
    failed = total = orders_failed = 0
    per_min_total: dict[int, int] = {}
    per_min_fail: dict[int, int] = {}
    for r in reqs:
        t = int(r[0])
        if T_IMPACT <= t < T_MITIGATED and r[12]:
            total += 1
            m = t // 60
            per_min_total[m] = per_min_total.get(m, 0) + 1
            if r[6] >= 500:
                failed += 1
                affected.add(r[2])
                per_min_fail[m] = per_min_fail.get(m, 0) + 1
                if r[3] == "POST" and request_path(r[4]).startswith("/api/orders"):
                    orders_failed += 1
    f["users_affected"] = len(affected)
    f["failed"] = failed
    f["checkout_total"] = total
    f["checkout_ratio"] = 100.0 * failed / total
    f["peak_min_ratio"] = max(100.0 * per_min_fail.get(m, 0) / n for m, n in per_min_total.items())
    f["orders_failed"] = orders_failed
    f["spooled"] = len(spool)
    f["skipped"] = sum(1 for t, o, skipped in replays if skipped)
    f["replayed"] = len(replays) - f["skipped"]
    lo, hi = int(T_IMPACT // 15), int(T_MITIGATED // 15)
    f["p99_peak"] = float(np.max(p99[lo:hi]))
    f["peak_bucket_ratio"] = float(np.max(errors[lo:hi] / counts[lo:hi])) * 100.0

    def checkout_ratio(a, b):
        n = e = 0
        for r in reqs:
            if a <= r[0] < b and r[12]:
                n += 1
                e += r[6] >= 500
        return 100.0 * e / max(1, n)

    f["page_ratio"] = checkout_ratio(T_PAGE - 300, T_PAGE)
    f["ratio_1414"] = checkout_ratio(hms(14, 10, 0), hms(14, 19, 0))
    b13 = counts[:120].sum() / 1800.0
    b14 = counts[int(hms(14, 15, 0) // 15) : int(hms(14, 25, 0) // 15)].sum() / 600.0
    f["traffic_up"] = 100.0 * (b14 / b13 - 1.0)
    f["inuse_peak"] = max(gauges.at(t) for t in range(int(T_ROLLBACK), int(T_ROLLBACK) + 120, 15))
    after = sorted(gauges.at(t) for t in range(int(hms(14, 45)), int(hms(15, 30)), 15))
    f["inuse_normal"] = f"{after[len(after) // 10]}-{after[-1]}"
    last_err = None
    for line in app_lines:
        if '"exc_type":"sqlalchemy.exc.TimeoutError"' in line:
            last_err = json.loads(line)["ts"]
    f["last_error"] = last_err[11:19]
    n3 = e3 = 0
    for r in reqs:
        if hms(14, 38, 0) <= r[0] < T_MITIGATED:
            n3 += 1
            e3 += r[6] >= 500
    f["ratio_after"] = 100.0 * e3 / n3
    f["drained"] = hms_str(replay_end)
    f["replay_start"] = hm(replay_start) if replay_start % 60 < 1 else hms_str(replay_start)
    recon = [json.loads(x) for x in app_lines if '"psp reconciliation finished"' in x]
    f["recon_peak"] = max(r["unmatched_authorizations"] for r in recon)
    last_nonzero = max(i for i, r in enumerate(recon) if r["unmatched_authorizations"])
    f["recon_zero"] = recon[last_nonzero + 1]["ts"][11:16]
    return f


def build_timeline(
    f,
    access_lines,
    app_lines,
    sys_lines,
    metric_lines,
    deploy_lines,
    alerts,
    alert_lines,
    raw_msgs,
    slack_lines,
):
    def first_line(lines, pred):
        for i, line in enumerate(lines):
            if pred(line):
                return i + 1, line
        raise LookupError

    def alert_line(name):
        for i, al in enumerate(alerts):
            if al["labels"]["alertname"] == name:
                return alert_lines[i], al
        raise LookupError

    def slack_line(t):
        for i, m in enumerate(raw_msgs):
            if m[0] == t:
                return slack_lines[i]
        raise LookupError

    ev = []
    ev.append(
        dict(
            time=iso_utc(T_DEPLOY_SF),
            source="deploys",
            kind="observation",
            pinned=False,
            description="CHG-8807 deploys storefront v2.31.0 (rolling update). Unrelated: no "
            "change in error rate or latency afterwards.",
            provenance=f"evidence/deploys.json:{deploy_lines['CHG-8807']}",
        )
    )
    n, line = first_line(
        access_lines, lambda s: "utm_source=newsletter" in s and "Slackbot" not in s
    )
    t_news = access_line_time(line)
    ev.append(
        dict(
            time=iso_utc(t_news),
            source="nginx",
            kind="observation",
            pinned=False,
            description="First visits from the autumn sale newsletter (utm_source=newsletter); "
            "checkout traffic roughly doubles over the next 25 minutes.",
            provenance=f"evidence/access.log.gz:{n}",
        )
    )
    ev.append(
        dict(
            time=iso_utc(T_CHG8812),
            source="deploys",
            kind="trigger",
            pinned=True,
            description="CHG-8812 pushes db.pool.max_size 50 -> 5 to checkout-api in production "
            "(value intended for staging).",
            provenance=f"evidence/deploys.json:{deploy_lines['CHG-8812']}",
        )
    )
    n, line = first_line(app_lines, lambda s: "config reloaded: db.pool.max_size 50 -> 5" in s)
    ev.append(
        dict(
            time=iso_utc(T_CHG8812),
            source="checkout-api",
            kind="observation",
            pinned=False,
            description="All three checkout-api pods reload the config and recreate their pools "
            "with max_size=5.",
            provenance=f"evidence/checkout-api.jsonl:{n}",
        )
    )
    n, line = first_line(app_lines, lambda s: '"exc_type":"sqlalchemy.exc.TimeoutError"' in s)
    ev.append(
        dict(
            time=iso_utc(int(json_time(line))),
            source="checkout-api",
            kind="impact",
            pinned=True,
            description="First QueuePool timeout (limit of size 5 overflow 0 reached); checkout "
            "requests start failing with 502/504.",
            provenance=f"evidence/checkout-api.jsonl:{n}",
        )
    )
    n, al = alert_line("DBConnectionPoolSaturated")
    ev.append(
        dict(
            time=iso_utc(T_ALERT_POOL),
            source="alerts",
            kind="detection",
            pinned=False,
            description="DBConnectionPoolSaturated (warning) fires for the checkout-api pods; "
            "posted to #alerts-checkout only, no page.",
            provenance=f"evidence/alerts.json:{n}",
        )
    )
    n, al = alert_line("CheckoutHighErrorRate")
    ev.append(
        dict(
            time=iso_utc(T_PAGE),
            source="alerts",
            kind="detection",
            pinned=True,
            description="CheckoutHighErrorRate (critical) fires and pages the checkout on-call.",
            provenance=f"evidence/alerts.json:{n}",
        )
    )
    ev.append(
        dict(
            time=iso_utc(T_ACK),
            source="slack",
            kind="escalation",
            pinned=False,
            description="Priya acknowledges the page; Dana Chen is incident commander in #inc-2041 "
            "(opened 14:14 by sre-bot).",
            provenance=f"evidence/slack/inc-2041/2026-10-14.json:{slack_line(T_ACK)}",
        )
    )
    ev.append(
        dict(
            time=iso_utc(hms(14, 22, 46)),
            source="slack",
            kind="investigation",
            pinned=False,
            description="Storefront deploy and database ruled out: db-1 healthy, only 15 "
            "checkout-api connections in pg_stat_activity.",
            provenance=f"evidence/slack/inc-2041/2026-10-14.json:{slack_line(hms(14, 22, 46))}",
        )
    )
    ev.append(
        dict(
            time=iso_utc(T_SUSPECT),
            source="slack",
            kind="investigation",
            pinned=True,
            description="db_pool_max_size at 5 since 14:02 is linked to CHG-8812; "
            "the author confirms the value was meant for staging.",
            provenance=f"evidence/slack/inc-2041/2026-10-14.json:{slack_line(T_SUSPECT)}",
        )
    )
    ev.append(
        dict(
            time=iso_utc(T_DECIDE),
            source="slack",
            kind="action",
            pinned=False,
            description="Incident commander decides to roll back CHG-8812.",
            provenance=f"evidence/slack/inc-2041/2026-10-14.json:{slack_line(T_DECIDE)}",
        )
    )
    ev.append(
        dict(
            time=iso_utc(T_ROLLBACK),
            source="deploys",
            kind="mitigation",
            pinned=True,
            description="CHG-8813 rolls db.pool.max_size back to 50; pods reload and the queued "
            "requests drain.",
            provenance=f"evidence/deploys.json:{deploy_lines['CHG-8813']}",
        )
    )
    last_n = None
    for i, s in enumerate(app_lines):
        if '"exc_type":"sqlalchemy.exc.TimeoutError"' in s:
            last_n = i + 1
    ev.append(
        dict(
            time=iso_utc(int(json_time(app_lines[last_n - 1]))),
            source="checkout-api",
            kind="observation",
            pinned=False,
            description="Last QueuePool timeout in the checkout-api log.",
            provenance=f"evidence/checkout-api.jsonl:{last_n}",
        )
    )
    ev.append(
        dict(
            time=iso_utc(T_MITIGATED),
            source="slack",
            kind="mitigation",
            pinned=True,
            description=f"Mitigated: storefront error ratio {f['ratio_after']:.2f}% since 14:38, "
            "under the 1% threshold.",
            provenance=f"evidence/slack/inc-2041/2026-10-14.json:{slack_line(T_MITIGATED)}",
        )
    )
    n, line = first_line(app_lines, lambda s: "spool drained" in s)
    ev.append(
        dict(
            time=iso_utc(int(json_time(line))),
            source="checkout-api",
            kind="observation",
            pinned=False,
            description=f"Replay worker has drained the spool ({f['replayed']} orders replayed, "
            f"{f['skipped']} skipped as already completed).",
            provenance=f"evidence/checkout-api.jsonl:{n}",
        )
    )
    ev.append(
        dict(
            time=iso_utc(T_RESOLVED),
            source="slack",
            kind="resolution",
            pinned=True,
            description="Resolved after spot checks of orders from the incident window.",
            provenance=f"evidence/slack/inc-2041/2026-10-14.json:{slack_line(T_RESOLVED)}",
        )
    )
    ev.sort(key=lambda e: e["time"])
    return ev


def access_line_time(line: str) -> float:
    ts = line.split("[", 1)[1].split("]", 1)[0]  # 14/Oct/2026:10:00:03 -0400
    h, m, s = int(ts[12:14]), int(ts[15:17]), int(ts[18:20])
    return (h - NY_OFFSET_H - 13) * 3600 + m * 60 + s


def json_time(line: str) -> float:
    ts = json.loads(line)["ts"]
    h, m, s = int(ts[11:13]), float(ts[14:16]), float(ts[17:23])
    return (h - 13) * 3600 + m * 60 + s


def main(argv=None):
    here = pathlib.Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--out",
        default=str(here / INCIDENT),
        help="incident folder to write (default: data/INC-2041)",
    )
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    facts = generate(args.out, seed=args.seed)
    total = sum(facts["lines"].values())
    print(
        f"wrote {args.out}: {facts['lines']} (+ small JSON files), {total} lines; "
        f"users_affected={facts['users_affected']}"
    )


if __name__ == "__main__":
    main()
