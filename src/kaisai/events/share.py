"""Share links for an event page: plain links to X, Hatena Bookmark, Facebook and LINE
(docs/participants.md). No script, no image and no request to those sites until the visitor
clicks: the page stays within the Content-Security-Policy and tells nobody who looked."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ShareLink:
    service: str  # a CSS class and test hook: x, hatena, facebook, line
    label: str  # the service's own name (Hatena's in the reader's language)
    href: str


def share_links(url: str, title: str, hashtag: str = "") -> list[ShareLink]:
    """The four share links for a page at the absolute `url`, every parameter URL-encoded."""
    x_params = {"text": title, "url": url}
    if hashtag:
        x_params["hashtags"] = hashtag
    return [
        ShareLink("x", "X", "https://x.com/intent/tweet?" + urlencode(x_params)),
        ShareLink(
            "hatena",
            _("Hatena Bookmark"),
            "https://b.hatena.ne.jp/add?"
            + urlencode({"mode": "confirm", "url": url, "title": title}),
        ),
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        ShareLink(
            "line", "LINE", "https://social-plugins.line.me/lineit/share?" + urlencode({"url": url})
        ),
    ]
