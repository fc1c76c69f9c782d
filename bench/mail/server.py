"""An aiosmtpd server in a process of its own (so that it does not share a GIL with the
sender being measured): counts the mails it accepts and notes when the first and the last
arrived (CLOCK_MONOTONIC, the same clock in every process), so that a sender's rate is
measured at the server, the same way for every sender."""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from typing import Any


class Handler:
    def __init__(self, shared: Any) -> None:
        self.shared = shared

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        now = time.monotonic()
        count, first, _last, size = self.shared
        with count.get_lock():
            if count.value == 0:
                first.value = now
            count.value += 1
            self.shared[2].value = now
            size.value += len(envelope.content)
        return "250 OK"


def serve(port: int, shared: Any, ready: Any) -> None:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(Handler(shared), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


@dataclass
class Server:
    """Start with `Server.start()`; `reset()` before a round, `rate()` after it."""

    port: int
    process: multiprocessing.process.BaseProcess
    shared: tuple

    @classmethod
    def start(cls) -> Server:
        from tests.smtp import free_port

        context = multiprocessing.get_context("spawn")
        shared = (context.Value("q", 0), context.Value("d", 0.0), context.Value("d", 0.0),
                  context.Value("q", 0))  # fmt: skip
        ready = context.Event()
        port = free_port()
        process = context.Process(target=serve, args=(port, shared, ready), daemon=True)
        process.start()
        if not ready.wait(30):
            raise RuntimeError("the SMTP server did not start")
        return cls(port, process, shared)

    def reset(self) -> None:
        count, first, last, size = self.shared
        with count.get_lock():
            count.value, first.value, last.value, size.value = 0, 0.0, 0.0, 0

    @property
    def count(self) -> int:
        return int(self.shared[0].value)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def rate(self) -> float:
        """Mails per second between the first and the last mail received."""
        count, first, last, _size = self.shared
        return (count.value - 1) / (last.value - first.value) if count.value > 1 else 0.0

    def mean_size(self) -> float:
        return self.shared[3].value / max(self.shared[0].value, 1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)
