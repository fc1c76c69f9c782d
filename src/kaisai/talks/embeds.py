"""Embeds for material links: an allow-list of hosts, embed URLs, and oEmbed metadata.

Only the hosts below are ever embedded. For YouTube, Google Slides and Docswell the iframe
src is computed from the link itself (no network). Title and thumbnail (and, for Speaker Deck
and SlideShare, the iframe src) come from the host's oEmbed endpoint: a fixed URL per host
that receives the material's link as a query parameter — the material's own URL is never
fetched, so a link cannot make the server request an address of the author's choosing
(no SSRF). Of the oEmbed `html` only an iframe's src is kept, and only when its host is on
the allow-list; no markup or script from a host is ever stored or shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

TIMEOUT_SECONDS = 5.0
MAX_OEMBED_BYTES = 256 * 1024

YOUTUBE = "youtube"
SPEAKERDECK = "speakerdeck"
SLIDESHARE = "slideshare"
GOOGLE_SLIDES = "google_slides"
DOCSWELL = "docswell"

PROVIDER_NAMES = {
    YOUTUBE: "YouTube",
    SPEAKERDECK: "Speaker Deck",
    SLIDESHARE: "SlideShare",
    GOOGLE_SLIDES: "Google Slides",
    DOCSWELL: "Docswell",
}

# Hosts of material links, per provider (a host matches itself and, where listed with a
# leading dot, its subdomains).
_LINK_HOSTS: dict[str, tuple[str, ...]] = {
    YOUTUBE: ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"),
    SPEAKERDECK: ("speakerdeck.com", "www.speakerdeck.com"),
    SLIDESHARE: ("slideshare.net", ".slideshare.net"),
    GOOGLE_SLIDES: ("docs.google.com",),
    DOCSWELL: ("docswell.com", "www.docswell.com"),
}

# Hosts an iframe src may point to (https only).
EMBED_HOSTS = frozenset(
    {
        "www.youtube-nocookie.com",
        "speakerdeck.com",
        "www.slideshare.net",
        "slideshare.net",
        "docs.google.com",
        "www.docswell.com",
    }
)

# The fixed oEmbed endpoints; the link goes in the `url` query parameter.
OEMBED_ENDPOINTS = {
    YOUTUBE: "https://www.youtube.com/oembed",
    SPEAKERDECK: "https://speakerdeck.com/oembed.json",
    SLIDESHARE: "https://www.slideshare.net/api/oembed/2",
    DOCSWELL: "https://www.docswell.com/service/oembed",
}

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_GOOGLE_SLIDES = re.compile(r"^/presentation/d/(e/)?([A-Za-z0-9_-]{10,})(?:/|$)")
_DOCSWELL = re.compile(r"^/s/[^/]+/([A-Za-z0-9]+)(?:-[^/]*)?/?$")


@dataclass(frozen=True)
class Embed:
    """What is known about a link: its provider, an iframe src, a title, a thumbnail."""

    provider: str = ""
    embed_url: str = ""
    title: str = ""
    thumbnail_url: str = ""


def _host_matches(host: str, patterns: tuple[str, ...]) -> bool:
    return any(
        host.endswith(pattern) if pattern.startswith(".") else host == pattern
        for pattern in patterns
    )


def provider_of(url: str) -> str:
    """The provider key of a link on an allow-listed host, or "" for any other link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https"):
        return ""
    host = (parts.hostname or "").lower()
    for provider, hosts in _LINK_HOSTS.items():
        if _host_matches(host, hosts):
            return provider
    return ""


def is_allowed_embed(url: str) -> bool:
    """May this URL be an iframe's src? https and an allow-listed host only."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and (parts.hostname or "").lower() in EMBED_HOSTS


def youtube_id(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif parts.path == "/watch":
        candidate = (parse_qs(parts.query).get("v") or [""])[0]
    else:
        segments = parts.path.strip("/").split("/")
        if len(segments) >= 2 and segments[0] in ("embed", "live", "shorts", "v"):
            candidate = segments[1]
    return candidate if _YOUTUBE_ID.fullmatch(candidate) else ""


def static_embed(url: str) -> Embed:
    """What can be known about a link without the network: provider and, for YouTube, Google
    Slides and Docswell, the iframe src. Unknown hosts give Embed() (a plain link)."""
    provider = provider_of(url)
    if not provider:
        return Embed()
    path = urlsplit(url).path
    embed_url = ""
    if provider == YOUTUBE:
        video = youtube_id(url)
        if video:
            embed_url = f"https://www.youtube-nocookie.com/embed/{video}"
    elif provider == GOOGLE_SLIDES:
        match = _GOOGLE_SLIDES.match(path)
        if match:
            published, deck = match.groups()
            prefix = "e/" if published else ""
            embed_url = f"https://docs.google.com/presentation/d/{prefix}{deck}/embed"
    elif provider == DOCSWELL:
        match = _DOCSWELL.match(path)
        if match:
            embed_url = f"https://www.docswell.com/slide/{match.group(1)}/embed"
    return Embed(provider=PROVIDER_NAMES[provider], embed_url=embed_url)


def has_oembed(url: str) -> bool:
    return provider_of(url) in OEMBED_ENDPOINTS


class _IframeSrc(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.src = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe" and not self.src:
            self.src = dict(attrs).get("src") or ""


def iframe_src(html: str) -> str:
    """The src of the first iframe in an oEmbed `html`, if its host is allow-listed; else ""."""
    parser = _IframeSrc()
    try:
        parser.feed(html or "")
        parser.close()
    except Exception:  # malformed markup: no embed
        return ""
    src = parser.src.strip()
    if src.startswith("//"):
        src = "https:" + src
    return src if is_allowed_embed(src) else ""


def _clean_url(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 1000:
        return ""
    return value if urlsplit(value).scheme == "https" else ""


def _clean_text(value: Any, limit: int) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def parse_oembed(provider: str, data: Any, base: Embed) -> Embed:
    """Merge an oEmbed answer into what `static_embed` found; computed iframes win."""
    if not isinstance(data, dict):
        return base
    embed_url = base.embed_url
    if not embed_url and isinstance(data.get("html"), str):
        embed_url = iframe_src(data["html"])
    return Embed(
        provider=base.provider or PROVIDER_NAMES[provider],
        embed_url=embed_url,
        title=_clean_text(data.get("title"), 300),
        thumbnail_url=_clean_url(data.get("thumbnail_url")),
    )


def fetch_embed(url: str, *, client: httpx.Client | None = None) -> Embed:
    """`static_embed` plus the host's oEmbed answer (title, thumbnail, iframe src). Network
    errors and odd answers give what is known without the network."""
    base = static_embed(url)
    provider = provider_of(url)
    endpoint = OEMBED_ENDPOINTS.get(provider)
    if endpoint is None:
        return base
    params = {"url": url, "format": "json"}
    try:
        if client is None:
            with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as own:
                response = own.get(endpoint, params=params)
        else:
            response = client.get(endpoint, params=params)
        if response.status_code != 200 or len(response.content) > MAX_OEMBED_BYTES:
            return base
        data = response.json()
    except (httpx.HTTPError, ValueError):
        return base
    return parse_oembed(provider, data, base)
