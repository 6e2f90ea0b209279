"""A real SMTP server on a local port (aiosmtpd), receiving every mail the tests expect.

``Mailbox`` runs in a thread of the test process; Papo's worker process sends
to it over real SMTP (``EMAIL_URL=smtp://127.0.0.1:<port>``). Each message is
kept parsed (``email.message.EmailMessage``), with its envelope recipients.
``stall()`` makes the server hold every DATA until ``release()``: a send under
way, for a test that kills the worker in the middle of one.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .server import free_port


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        """The text of the ``text/<subtype>`` part."""
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return part.get_content()
        raise KeyError(f"no text/{subtype} part in {self.subject!r}")


class Mailbox:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self.held = 0  # DATA commands waiting behind stall()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> Mailbox:
        self.controller.start()
        return self

    def stop(self) -> None:
        self._open.set()
        self.controller.stop()

    def stall(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook
        import asyncio

        if not self._open.is_set():
            self.held += 1
            await asyncio.to_thread(self._open.wait)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if address in r.envelope_to]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> list[Received]:
        """The first ``count`` mails to ``address``, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.to(address)
            if len(got) >= count:
                return got
            time.sleep(0.1)
        raise TimeoutError(f"{len(self.to(address))} of {count} mails to {address} arrived; "
                           f"all mail: {[(r.envelope_to, r.subject) for r in self.received]}")


def mail_env(mailbox: Mailbox, public: str = "http://papo.test", **more: str) -> dict[str, str]:
    """The environment of a live server and worker that send their mail to ``mailbox``,
    with links that start with ``public`` (PAPO_PUBLIC_URL) and a quick sweep."""
    return {"EMAIL_URL": mailbox.url, "PAPO_PUBLIC_URL": public,
            "DEFAULT_FROM_EMAIL": "Papo <papo@papo.test>",
            "PAPO_MAIL_SWEEP_SECONDS": "0.5", "PAPO_WORKER_STALE_SECONDS": "3", **more}
