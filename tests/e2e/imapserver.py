"""imapserver.py: a real Dovecot (Debian's dovecot-imapd) for the e-mail
tests, started on a loopback port with a configuration of its own in a
temporary folder, one mail user with a password, Maildir storage. The
tests deliver with IMAP APPEND and look at flags and folders with
Python's imaplib, as a mail client would.

Dovecot runs as root here when the tests do (its login processes drop to
Debian's `dovenull`, mail access to `nobody`); as any other user it runs
as that user throughout."""

import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time

from zektest import free_port

USER = "desk"
PASSWORD = "imap-secret-7"
DOVECOT = "/usr/sbin/dovecot"


def available():
    return os.path.exists(DOVECOT)


class Dovecot:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="zek-imap-")
        self.port = free_port()
        self.proc = None
        self.url = "imap://127.0.0.1:%d/INBOX" % self.port

    def _config(self):
        if os.getuid() == 0:
            mail_user = pwd.getpwnam("nobody")
            users = ("default_login_user = dovenull\n"
                     "default_internal_user = dovecot\n")
        else:
            mail_user = pwd.getpwuid(os.getuid())
            me = mail_user.pw_name
            users = ("default_login_user = %s\ndefault_internal_user = %s\n"
                     "service anvil {\n  chroot =\n}\n"
                     "service imap-login {\n  chroot =\n}\n" % (me, me))
        home = os.path.join(self.dir, "home")
        os.makedirs(home)
        os.chown(home, mail_user.pw_uid, mail_user.pw_gid)
        os.chmod(self.dir, 0o755)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write("%s:{PLAIN}%s\n" % (USER, PASSWORD))
        return """
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
{users}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""".format(d=self.dir, users=users, uid=mail_user.pw_uid, gid=mail_user.pw_gid,
           home=home, port=self.port)

    def start(self):
        conf = os.path.join(self.dir, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(self._config())
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while time.time() < deadline:
            assert self.proc.poll() is None, "dovecot exited: %s\n%s" % (
                self.proc.stderr.read().decode("utf-8", "replace"), self.log())
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start\n" + self.log())

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log"), encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def client(self):
        m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login(USER, PASSWORD)
        return m

    def deliver(self, messages, folder="INBOX"):
        """APPENDs each raw message (bytes) to the folder, unseen."""
        m = self.client()
        try:
            for raw in messages:
                typ, data = m.append(folder, None, None, raw)
                assert typ == "OK", data
        finally:
            m.logout()

    def flags(self, folder="INBOX"):
        """{uid: set of flags} of the folder's messages."""
        m = self.client()
        try:
            typ, _ = m.select(folder, readonly=True)
            assert typ == "OK", folder
            typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
            out = {}
            for line in data:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else line[0].decode()
                found = re.search(r"UID (\d+) FLAGS \(([^)]*)\)", text)
                if found:
                    out[int(found.group(1))] = set(found.group(2).split())
            return out
        finally:
            m.logout()

    def count(self, folder):
        m = self.client()
        try:
            typ, data = m.select(folder, readonly=True)
            return int(data[0]) if typ == "OK" else None
        finally:
            m.logout()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
