"""The logged-in visitor's own parts of the shared event page (site/event_page_user.py), each
rendered from exactly the values it is given and kept in this process under those values
(docs/caching.md, "The visitor's fragments").

A hole's fragment is a function of: its template, its hole's values (stored with the shared
page: a frame's id, window state, free seats, …), the visitor's own values it reads, and the
ambient state of the render (the language, the time zone, the URL prefix and URLconf). Here
each fragment is rendered from values that are plain data — the visitor's user and
registration as frozen records of the few fields the fragments show (`OwnUser`,
`OwnRegistration`), never the model instances — and kept under a key made of all those
inputs, in a bounded per-process memo. What the key names is what the render reads: a
fragment that reads a field not in the records renders it empty, which the tests comparing
the page byte for byte with the full render catch. So a stored fragment is never stale: any
change of an input is a new key (the registration, its status, its waitlist number, the
visitor's name, the language, the seats left), the old entry simply ages out.

The CSRF token is not an input: the fragments are rendered with the placeholder
(event_page_cache.csrf_placeholder) that each answer replaces with the visitor's own token,
masked anew (event_page_user._answer), as the anonymous page does.

Each fragment reads only the visitor's values named for it in `READS` (all of
core/holes.PERSONAL for one not named): the parts that depend on the registration alone are
then the same entry for everyone in the same state (every visitor without a registration,
say), the header's links one entry per visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.translation import get_language

from kaisai.core import holes
from kaisai.registrations.enums import ACTIVE_STATUSES, Status
from kaisai.registrations.models import Registration

# Fragments kept per process (each under a key of all its inputs). A fragment is a few
# hundred bytes; the header's is one per visitor, the others one per registration state.
MEMO_SIZE = 4096

# The visitor's own values each fragment reads; a fragment not named reads all of PERSONAL.
READS: dict[str, tuple[str, ...]] = {
    "_user_nav.html": ("user", "csrf_token"),
    "events/_essential_actions.html": ("my_registration", "has_active_registration"),
    "registrations/_my_registration.html": ("my_registration", "has_active_registration"),
    "registrations/_frame_action.html": ("my_registration", "has_active_registration"),
    "registrations/_frame_mine.html": ("my_registration", "has_active_registration"),
    "events/_participant_info.html": ("sees_participant_info",),
}


@dataclass(frozen=True)
class OwnUser:
    """What the fragments show of the visitor (the header: their profile link and name)."""

    nickname: str
    name: str


@dataclass(frozen=True)
class OwnFrame:
    pk: int
    name: str
    method: str


@dataclass(frozen=True)
class OwnRegistration:
    """What the fragments show of the visitor's registration (registrations/_status.html
    without `explain`, the frame's button and mark)."""

    status: str
    frame_id: int
    frame: OwnFrame
    position: int | None

    @classmethod
    def of(cls, registration: Registration) -> OwnRegistration:
        frame = registration.frame
        return cls(
            status=str(registration.status),
            frame_id=registration.frame_id,
            frame=OwnFrame(pk=frame.pk, name=frame.name, method=str(frame.method)),
            position=getattr(registration, "position", None),
        )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def get_status_display(self) -> str:
        return Registration(status=self.status).get_status_display()


def own_values(user: Any, registration: Registration | None, csrf: str) -> dict[str, Any]:
    """The visitor's own values (holes.PERSONAL) as plain data: `csrf` stands for the token."""
    own = None if registration is None else OwnRegistration.of(registration)
    return {
        "user": OwnUser(nickname=user.nickname, name=user.name),
        "csrf_token": csrf,
        "my_registration": own,
        "has_active_registration": own is not None and own.is_active,
        # Not an organizer (event_page_user.shares_page): sees it when accepted.
        "sees_participant_info": own is not None and own.status == Status.ACCEPTED,
    }


def _ambient() -> tuple[Any, ...]:
    """The render's state besides its values: what the translations, the dates and the
    {% url %} tags read."""
    return (
        get_language(),
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        get_urlconf(),
    )


@lru_cache(maxsize=MEMO_SIZE)
def _rendered(
    name: str, values: tuple[tuple[str, Any], ...], own: tuple[tuple[str, Any], ...], ambient: Any
) -> bytes:
    # `ambient` is the current state (the key's part): the render reads it from there.
    return holes.fill(name, dict(values), dict(own)).encode()


def renderer(own: dict[str, Any]):
    """For Punched.assemble: each hole's fragment for this visitor, from the memo."""
    ambient = _ambient()
    by_reads: dict[tuple[str, ...], tuple[tuple[str, Any], ...]] = {}

    def render(name: str, values: dict[str, Any]) -> bytes:
        reads = READS.get(name, holes.PERSONAL)
        mine = by_reads.get(reads)
        if mine is None:
            mine = by_reads[reads] = tuple((key, own[key]) for key in reads)
        return _rendered(name, tuple(values.items()), mine, ambient)

    return render


def clear(**_kwargs: Any) -> None:
    _rendered.cache_clear()


# A setting changed (the tests' override_settings: templates, languages, URLs): start afresh.
setting_changed.connect(clear, dispatch_uid="kaisai.site.event_page_fragments.clear")
