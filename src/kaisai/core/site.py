"""The site's name and address, from the settings (KAISAI_SITE_NAME, KAISAI_BASE_URL)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


def site_domain() -> str:
    """The host (and port, if any) of KAISAI_BASE_URL, e.g. "meetups.example.org"."""
    return urlsplit(settings.BASE_URL).netloc or "localhost"


@dataclass(frozen=True)
class CurrentSite:
    """What allauth's mail templates call `current_site`, without the database's Site."""

    name: str
    domain: str

    def __str__(self) -> str:
        return self.domain


def current_site() -> CurrentSite:
    return CurrentSite(name=settings.KAISAI_SITE_NAME, domain=site_domain())
