"""Markdown written by organizers, rendered to HTML that cannot carry script.

markdown-it-py renders CommonMark (raw HTML switched off); nh3 (Ammonia) then keeps only an
allow-list of tags and attributes, drops event handlers and `javascript:`/`data:` URLs, and
marks links `rel="noopener noreferrer nofollow"`.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

# The help text of every field written in Markdown: raw HTML is shown as text, say so.
MARKDOWN_HELP = _(
    "Markdown: **bold**, [links](https://example.org), lists, code. HTML tags are not "
    "allowed: they are shown as text."
)

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


# Texts up to this long are remembered by their content: an event page renders the same
# description on every view, and an organizer's message mailed to 10,000 people is rendered
# once per worker, not once per mail. Never stale, since the key is the text itself.
CACHED_TEXT_LENGTH = 20_000


@lru_cache(maxsize=256)
def _render_cached(text: str) -> str:
    return sanitize_html(_md.render(text))


def render_markdown(text: str | None) -> SafeString:
    """Render Markdown to sanitised HTML, safe to put into a template."""
    if not text:
        return mark_safe("")  # noqa: S308
    if len(text) <= CACHED_TEXT_LENGTH:
        return mark_safe(_render_cached(text))  # noqa: S308 - sanitised by nh3
    return mark_safe(sanitize_html(_md.render(text)))  # noqa: S308 - sanitised by nh3 above
