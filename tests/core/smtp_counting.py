"""An aiosmtpd server for delivery tests: counts what it receives by X-Kaisai-Key, can refuse
addresses with 550 (or defer them with 450), slow every mail down, answer 421 once it
has received a given number, and hold a
mail it has already accepted (the moment between a server's 250 and the client's COMMIT)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

from tests.smtp import SmtpServer


class CountingInbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.refused: set[str] = set()  # RCPT TO these gets 550
        self.deferred: set[str] = set()  # RCPT TO these gets 450 (try again later)
        self.rcpt_tried: Counter[str] = Counter()
        self.peers: list[tuple[str, int]] = []  # the client's address of each received mail
        self.delay = 0.0  # seconds spent on each DATA before answering
        self.shut_down_after: int | None = None  # after this many, DATA gets 421
        self.shutting_down = threading.Event()
        self.hold_after: int | None = None  # the next mail is kept, and its 250 held back
        self.holding = threading.Event()
        self.release = threading.Event()

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def keys(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["X-Kaisai-Key"]) for m in self.messages)

    def message_ids(self, key: str) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages if m["X-Kaisai-Key"] == key]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.rcpt_tried[address.lower()] += 1
        if address.lower() in self.refused:
            return "550 5.1.1 No such user here"
        if address.lower() in self.deferred:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.shut_down_after is not None and len(self.messages) >= self.shut_down_after:
                self.shutting_down.set()
            if self.shutting_down.is_set():
                return "421 4.3.2 Service shutting down"
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.peers.append(tuple(session.peer[:2]))
            count = len(self.messages)
        if self.hold_after is not None and count == self.hold_after + 1:
            # Accepted (the server would deliver it now), but the 250 has not reached the client.
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return "250 OK"


class CountingSmtpServer(SmtpServer):
    def __init__(self) -> None:
        super().__init__()
        self.inbox = CountingInbox()  # type: ignore[assignment]
