"""mailsink.py: an aiosmtpd handler for the e-mail tests.

Run as `python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c mailsink.Sink FOLDER`
(with this folder on PYTHONPATH). Every accepted message is written to
FOLDER as one .eml file (atomically: written under a dot name, then
renamed), with the envelope recipients in a first header line
`X-Sink-Rcpt:`. Recipients whose local part starts with `reject` get a
permanent 550; those starting with `greylist` get a temporary 451 the
first time the server sees them, then 250."""

import itertools
import os
import time


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.greylisted = set()
        self.counter = itertools.count()

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("mailsink.Sink needs one argument: the folder")
        return cls(args[0])

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
