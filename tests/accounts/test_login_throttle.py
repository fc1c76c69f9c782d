"""Login throttling behind a reverse proxy (kaisai.core.clientip, AccountAdapter,
docs/security.md): rate limits count per real client IP, failed logins per (account, IP), so
an attacker slows only themselves and the owner keeps signing in with the right password."""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from kaisai.core.clientip import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
PROXY = "10.0.0.5"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def behind_proxy(settings):
    cache.clear()
    settings.KAISAI_TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("10.0.0.0/24")]
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """allauth's rate-limit clock, moved by hand (its cache entries live on in real time)."""
    now = SimpleNamespace(value=1_800_000_000.0)
    real = allauth_ratelimit.time
    fake = SimpleNamespace(time=lambda: now.value, monotonic=real.monotonic, sleep=real.sleep)
    monkeypatch.setattr(allauth_ratelimit, "time", fake)
    return now


def account(nickname: str):
    user = UserFactory(nickname=nickname, email=f"{nickname}@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def attempt(client, login: str, password: str, ip: str):
    """A login through the proxy: the peer is the proxy, the client is in X-Forwarded-For."""
    client.logout()
    return client.post(
        reverse("account_login"),
        {"login": login, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ip}",  # the first hop is whatever the client wrote
    )


def signed_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_sixty_wrong_passwords_from_many_clients_lock_nobody_else_out(client, clock):
    victim, bystander = account("victim"), account("bystander")
    refused = 0
    for n in range(60):
        response = attempt(client, "victim", "wrong", f"198.51.100.{n + 1}")
        refused += TOO_MANY in response.content.decode()
    assert refused == 0  # each client made one guess: none is slowed down
    attempt(client, "bystander", PASSWORD, "203.0.113.7")
    assert signed_in(client, bystander)
    attempt(client, "victim", PASSWORD, "203.0.113.8")
    assert signed_in(client, victim)


def test_an_attacker_guessing_one_account_is_slowed_and_the_owner_still_signs_in(client, clock):
    owner = account("owner")
    allowed, owner_in = 0, []
    for _minute in range(10):
        for _try in range(20):
            response = attempt(client, "owner", "guess", "192.0.2.66")
            allowed += TOO_MANY not in response.content.decode()
        # meanwhile the owner, elsewhere, signs in with the right password at once
        attempt(client, "owner", PASSWORD, "203.0.113.9")
        owner_in.append(signed_in(client, owner))
        clock.value += 60
    print(f"\nguesses let through in 10 minutes from one client: {allowed} of 200; "
          f"owner signed in {sum(owner_in)} of {len(owner_in)} times")  # fmt: skip
    assert allowed <= 10
    assert all(owner_in)


def test_without_trusted_proxies_forwarding_headers_are_ignored(client, settings, clock):
    settings.KAISAI_TRUSTED_PROXY_NETWORKS = []
    account("someone")
    refused = 0
    for n in range(12):  # 12 "different" clients that are all the same peer
        response = attempt(client, f"nobody{n}", "wrong", f"198.51.100.{n + 1}")
        refused += TOO_MANY in response.content.decode()
    assert refused >= 2  # 10 a minute per (real) IP: a forged header buys nothing


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("192.0.2.1", "", "192.0.2.1"),
        ("192.0.2.1", "203.0.113.5", "192.0.2.1"),  # untrusted peer: header ignored
        ("10.0.0.5", "203.0.113.5", "203.0.113.5"),
        ("10.0.0.5", "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the spoofed left part
        ("10.0.0.5", "203.0.113.5, 10.0.0.9", "203.0.113.5"),  # two proxies
        ("10.0.0.5", "garbage, 203.0.113.5", "203.0.113.5"),
        ("10.0.0.5", "203.0.113.5:4711", "203.0.113.5"),
        ("10.0.0.5", "[2001:db8::1]:443", "2001:db8::1"),
        ("10.0.0.5", "10.0.0.7", "10.0.0.7"),  # only proxies: the leftmost
        ("::ffff:10.0.0.5", "203.0.113.5", "203.0.113.5"),
    ],
)
def test_client_ip(peer, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_many_addresses_guessing_one_account_meet_a_ceiling_the_owner_does_not(client, clock):
    from kaisai.accounts.adapters import ACCOUNT_FAILURES_CEILING

    owner = account("target")
    allowed = tried = 0
    for n in range(100):  # 100 addresses, 3 guesses each
        for _try in range(3):
            response = attempt(client, "target", "guess", f"198.51.{n // 250}.{n % 250 + 1}")
            tried += 1
            allowed += TOO_MANY not in response.content.decode()
    print(f"\nguesses let through from 100 addresses: {allowed} of {tried}")
    assert allowed <= ACCOUNT_FAILURES_CEILING + 100  # then one guess per new address
    attempt(client, "target", PASSWORD, "203.0.113.10")
    assert signed_in(client, owner)
