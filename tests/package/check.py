#!/usr/bin/env python3
"""Checks what the Debian package installs, and that zek runs from there.

usage: check.py SOURCE_ROOT BUILD_DIR    (meson test 'package', in make test)
       ZEK_DEB=zek_V_amd64.deb check.py SOURCE_ROOT    (make test-package)

The files come from `meson install --destdir` of BUILD_DIR (the install
rules the package uses, without building the package: seconds), or from
the .deb itself (dpkg-deb -x). Then, into a throw-away folder:
- the layout: binary, templates, static files, catalogs, demo, examples;
  with a .deb also the conffile, the unit and the declared dependencies;
- debian/changelog's version is meson.build's;
- zek.service: `systemd-analyze verify` against a root holding the
  installed binary (any message fails), and `security --offline` with
  exposure at most 2.0;
- the nginx example passes `nginx -t` with a self-signed certificate, and
  both examples allow the body zek allows;
- zek init + serve from the installed paths (the shipped zek.conf, --root
  the installed share/zek, a temporary database, a free loopback port):
  an empty portal with the ZEK configuration, / redirects, the login page
  renders from the installed templates, /healthz, a static file; sd_notify
  READY=1, a reload (SIGHUP) that re-reads an edited template, and a
  SIGTERM that ends with STOPPING=1 and exit status 0 (tests/package/
  smoke.py, which maintainer.py runs on the package installed by dpkg).
Prints each check; exit status 1 on the first failure."""

import os
import re
import shutil
import sys
import tempfile
import time

import smoke
from smoke import Failed, Notify, check, init, run

SRC = os.path.abspath(sys.argv[1])
BUILD = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
DEB = os.environ.get("ZEK_DEB")
MIB = 1 << 20


def versions():
    meson = re.search(r"version\s*:\s*'([^']+)'", open(os.path.join(SRC, "meson.build")).read())
    deb = re.match(r"zek \(([^)]+)\)", open(os.path.join(SRC, "debian/changelog")).read())
    check(meson and deb and meson.group(1) == deb.group(1),
          "debian/changelog's version is meson.build's (%s)" % (meson and meson.group(1)))


def unpack(tmp):
    """The installed tree: (root, prefix inside it, zek.conf, zek.service)."""
    root = os.path.join(tmp, "root")
    if DEB:
        r = run(["dpkg-deb", "-x", DEB, root])
        check(r.returncode == 0, "dpkg-deb -x " + os.path.basename(DEB))
        smoke.deb_control(DEB)
        return (root, "usr", os.path.join(root, "etc/zek/zek.conf"),
                os.path.join(root, "lib/systemd/system/zek.service"))
    r = run(["meson", "install", "-C", BUILD, "--destdir", root, "--no-rebuild", "--quiet"])
    check(r.returncode == 0, "meson install --destdir" + (": " + r.stderr if r.stderr else ""))
    found = [d for d, _, files in os.walk(root) if "zek" in files and d.endswith("/bin")]
    check(len(found) == 1, "one bin/zek installed")
    prefix = os.path.relpath(os.path.dirname(found[0]), root)
    return (root, prefix, os.path.join(SRC, "debian/zek.conf"),
            os.path.join(SRC, "debian/zek.service"))


def layout(root, prefix):
    share = os.path.join(root, prefix, "share")
    for path in ["bin/zek", "share/zek/templates/login.mustache",
                 "share/zek/templates/mail", "share/zek/static/zek.css",
                 "share/zek/po/de/ui.po", "share/zek/po/en/ui.po",
                 "share/zek/demo/config.json",
                 "share/doc/zek/examples/nginx.conf", "share/doc/zek/examples/apache.conf"]:
        check(os.path.exists(os.path.join(root, prefix, path)), prefix + "/" + path)
    check(not os.path.exists(os.path.join(share, "zek/po/meson.build")),
          "no build files among the catalogs")


def unit(tmp, root, prefix, service):
    """systemd-analyze against a root that has the binary at /usr/bin/zek
    (ExecStart's path), /bin/kill (ExecReload's) and the host's targets."""
    vroot = os.path.join(tmp, "vroot")
    units = os.path.join(vroot, "lib/systemd/system")
    shutil.copytree("/lib/systemd/system", units, symlinks=True)
    os.makedirs(os.path.join(vroot, "usr/bin"))
    os.makedirs(os.path.join(vroot, "bin"))
    shutil.copy(os.path.join(root, prefix, "bin/zek"), os.path.join(vroot, "usr/bin/zek"))
    shutil.copy("/bin/kill", os.path.join(vroot, "bin/kill"))
    shutil.copy(service, os.path.join(units, "zek.service"))
    r = run(["systemd-analyze", "verify", "--man=no", "--root=" + vroot,
             os.path.join(units, "zek.service")])
    # Unknown keys and bad values are only warnings: any message fails.
    said = (r.stdout + r.stderr).strip()
    check(r.returncode == 0 and said == "",
          "systemd-analyze verify zek.service" + (": " + said if said else ""))
    r = run(["systemd-analyze", "security", "--offline=yes", "--threshold=20",
             "--root=" + vroot, os.path.join(units, "zek.service")])
    level = re.search(r"exposure level for zek.service: ([0-9.]+)", r.stdout)
    check(r.returncode == 0 and level is not None,
          "systemd-analyze security: exposure %s (at most 2.0)" % (level and level.group(1)))


def body_limit(conf):
    """zek's largest body: max_file_bytes * max_files + 1 MiB
    (config_body_bytes in src/core/config.c), from the values zek.conf
    documents."""
    text = open(conf).read()
    size = int(re.search(r"^#?max_file_bytes = (\d+)$", text, re.M).group(1))
    files = int(re.search(r"^#?max_files = (\d+)$", text, re.M).group(1))
    return size * files + MIB


def proxy(tmp, root, prefix, conf):
    examples = os.path.join(root, prefix, "share/doc/zek/examples")
    nginx = open(os.path.join(examples, "nginx.conf")).read()
    limit = body_limit(conf)
    m = re.search(r"client_max_body_size (\d+)m;", nginx)
    check(m and int(m.group(1)) * MIB == limit, "nginx client_max_body_size is %d MiB" % (limit // MIB))
    m = re.search(r"LimitRequestBody (\d+)", open(os.path.join(examples, "apache.conf")).read())
    check(m and int(m.group(1)) == limit, "Apache LimitRequestBody is %d" % limit)
    if shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx"):
        raise Failed("nginx is missing (make deps-test installs it)")
    d = os.path.join(tmp, "nginx")
    os.makedirs(d)
    r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=desk.example.org", "-keyout", d + "/key.pem", "-out", d + "/cert.pem"])
    check(r.returncode == 0, "a self-signed certificate")
    site = nginx.replace("/etc/ssl/certs/desk.example.org.pem", d + "/cert.pem")
    site = site.replace("/etc/ssl/private/desk.example.org.key", d + "/key.pem")
    check(site != nginx, "the example names the certificate where the test can swap it")
    open(d + "/zek", "w").write(site)
    # Debian's nginx.conf but what the example needs: the http block.
    open(d + "/nginx.conf", "w").write(
        "pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\n"
        "http {\n\taccess_log off;\n\tclient_body_temp_path %s/body;\n\tinclude %s/zek;\n}\n"
        % (d, d, d, d))
    r = run(["/usr/sbin/nginx", "-t", "-q", "-p", d, "-c", d + "/nginx.conf"])
    check(r.returncode == 0, "nginx -t accepts the example" + (": " + r.stderr if r.returncode else ""))


def serve(tmp, root, prefix, conf):
    zek = os.path.join(root, prefix, "bin/zek")
    share = os.path.join(root, prefix, "share/zek")
    db = os.path.join(tmp, "zek.db")
    base = [zek, "--config", conf, "--root", share, "--db", db]
    init(base, db)
    linked = "libsystemd" in run(["ldd", zek]).stdout
    if DEB:
        check(linked, "the packaged zek links libsystemd (sd_notify)")
    notify = Notify(os.path.join(tmp, "notify")) if linked else None
    smoke.serve(base, os.path.join(share, "templates"), os.path.join(tmp, "serve.log"), notify)


def main():
    if not DEB and BUILD is None:
        print(__doc__)
        return 2
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zek-package-") as tmp:
        try:
            versions()
            root, prefix, conf, service = unpack(tmp)
            layout(root, prefix)
            unit(tmp, root, prefix, service)
            proxy(tmp, root, prefix, conf)
            serve(tmp, root, prefix, conf)
        except Failed as e:
            print("FAILED: " + str(e))
            return 1
    print("package checks passed in %.1f s" % (time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
