"""Plain text from an event's Markdown, for calendar entries and link previews."""

from __future__ import annotations

import html
import re

from django.utils.html import strip_tags
from django.utils.text import Truncator

from kaisai.core.markdown import render_markdown

_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|pre|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)


def markdown_to_text(text: str | None) -> str:
    """Markdown → plain text, keeping paragraph and list breaks."""
    if not text:
        return ""
    rendered = _BLOCK_END.sub("\n", str(render_markdown(text)))
    plain = html.unescape(strip_tags(rendered))
    lines = [line.strip() for line in plain.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def event_summary(event, length: int = 200) -> str:
    """One line about the event: its catch, else the start of its description."""
    text = event.catch or " ".join(markdown_to_text(event.description).split())
    return Truncator(text).chars(length)
