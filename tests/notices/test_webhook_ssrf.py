"""The webhook SSRF guard (kaisai.core.netguard, docs/security.md): a real HTTP server on
127.0.0.1 must never receive a request while private addresses are refused, whatever the
spelling of the address, through DNS names, DNS rebinding or redirects. Figures are printed
(pytest -s) and recorded in docs/security.md."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.core import netguard
from kaisai.notices.models import Webhook, WebhookDelivery
from kaisai.notices.services import webhooks
from kaisai.registrations import services
from tests.conftest import login
from tests.factories import EventFactory, UserFactory
from tests.notices.webhook_receiver import Receiver, webhook_receiver

pytestmark = pytest.mark.django_db

TEST_PUBLIC = "127.0.0.2"  # stands for a public server in these tests (see allow_test_public)


def spellings(port: int) -> list[str]:
    """Ways to write an address of this machine or of a private network."""
    hosts = [
        "127.0.0.1", "localhost", "LOCALHOST.", "sub.localhost", "2130706433", "0177.0.0.1",
        "0x7f.0.0.1", "0x7f000001", "127.1", "0", "0.0.0.0", "[::1]", "[::]",  # noqa: S104
        "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "[::127.0.0.1]",
        "[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "[fe80::1]", "[fc00::1]", "[fd12:3456::1]",
        "[ff02::1]", "[2001:db8::1]", "10.0.0.1", "172.16.0.1", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "192.0.0.170", "198.18.0.1", "224.0.0.1",
        "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1",
        "loopback.test", "rebound.test", "mapped.test",
    ]  # fmt: skip
    return [f"http://{host}:{port}/hook" for host in hosts]


FAKE_DNS = {
    "loopback.test": ["127.0.0.1"],
    "rebound.test": ["127.0.0.1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "mixed.test": [TEST_PUBLIC, "127.0.0.1"],  # one bad answer is enough to refuse
    "public.test": [TEST_PUBLIC],
}


@pytest.fixture
def fake_dns(monkeypatch) -> dict[str, list[str]]:
    """DNS answers for made-up names (the machine has no resolver of its own for them)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in FAKE_DNS:
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port or 0) if ":" not in a else (a, port or 0, 0, 0))
                for a in FAKE_DNS[name]
            ]  # fmt: skip
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return FAKE_DNS


@pytest.fixture
def allow_test_public(monkeypatch) -> None:
    """127.0.0.2 counts as a public address, to run an 'allowed' server on this machine."""
    real = netguard.is_public
    monkeypatch.setattr(
        netguard, "is_public", lambda a: a == ipaddress.ip_address(TEST_PUBLIC) or real(a)
    )


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.KAISAI_WEBHOOK_ALLOW_PRIVATE = False  # the default, said explicitly
    with webhook_receiver() as server:
        yield server


@contextmanager
def redirector(location: str) -> Iterator[str]:
    """An 'allowed' server on 127.0.0.2 that answers every POST with a 307 to `location`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(307)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((TEST_PUBLIC, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://public.test:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def port_of(receiver: Receiver) -> int:
    return int(receiver.url.rsplit(":", 1)[1].split("/")[0])


def soon():
    return timezone.now() + webhooks.SETTLE + timedelta(seconds=1)


def test_private_spellings_are_refused_when_saving(client, organizer, group, receiver, fake_dns):
    login(client, organizer)
    urls = spellings(port_of(receiver)) + [f"http://mixed.test:{port_of(receiver)}/"]
    saved = []
    for url in urls:
        response = client.post(
            reverse("notices:webhooks", kwargs={"slug": group.slug}), {"url": url}
        )
        assert response.status_code == 200
        html = response.content.decode()
        if Webhook.objects.exists():
            saved.append(url)
        else:  # the guard's message, or the URL field's own for what is no URL at all
            assert "not on the public Internet" in html or "Enter a valid URL" in html, url
    print(f"\nSSRF save-time: {len(urls)} tried, {len(saved)} saved, "
          f"{len(receiver.requests)} requests received")  # fmt: skip
    assert saved == [] and receiver.requests == []


def test_stored_private_urls_are_refused_at_every_delivery(group, receiver, fake_dns, organizer):
    """Rows saved before the guard, or names whose DNS answer changed after saving."""
    urls = spellings(port_of(receiver))
    for url in urls:
        Webhook.objects.create(group=group, url=url, secret="s" * 64)
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=5, name="General")
    services.register(frame=frame, user=UserFactory())
    webhooks.dispatch_webhooks(now=soon())
    webhooks.dispatch_webhooks(now=timezone.now() + timedelta(hours=3))  # the retries too
    deliveries = WebhookDelivery.objects.all()
    assert deliveries.count() == len(urls)
    delivered = [d for d in deliveries if d.state == "delivered"]
    print(f"\nSSRF delivery-time: {len(urls)} tried (each twice), {len(delivered)} delivered, "
          f"{len(receiver.requests)} requests received")  # fmt: skip
    assert receiver.requests == [] and delivered == []
    assert all(d.last_error.startswith("AddressRefused") for d in deliveries)
    assert {d.attempts for d in deliveries} == {2}  # the retry was refused as well


def test_no_redirect_is_followed_from_an_allowed_target(
    group, receiver, fake_dns, allow_test_public, organizer
):
    with redirector(receiver.url) as allowed_url:
        hook = webhooks.create_webhook(group=group, url=allowed_url)
        frame = services.create_frame(
            event=EventFactory(group=group), by=organizer, capacity=5, name="General"
        )
        services.register(frame=frame, user=UserFactory())
        webhooks.dispatch_webhooks(now=soon())
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert receiver.requests == []
    assert delivery.last_status == 307 and delivery.state == "pending"


def test_dns_rebinding_connects_to_the_checked_address(
    group, receiver, allow_test_public, organizer, monkeypatch
):
    """The name answers a 'public' address to the check, then loopback: the POST must go to
    the checked address (a server on 127.0.0.2), never to 127.0.0.1."""
    answers = iter([[TEST_PUBLIC]] + [["127.0.0.1"]] * 20)
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 0))
                    for a in next(answers)]  # fmt: skip
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append(self.headers.get("Host", ""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((TEST_PUBLIC, port_of(receiver)), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://rebind.test:{port_of(receiver)}/hook"
        Webhook.objects.create(group=group, url=url, secret="s" * 64)
        frame = services.create_frame(
            event=EventFactory(group=group), by=organizer, capacity=5, name="General"
        )
        services.register(frame=frame, user=UserFactory())
        webhooks.dispatch_webhooks(now=soon())
    finally:
        server.shutdown()
        server.server_close()
    assert receiver.requests == []
    assert seen == [f"rebind.test:{port_of(receiver)}"]  # the name in Host, the checked IP


def test_guard_classifies_special_ranges():
    refused = ["127.0.0.1", "10.1.2.3", "100.64.0.1", "100.127.255.255", "169.254.169.254",
               "0.0.0.0", "224.0.0.1", "240.0.0.1", "::1", "::", "::ffff:10.0.0.1",  # noqa: S104
               "::ffff:8.8.8.8", "64:ff9b::a00:1", "2002:a00:1::", "2001::1", "fe80::1",
               "fc00::1", "ff02::1", "2001:db8::1", "198.18.0.1", "192.0.0.8"]  # fmt: skip
    allowed = ["8.8.8.8", "93.184.215.14", "2606:4700::1111", "1.1.1.1"]
    assert [a for a in refused if netguard.is_public(ipaddress.ip_address(a))] == []
    assert all(netguard.is_public(ipaddress.ip_address(a)) for a in allowed)


def test_answer_bodies_stored_before_are_forgotten(group):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "kaisai.notices.migrations.0002_forget_webhook_answer_bodies"
    )
    hook = Webhook.objects.create(group=group, url="https://example.com/h", secret="s" * 64)
    for n, error in enumerate(["HTTP 500: secret internal page", "ConnectError", "HTTP 404"]):
        WebhookDelivery.objects.create(
            webhook=hook, key=f"k{n}", event_type="registration.created", payload={},
            next_attempt_at=timezone.now(), last_error=error,
        )  # fmt: skip
    migration.forget_bodies(apps, None)
    errors = sorted(WebhookDelivery.objects.values_list("last_error", flat=True))
    assert errors == ["ConnectError", "HTTP 404", "HTTP 500"]
