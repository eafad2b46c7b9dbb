"""Behind a reverse proxy (issue 14): with trusted_proxies set, the client's
address comes from X-Forwarded-For, for the access log and the sign-in
throttle; without it, or from anybody else, the header is ignored."""

import subprocess
import urllib.parse

from zektest import LOGIN, Client, Server, logged, unescape

FALSCH = "E-Mail-Adresse oder Passwort ist falsch."


def logged_ips(server, path):
    """The client addresses of the access log lines for GET path."""
    return [ip for ip, _ in logged(server, "GET", path)]


def sign_in(client, email, password, xff):
    tok = client.csrf(LOGIN)
    body = urllib.parse.urlencode([("email", email), ("password", password),
                                   ("csrf", tok)]).encode()
    return client.request("POST", LOGIN, body, {
        "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": xff})


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(c, server):
    path = "/probe/untrusted"
    c.get(path, headers={"X-Forwarded-For": "203.0.113.7"})
    assert logged_ips(server, path) == ["127.0.0.1"], server.read_log()[-1500:]


def test_trusted_proxy_names_the_client(c, binary):
    server = Server(binary, extra_env={"ZEK_TRUSTED_PROXIES": "127.0.0.0/8, 10.0.0.1"})
    try:
        c = Client(server)
        path = "/probe/trusted"
        # nginx's $proxy_add_x_forwarded_for: what the client wrote, then
        # the address nginx saw; an inner proxy appends its own.
        c.get(path, headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7, 10.0.0.1"})
        assert logged_ips(server, path) == ["203.0.113.7"], server.read_log()[-1500:]

        # The throttle counts per account and client, not per proxy: five
        # failures from one client lock that client out, not another.
        mallory, carla = Client(server), Client(server)
        for i in range(5):
            r = sign_in(mallory, "carla@example.org", "falsch%d" % i, "198.51.100.66")
            assert r.status == 200 and FALSCH in unescape(r.text), (i, r.status)
        r = sign_in(mallory, "carla@example.org", "demo", "198.51.100.66")
        assert r.status == 429, r.status
        r = sign_in(carla, "carla@example.org", "demo", "192.0.2.10")
        assert r.status == 303 and "zek_session" in carla.cookies, r.status
    finally:
        rc, log = server.stop()
    assert rc in (0, -15), log[-3000:]


def test_bad_trusted_proxies_refused_at_start(c, binary):
    for bad in ("proxy.example.org", "10.0.0.0/33", "10.0.0.1;10.0.0.2"):
        r = subprocess.run([binary, "serve", "--listen", "127.0.0.1:1", "--db", "/nonexistent/x.db"],
                           env={"ZEK_TRUSTED_PROXIES": bad, "PATH": "/usr/bin:/bin"},
                           capture_output=True, text=True, timeout=30)
        assert r.returncode != 0
        assert "trusted_proxies" in r.stderr, r.stderr
