"""Hole punching: a page rendered once and shared by many visitors, with each visitor's own
parts (their name, their registration, the buttons that depend on it) rendered per answer
(docs/caching.md, the logged-in event page: site/event_page_user.py).

A template marks such a part with `{% hole "fragment.html" name=value … %}` (template tag
library `holes`). The fragment sees only the hole's values (shared: the same for every
visitor of that page, e.g. a frame's id and window state) and the visitor's own values named
in `PERSONAL`. Rendered normally, the tag renders the fragment in place from the page's
context. Rendered for sharing (`Collector` in the context under `COLLECTOR`), it writes a
marker instead and records the fragment and its values; `Punched.assemble` puts each
fragment, rendered with one visitor's own values (`fill`), into the markers. Both ways
render the same fragment with the same context, so the shared page with its holes filled is
the page of that visitor.

The marker is derived from SECRET_KEY: an event's text cannot contain one to have a
fragment rendered into it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.template import Context, engines
from django.utils.crypto import salted_hmac

COLLECTOR = "_hole_collector"
# The visitor's own values a fragment may read, besides its hole's values.
PERSONAL = (
    "user",
    "csrf_token",
    "my_registration",
    "has_active_registration",
    "sees_participant_info",
)
# What a hole's values may be (they are stored with the shared page).
PLAIN = (str, int, bool, type(None))


@cache
def marker_prefix() -> str:
    return "<!--hole-" + salted_hmac("kaisai.holes", "marker").hexdigest()[:32] + "-"


@cache
def _marker_pattern() -> re.Pattern[bytes]:
    return re.compile(re.escape(marker_prefix().encode()) + rb"(\d+)-->")


Hole = tuple[str, dict[str, Any]]  # the fragment's template name and the hole's values


@dataclass
class Collector:
    """Gathers the holes of a page rendered for sharing."""

    holes: list[Hole] = field(default_factory=list)

    def add(self, template_name: str, values: dict[str, Any]) -> str:
        for name, value in values.items():
            if not isinstance(value, PLAIN):
                raise TypeError(f"hole {template_name}: {name} is not a plain value")
        self.holes.append((template_name, values))
        return f"{marker_prefix()}{len(self.holes) - 1}-->"


def render_fragment(template_name: str, values: Mapping[str, Any]) -> str:
    """The fragment rendered from exactly `values` (autoescaped, as a page is)."""
    template = engines["django"].engine.get_template(template_name)  # type: ignore[attr-defined]
    return template.render(Context(dict(values)))


def fill(template_name: str, shared: Mapping[str, Any], personal: Mapping[str, Any]) -> str:
    return render_fragment(template_name, {**shared, **personal})


@dataclass(frozen=True)
class Punched:
    """A page with holes: its text between the markers, and the hole at each marker."""

    texts: tuple[bytes, ...]
    at: tuple[int, ...]  # the hole (index in `holes`) between texts[i] and texts[i + 1]
    holes: tuple[Hole, ...]

    @classmethod
    def of(cls, content: bytes, collector: Collector) -> Punched:
        pieces = _marker_pattern().split(content)
        return cls(
            texts=tuple(pieces[0::2]),
            at=tuple(int(index) for index in pieces[1::2]),
            holes=tuple(collector.holes),
        )

    def assemble(self, render: Callable[[str, dict[str, Any]], bytes]) -> bytes:
        """The page with each hole's fragment as `render(template_name, values)` gives it."""
        rendered = [render(name, values) for name, values in self.holes]
        out = [self.texts[0]]
        for index, text in zip(self.at, self.texts[1:], strict=True):
            out.append(rendered[index])
            out.append(text)
        return b"".join(out)
