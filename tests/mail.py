"""A real SMTP server on loopback (aiosmtpd), to receive what the app sends."""

import asyncio
import email
import logging
import threading
import time
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.processes import free_port

# aiosmtpd logs every peer and envelope at INFO: the tests' logs carry no addresses.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Mailbox:
    """What the server received; ``refuse`` maps an address to the reply its RCPT gets (``"550 …"``)."""

    def __init__(self):
        # What arrived, as bytes: parsed when read, so that a busy server only takes the mail.
        self._received: list[bytes] = []
        self._parsed: list[EmailMessage] = []
        # When each message was accepted (``time.time()``), for the benchmark's clock.
        self.arrivals: list[float] = []
        self.refuse: dict[str, str] = {}
        # Seconds each message takes to accept: a slow server, for a worker to be killed mid-batch.
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self._received.append(envelope.content)
            self.arrivals.append(time.time())
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            for content in self._received[len(self._parsed) :]:
                self._parsed.append(email.message_from_bytes(content, policy=policy.default))
            return list(self._parsed)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._parsed.clear()
            self.arrivals.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in message["To"]]

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]


class SmtpServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def subject_of(message: EmailMessage) -> str:
    """The subject as a mail program shows it.

    A subject encoded in several words is folded onto the line below
    ``Subject:``, and the parser keeps the fold's leading space.
    """
    return str(message["Subject"]).strip()
