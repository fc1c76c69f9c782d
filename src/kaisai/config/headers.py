"""The Content-Security-Policy (django-csp) that kaisai.core.security_headers sends beside
its other headers (docs/security.md "Headers and caching"). No inline script or style
anywhere: scripts are files under /static/ (kaisai/kaisai.js), styles are kaisai.css."""

from __future__ import annotations

from collections.abc import Iterable

from csp.constants import NONE, SELF

# Logging in with GitHub/Google posts to kaisai, which redirects to the provider.
LOGIN_PROVIDER_ORIGINS = {
    "github": ["https://github.com"],
    "google": ["https://accounts.google.com"],
}

# Slide and video embeds: the iframe hosts allowed by talks/embeds.py EMBED_HOSTS (a test
# keeps the two in step).
EMBED_FRAME_HOSTS = [
    "https://www.youtube-nocookie.com",
    "https://speakerdeck.com",
    "https://www.slideshare.net",
    "https://slideshare.net",
    "https://docs.google.com",
    "https://www.docswell.com",
]


def content_security_policy(login_providers: Iterable[str]) -> dict:
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            # Material thumbnails come from the slide/video hosts' CDNs (any https host, see
            # talks/embeds.py); QR codes are inline SVG.
            "img-src": [SELF, "data:", "https:"],
            "frame-src": list(EMBED_FRAME_HOSTS),
            "object-src": [NONE],
            "base-uri": [NONE],
            "frame-ancestors": [NONE],
            "form-action": [
                SELF,
                *[o for p in login_providers for o in LOGIN_PROVIDER_ORIGINS.get(p, [])],
            ],
        },
    }
