#!/usr/bin/env python3
"""The Debian package as dpkg installs it: its maintainer scripts in a
throw-away root, and zek served from there as the user zek.

usage: maintainer.py SOURCE_ROOT    (meson test 'package-root', in make test)
       ZEK_DEB=zek_V_amd64.deb maintainer.py SOURCE_ROOT    (make test-package)

Needs root, a mount namespace and overlayfs; without one of them it says
which and skips (exit status 77). Otherwise:
1. the package, built as `make deb` builds it (tests/package/build_deb.sh:
   dpkg-buildpackage -j2, niced, of the files git knows, with DEB_BUILD_OPTIONS
   nocheck noddebs; lintian stays in `make deb`), or ZEK_DEB's: its
   conffile and its dependencies;
2. a throw-away root, in a mount namespace of the test's own (the host
   never sees its mounts, and they go when the test ends, however it
   ends): an overlay of / (the host's files below, every change in a
   temporary folder above) with /proc, /dev and an empty /run and /tmp.
   No /run/systemd/system: the maintainer scripts see a system without
   systemd running (a chroot, a container), so they enable the unit but
   cannot start it, and must not fail for that;
3. the root made as a fresh Debian has it (a zek package, user, group or
   folders the host has are removed there, not on the host), then
   `apt-get install ./zek_*.deb`, with no package source (the
   dependencies are the host's, installed for the build), then what a Debian admin expects:
   the system user and group zek (home /var/lib/zek, no login shell),
   /var/lib/zek owned by zek with mode 0750, /etc/zek/zek.conf a conffile
   owned root:zek with mode 0640, zek.service installed as
   debian/zek.service has it and enabled (the multi-user.target.wants
   link, deb-systemd-helper's state, `systemctl is-enabled`);
4. zek started as the unit starts it: its ExecStartPre and ExecStart, as
   its User, Group and UMask, by setpriv in the chroot, with sd_notify to a
   socket of the test's: tests/package/smoke.py's checks of `zek init` and
   `zek serve` on a free loopback port (an empty portal, the pages from
   the installed files, /healthz, reload, stop), the database the user
   zek's alone (0600); then `runuser -u zek -- zek ... user add` as
   docs/operations.md tells the operator;
5. an edited /etc/zek/zek.conf, then `dpkg -i` of the same package again
   (an upgrade): the edit, owner and mode stay, no .dpkg-* file beside it;
6. `dpkg --remove`: the program and the unit go, the database and the
   edited conffile stay; `dpkg -i` again: zek starts on the old database
   (the person added is there) and serves;
7. `dpkg --purge`: /var/lib/zek, /etc/zek and the unit's enablement go;
   the user zek stays (docs/operations.md says why);
8. afterwards, with everything unmounted: the host untouched, i.e. its
   /etc/passwd, /etc/group, /etc/shadow and dpkg status as before, no user
   zek and no /etc/zek, /var/lib/zek or zek.service that it did not have.
Prints each check; exit status 1 on the first failure."""

import glob
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import smoke
from smoke import Failed, check, run, said

SRC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
DEB = os.environ.get("ZEK_DEB")
SKIP = 77
# Set once the test runs in a mount namespace of its own.
IN_NAMESPACE = "ZEK_PACKAGE_NAMESPACE"
# What systemd gives a service, and dpkg no terminal to ask on.
ROOT_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
            "DEBIAN_FRONTEND": "noninteractive"}
UNIT = "/lib/systemd/system/zek.service"
WANTS = "/etc/systemd/system/multi-user.target.wants/zek.service"
DSH_STATE = "/var/lib/systemd/deb-systemd-helper-enabled/zek.service.dsh-also"
CONF = "/etc/zek/zek.conf"
DB = "/var/lib/zek/zek.db"
EDIT = "\n# The admin's own line (tests/package/maintainer.py).\n"
# The host files a package install changes; the test must leave them be.
HOST_FILES = ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow",
              "/var/lib/dpkg/status", "/etc/zek", "/var/lib/zek", UNIT, WANTS]


class Skip(Exception):
    pass


def skip(why):
    """Says why on the last line (tests/run-all.sh shows it) and ends."""
    print("skipped: " + " ".join(why.split()), flush=True)
    sys.exit(SKIP)


def own_namespace():
    """Runs this test again in a mount namespace of its own (unshare)."""
    if os.environ.get(IN_NAMESPACE) == "1":
        return
    if os.geteuid() != 0:
        skip("needs root, for mounts and chroot (CI runs make test as root)")
    if shutil.which("unshare") is None or \
            run(["unshare", "--mount", "--propagation", "private", "true"]).returncode != 0:
        skip("no mount namespace (unshare --mount) here")
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private",
                           sys.executable, os.path.abspath(__file__)] + sys.argv[1:],
               dict(os.environ, **{IN_NAMESPACE: "1"}))


def host_state():
    """A digest of each host file a package install would change ("folder"
    for a folder, None when absent)."""
    state = {}
    for path in HOST_FILES:
        if os.path.isfile(path):
            state[path] = hashlib.sha256(open(path, "rb").read()).hexdigest()
        else:
            state[path] = "folder" if os.path.isdir(path) else None
    return state


def mounts_under(folder):
    return [line for line in open("/proc/self/mountinfo") if folder + "/" in line]


def has_user(passwd, name):
    return any(line.split(":")[0] == name for line in open(passwd))


class Root:
    """The throw-away root: an overlay of / under `tmp`, mounted in this
    process's mount namespace, with the folders a chroot needs."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.path = os.path.join(tmp, "root")
        self.mounted = []

    def p(self, path):
        """The root's `path` as the test reaches it."""
        return self.path + path

    def mount(self, args, target):
        r = run(["mount"] + args + [target])
        if r.returncode == 0:
            self.mounted.append(target)
        return r

    def setup(self):
        upper, work = os.path.join(self.tmp, "upper"), os.path.join(self.tmp, "work")
        for d in (upper, work, self.path):
            os.makedirs(d)
        r = self.mount(["-t", "overlay", "overlay", "-o",
                        "lowerdir=/,upperdir=%s,workdir=%s" % (upper, work)], self.path)
        if r.returncode != 0:
            raise Skip("no overlay of / here: " + r.stderr)
        for args, where in ((["-t", "proc", "proc"], "/proc"), (["--rbind", "/dev"], "/dev"),
                            (["-t", "tmpfs", "-o", "mode=0755", "tmpfs"], "/run"),
                            (["-t", "tmpfs", "-o", "mode=1777", "tmpfs"], "/tmp")):
            r = self.mount(args, self.p(where))
            check(r.returncode == 0, "mount %s in the throw-away root%s" % (where, said(r)))
        check(not os.path.exists(self.p("/run/systemd/system")),
              "a throw-away root (overlay of /) without systemd running")

    def run(self, args, **kw):
        """A command in the root, as root."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        return run(["chroot", self.path] + args, env=ROOT_ENV, timeout=300, **kw)

    def status(self):
        """dpkg's word on zek: 'ii' installed, 'rc' removed with its
        conffiles, '' unknown (purged)."""
        r = self.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", "zek"])
        return r.stdout.strip() if r.returncode == 0 else ""

    def teardown(self):
        """Ends what still runs in the root, then unmounts, innermost first."""
        for pid in (p for p in os.listdir("/proc") if p.isdigit()):
            try:
                if os.readlink("/proc/%s/root" % pid).startswith(self.path):
                    os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        for target in reversed(self.mounted):
            if run(["umount", "-R", target]).returncode != 0:
                run(["umount", "-R", "-l", target])
        self.mounted = []
        check(mounts_under(self.tmp) == [], "everything unmounted")


def build(tmp):
    """The .deb, as `make deb` builds it (without lintian)."""
    if DEB:
        return os.path.abspath(DEB)
    start = time.monotonic()
    out = os.path.join(tmp, "build")
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_PERTURB_"}
    env["DEB_BUILD_OPTIONS"] = "nocheck noddebs"
    with open(os.path.join(tmp, "build.log"), "w+") as log:
        # niced: the unit tests beside it, some of them about races, come first
        r = subprocess.run(["nice", "-n", "10", os.path.join(SRC, "tests/package/build_deb.sh"),
                            SRC, out],
                           stdout=log, stderr=subprocess.STDOUT, env=env, timeout=900)
        if r.returncode != 0:
            log.seek(0)
            print(log.read()[-6000:])
    debs = glob.glob(os.path.join(out, "zek_*_amd64.deb"))
    check(r.returncode == 0 and len(debs) == 1,
          "dpkg-buildpackage built %s in %.0f s" % (debs and os.path.basename(debs[0]),
                                                     time.monotonic() - start))
    return debs[0]


def ids(root, name):
    """(uid, gid, home, shell) of `name` in the root's /etc/passwd."""
    for line in open(root.p("/etc/passwd")):
        f = line.rstrip("\n").split(":")
        if f[0] == name:
            return int(f[2]), int(f[3]), f[5], f[6]
    return None


def group_id(root, name):
    for line in open(root.p("/etc/group")):
        f = line.split(":")
        if f[0] == name:
            return int(f[2])
    return None


def owned(root, path, uid, gid, mode):
    st = os.stat(root.p(path))
    return (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (uid, gid, mode)


def from_scratch(root):
    """The root as a fresh Debian has it: without the package, the user
    zek or their folders, also when the host has them (an earlier install
    by hand); the host keeps its own."""
    if root.status() != "":
        r = root.run(["dpkg", "--purge", "zek"])
        check(r.returncode == 0, "the host's zek purged in the throw-away root" + said(r))
    if ids(root, "zek") is not None:
        r = root.run(["userdel", "zek"])
        check(r.returncode == 0, "the host's user zek removed in the throw-away root" + said(r))
    if group_id(root, "zek") is not None:
        root.run(["groupdel", "zek"])
    for path in ("/etc/zek", "/var/lib/zek"):
        if os.path.lexists(root.p(path)):
            shutil.rmtree(root.p(path))
    check(ids(root, "zek") is None and group_id(root, "zek") is None and root.status() == "",
          "the throw-away root has no zek package, user or group")


def install(root, deb):
    """apt-get install of the .deb with no package source: what it needs
    must be installed already, nothing can be downloaded. (apt's own
    --no-download refuses a local .deb: "Pathname to install is not
    absolute".)"""
    shutil.copy(deb, root.p("/tmp"))
    inside = "/tmp/" + os.path.basename(deb)
    os.makedirs(root.p("/tmp/apt/sources.list.d"))
    open(root.p("/tmp/apt/sources.list"), "w").close()
    r = root.run(["apt-get", "install", "-y", "-q", "-o", "Dpkg::Use-Pty=0",
                  "-o", "Dir::Etc::SourceList=/tmp/apt/sources.list",
                  "-o", "Dir::Etc::SourceParts=/tmp/apt/sources.list.d", inside])
    check(r.returncode == 0 and root.status() == "ii",
          "apt-get install ./%s, no package source, systemd not running%s"
          % (os.path.basename(deb), said(r)))
    return inside


def admin_expects(root):
    """The user, the data folder, the conffile and the unit after install."""
    user, group = ids(root, "zek"), group_id(root, "zek")
    check(user is not None and group is not None and user[0] < 1000 and user[1] == group,
          "a system user zek (uid %s) in its group zek" % (user and user[0]))
    check(user[2:] == ("/var/lib/zek", "/usr/sbin/nologin"),
          "its home is /var/lib/zek, its shell nologin (%s)" % ":".join(user[2:]))
    check(owned(root, "/var/lib/zek", user[0], group, 0o750), "/var/lib/zek: zek:zek, 0750")
    r = root.run(["dpkg-query", "-W", "-f=${Conffiles}", "zek"])
    check(r.stdout.split()[:1] == [CONF], "dpkg lists %s as a conffile" % CONF)
    check(owned(root, CONF, 0, group, 0o640), CONF + ": root:zek, 0640")
    check(open(root.p(UNIT), "rb").read() == open(os.path.join(SRC, "debian/zek.service"),
                                                  "rb").read(),
          UNIT + " is debian/zek.service")
    check(os.path.islink(root.p(WANTS)) and os.readlink(root.p(WANTS)) == UNIT,
          "enabled: %s -> %s" % (WANTS, UNIT))
    check(os.path.exists(root.p(DSH_STATE)), "deb-systemd-helper's state says so")
    r = root.run(["systemctl", "is-enabled", "zek.service"])
    check(r.stdout.strip() == "enabled", "systemctl is-enabled zek: " + r.stdout.strip())
    return user[0], group


def unit_keys(root):
    keys = {}
    for line in open(root.p(UNIT)):
        line = line.strip()
        if line and line[0] not in "#[" and "=" in line:
            k, v = line.split("=", 1)
            keys.setdefault(k, []).append(v)
    return keys


def as_the_unit(root):
    """The zek command of the unit's ExecStart (without its `serve`), run
    in the root as its User and Group, and its UMask."""
    unit = unit_keys(root)
    pre, start = unit["ExecStartPre"][0].split(), unit["ExecStart"][0].split()
    check(pre[-1:] == ["init"] and start[-1:] == ["serve"] and pre[:-1] == start[:-1],
          "the unit runs `%s init`, then `... serve`" % " ".join(pre[:-1]))
    zek = ["chroot", root.path, "setpriv", "--reuid=" + unit["User"][0],
           "--regid=" + unit["Group"][0], "--init-groups", "--"] + start[:-1]
    return zek, int(unit["UMask"][0], 8)


def start(root, uid, gid, people):
    """zek as the unit starts it: init, then serve until SIGTERM."""
    zek, umask = as_the_unit(root)
    smoke.init(zek, root.p(DB), people=people, env=ROOT_ENV, umask=umask)
    check(owned(root, DB, uid, gid, 0o600), DB + ": the user zek's alone (0600, UMask=)")
    notify = smoke.Notify(root.p("/run/zek-notify"), "/run/zek-notify")
    try:
        smoke.serve(zek, root.p("/usr/share/zek/templates"), os.path.join(root.tmp, "serve.log"),
                    notify, env=ROOT_ENV, umask=umask)
    finally:
        notify.close()
        os.unlink(notify.path)


def add_admin(root):
    """The first admin, as docs/operations.md tells the operator."""
    r = root.run(["runuser", "-u", "zek", "--", "zek", "--config", CONF, "user", "add",
                  "--email", "admin@example.org", "--name", "Admin", "--role", "admin"],
                 stdin=None, input="Dienstplan-Kaffee-7431\n")
    check(r.returncode == 0, "runuser -u zek -- zek --config %s user add%s" % (CONF, said(r)))


def conffiles_beside(root):
    return sorted(os.path.basename(p) for p in glob.glob(root.p(CONF) + ".*"))


def upgrade(root, deb, uid, gid):
    """The same package again over an edited conffile."""
    with open(root.p(CONF), "a") as f:
        f.write(EDIT)
    r = root.run(["dpkg", "-i", deb])
    check(r.returncode == 0 and root.status() == "ii", "dpkg -i again (an upgrade)" + said(r))
    check(open(root.p(CONF)).read().endswith(EDIT) and conffiles_beside(root) == [],
          "the edited conffile stays, nothing beside it (%s)" % conffiles_beside(root))
    check(owned(root, CONF, 0, gid, 0o640) and ids(root, "zek")[0] == uid,
          "owner, mode and the user zek as before")


def remove_and_reinstall(root, deb, uid, gid):
    r = root.run(["dpkg", "--remove", "zek"])
    check(r.returncode == 0 and root.status() == "rc", "dpkg --remove zek" + said(r))
    check(not os.path.exists(root.p("/usr/bin/zek")) and not os.path.exists(root.p(UNIT)),
          "/usr/bin/zek and the unit are gone")
    check(os.path.exists(root.p(DB)) and open(root.p(CONF)).read().endswith(EDIT),
          "the database and the edited conffile stay")
    r = root.run(["dpkg", "-i", deb])
    check(r.returncode == 0 and root.status() == "ii", "dpkg -i after remove" + said(r))
    check(open(root.p(CONF)).read().endswith(EDIT), "the edited conffile is still the admin's")
    start(root, uid, gid, people=1)


def purge(root):
    r = root.run(["dpkg", "--purge", "zek"])
    check(r.returncode == 0 and root.status() == "", "dpkg --purge zek" + said(r))
    gone = [p for p in ("/var/lib/zek", "/etc/zek", WANTS, DSH_STATE)
            if os.path.lexists(root.p(p))]
    check(gone == [], "/var/lib/zek, /etc/zek and the unit's enablement are gone (left: %s)"
          % gone)
    check(ids(root, "zek") is not None, "the user zek stays (its uid is not handed on)")


def maintainer_scripts(tmp):
    root = Root(tmp)
    try:
        root.setup()
        deb = build(tmp)
        smoke.deb_control(deb)
        from_scratch(root)
        inside = install(root, deb)
        uid, gid = admin_expects(root)
        start(root, uid, gid, people=0)
        add_admin(root)
        upgrade(root, inside, uid, gid)
        remove_and_reinstall(root, inside, uid, gid)
        purge(root)
    finally:
        root.teardown()


def main():
    if SRC is None:
        print(__doc__)
        return 2
    own_namespace()
    # meson's timeout sends SIGTERM: unmount on the way out all the same.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    began = time.monotonic()
    before = host_state()
    had_user = has_user("/etc/passwd", "zek")
    tmp = tempfile.mkdtemp(prefix="zek-package-root-")
    try:
        maintainer_scripts(tmp)
        check(host_state() == before, "the host's users, groups, dpkg status and zek "
              "folders are as before")
        if had_user:
            print("note: the host had a user zek before the test, and has it still")
        else:
            check(not has_user("/etc/passwd", "zek"), "the host has no user zek")
    except Failed as e:
        print("FAILED: " + str(e))
        return 1
    except Skip as e:
        skip(str(e))
    finally:
        # Never through a mount: the root's /dev is the host's.
        if mounts_under(tmp) == []:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("left mounted, not removed: " + tmp)
    print("maintainer scripts checked in %.1f s" % (time.monotonic() - began))
    return 0


if __name__ == "__main__":
    sys.exit(main())
