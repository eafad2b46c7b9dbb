"""End-to-end tests of /metrics and /healthz (issue 20): answers counted by
route, status class and latency; the outbox and service-level gauges
match the database; both answer only to metrics_allow."""

import re
import time

import zektest
from zektest import Client, Server, db_one


def value(text, name, labels=""):
    m = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(m.group(1)) if m else None


def test_counts_by_route_and_the_gauges_match_the_database(c, server):
    for _ in range(3):
        assert c.get("/healthz").status == 200
    assert c.get("/no/such/page").status == 404
    text = c.get("/metrics").text
    route = '{method="GET",route="/healthz"'
    ok = value(text, "zek_http_responses_total", route + ',status="2xx"}')
    assert ok is not None and ok >= 3, text[:2000]
    count = value(text, "zek_http_request_duration_seconds_count", route + "}")
    inf = value(text, "zek_http_request_duration_seconds_bucket", route + ',le="+Inf"}')
    assert count == inf and count >= 3
    # Buckets only grow.
    buckets = [float(v) for v in re.findall(
        r'^zek_http_request_duration_seconds_bucket\{method="GET",route="/healthz",le="[^"]+"\} (\S+)$',
        text, re.M)]
    assert buckets == sorted(buckets) and buckets[-1] == inf
    assert value(text, "zek_http_responses_total", '{method="",route="(none)",status="4xx"}') >= 1
    assert value(text, "zek_db_up") == 1
    db = server.db
    assert value(text, "zek_mail_pending") == db_one(
        db, "SELECT count(*) FROM outbox WHERE state = 'pending'")
    assert value(text, "zek_mail_failed") == db_one(
        db, "SELECT count(*) FROM outbox WHERE state = 'failed'")
    breached = db_one(db, "SELECT count(*) FROM requests WHERE status <> 'geschlossen' "
                      "AND sla_breach_at <= ?", (int(time.time() * 1000),))
    assert abs(value(text, "zek_sla_breached_open_requests") - breached) <= 1


def test_only_the_configured_addresses_may_ask(c, binary):
    server = Server(binary, extra_env={"ZEK_METRICS_ALLOW": "10.0.0.0/8, 2001:db8::/32"})
    try:
        other = Client(server)
        assert other.get("/metrics").status == 404
        assert other.get("/healthz").status == 404
        assert other.get("/servicedesk/customer/user/login").status == 200
    finally:
        server.stop()
