"""mailsink.py: an aiosmtpd handler for the e-mail tests.

Run as `python3 mailsink.py 127.0.0.1:PORT FOLDER` (Debian's python3 with
python3-aiosmtpd). Every accepted message is written to
FOLDER as one .eml file (atomically: written under a dot name, then
renamed), with the envelope recipients in a first header line
`X-Sink-Rcpt:`. Recipients whose local part starts with `reject` get a
permanent 550; those starting with `greylist` get a temporary 451 the
first time the server sees them, then 250.

Not `python3 -m aiosmtpd`: that server has no fixed name, so aiosmtpd asks
socket.getfqdn() for one on every connection, inside its only thread. Where
the host name is not in /etc/hosts (a fresh debootstrap root) that is a DNS
query, and a lost answer stalls it for the resolver's 5 s timeout: every
connection open then gets no greeting within the tests' 2 s SMTP timeout,
and zek rightly defers (or, for the demo's weeks-old mails, gives up on) those
mails. With a fixed name the sink never looks anything up."""

import asyncio
import itertools
import logging
import os
import sys
import time

from aiosmtpd.smtp import SMTP

HOSTNAME = "sink.zek.test"


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.greylisted = set()
        self.counter = itertools.count()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("greylist") and address not in self.greylisted:
            self.greylisted.add(address)
            return "451 4.7.1 greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        name = "%019d-%06d.eml" % (time.time_ns(), next(self.counter))
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "wb") as f:
            f.write(b"X-Sink-Rcpt: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 2.0.0 queued"


def main():
    if len(sys.argv) != 3 or ":" not in sys.argv[1]:
        sys.exit("usage: mailsink.py HOST:PORT FOLDER")
    host, port = sys.argv[1].rsplit(":", 1)
    sink = Sink(sys.argv[2])
    logging.basicConfig(level=logging.ERROR)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(loop.create_server(
        lambda: SMTP(sink, hostname=HOSTNAME), host=host, port=int(port)))
    loop.run_forever()


if __name__ == "__main__":
    main()
