"""The real client address, also behind reverse proxies (docs/security.md).

KAISAI_TRUSTED_PROXIES lists the addresses or networks of the proxies in front of kaisai
(e.g. "127.0.0.1,10.0.0.0/8"). When the peer (REMOTE_ADDR) is one of them, X-Forwarded-For is
walked from the right, skipping trusted proxies: the first address that is not one is the
client. Without the setting no forwarding header is believed (a client could write any).
Used by every rate limit: allauth's (AccountAdapter.get_client_ip) and kaisai's own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Addresses or networks; raises ImproperlyConfigured naming the bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"KAISAI_TRUSTED_PROXIES: {value!r} is not an address or network"
            ) from error
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    networks: list[Network] = getattr(settings, "KAISAI_TRUSTED_PROXY_NETWORKS", [])
    return any(address in network for network in networks if network.version == address.version)


def client_ip(request: HttpRequest) -> str:
    """The client's address as text ("unknown" if the peer has none)."""
    peer = _address(request.META.get("REMOTE_ADDR", "") or "")
    if peer is None:
        return "unknown"
    if not _trusted(peer):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            break  # garbage written by someone before our proxies: stop at the last good one
        client = address
        if not _trusted(address):
            break
    return str(client)
