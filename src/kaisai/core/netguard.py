"""An SSRF guard for outgoing requests to addresses chosen by users (group webhooks).

`public_addresses(host)` resolves a name once and refuses it unless every address it resolves
to is public; `post()` then connects to one of those checked addresses (the Host header and
TLS SNI/certificate check still use the name), so a DNS answer that changes between the check
and the connection (DNS rebinding) cannot reach an internal address. Redirects are never
followed and the answer's body is never read. See docs/security.md.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges refused besides what `ipaddress` does not call global. Some of these are "global"
# for the ipaddress module but reach the machine's own network through a translator.
BLOCKED_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
        "::/96",  # unspecified, loopback, IPv4-compatible
        "::ffff:0:0/96",  # IPv4-mapped: checked through the embedded address
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments (Teredo, ORCHID, ...)
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
]


class AddressRefused(Exception):
    """The address is not a public one (or the name cannot be resolved)."""


def is_public(address: IPAddress) -> bool:
    """True for an address on the public Internet only. IPv4-mapped, IPv4-compatible, NAT64,
    6to4 and Teredo IPv6 addresses are refused whatever they embed."""
    if any(address in net for net in BLOCKED_NETWORKS if net.version == address.version):
        return False
    return bool(address.is_global) and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def literal_address(host: str) -> IPAddress | None:
    """The address if `host` is written as one, in any spelling the C resolver accepts
    (decimal 2130706433, octal 0177.0.0.1, hex 0x7f.1, short 127.1, [::ffff:127.0.0.1])."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def resolve(host: str, port: int) -> list[str]:
    """The addresses of a name (one lookup). Tests replace it to fake DNS answers."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _host_port(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused("only http:// and https:// addresses")
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise AddressRefused(str(error)) from error
    if not host:
        raise AddressRefused("no host")
    return host, port, parts.scheme


def public_addresses(host: str, port: int, *, unresolved_ok: bool = False) -> list[IPAddress]:
    """Resolve once; refuse unless every address is public. Raises AddressRefused. With
    unresolved_ok, a name that does not resolve gives an empty list instead."""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        raise AddressRefused(f"{host} is not a public address")
    literal = literal_address(host)
    if literal is not None:
        candidates = [literal]
    else:
        try:
            candidates = [ipaddress.ip_address(a.split("%")[0]) for a in resolve(host, port)]
        except (OSError, UnicodeError, ValueError) as error:
            if unresolved_ok:
                return []
            raise AddressRefused(f"cannot resolve {host}: {error}") from error
        if not candidates and not unresolved_ok:
            raise AddressRefused(f"cannot resolve {host}")
    for address in candidates:
        if not is_public(address):
            raise AddressRefused(f"{host} is not a public address ({address})")
    return candidates


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse, when saving, a URL whose host is not public. A name that does not resolve
    today is accepted: every delivery resolves and checks it again."""
    host, port, _scheme = _host_port(url)
    if not allow_private:
        public_addresses(host, port, unresolved_ok=True)


@dataclass
class Outcome:
    status: int


def post(
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    client: httpx.Client,
    allow_private: bool,
) -> Outcome:
    """POST to `url` through a checked address. Redirects are not followed (a 3xx is the
    answer) and the body of the answer is not read. Raises AddressRefused or httpx errors."""
    host, port, scheme = _host_port(url)
    extensions: dict[str, str] = {}
    target = url
    if not allow_private:
        address = public_addresses(host, port)[0]
        parts = urlsplit(url)
        shown = f"[{address}]" if address.version == 6 else str(address)
        target = urlunsplit((scheme, f"{shown}:{port}", parts.path or "/", parts.query, ""))
        default_port = 443 if scheme == "https" else 80
        headers = {**headers, "Host": host if port == default_port else f"{host}:{port}"}
        if scheme == "https":
            extensions = {"sni_hostname": host}
    with client.stream(
        "POST", target, content=content, headers=headers, extensions=extensions
    ) as response:
        return Outcome(status=response.status_code)
