"""The JSON objects of connpass API v2, field by field (docs/api-v2.md has the mapping).

Strings that clients type as `str` are "" when kaisai has nothing (never null); `lat`/`lon`
are decimal strings; times are ISO 8601 to the second with the offset of the event's own zone
(Asia/Tokyo: +09:00), as connpass writes them.
"""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.fields.files import FieldFile
from django.urls import get_script_prefix, get_urlconf, reverse

from kaisai.accounts.models import User
from kaisai.api.v2.selectors import EventRow, UserCounts
from kaisai.api.v2.selectors_facts import EventFacts
from kaisai.core.markdown import render_markdown
from kaisai.events.models import Event
from kaisai.groups.models import Group
from kaisai.talks.enums import MaterialKind
from kaisai.talks.models import Material

JSON = dict[str, Any]

# connpass knows slide / movie / blog ("blog etc."); kaisai's "other" counts as the last.
PRESENTATION_TYPE: dict[str, str] = {
    MaterialKind.SLIDE.value: "slide",
    MaterialKind.MOVIE.value: "movie",
    MaterialKind.BLOG.value: "blog",
    MaterialKind.OTHER.value: "blog",
}


# Rendering Markdown costs milliseconds per description; a page of 100 events would spend most
# of its time there. Rendered HTML is cached by the text's SHA-256 (a changed text is a new key)
# for an hour (so that a change of the sanitiser's rules reaches cached HTML within the hour).
MARKDOWN_CACHE_PREFIX = "kaisai:api-v2:md:"
MARKDOWN_CACHE_SECONDS = 3600


def _markdown_key(text: str) -> str:
    return MARKDOWN_CACHE_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def render_all(texts: Iterable[str]) -> dict[str, str]:
    """Markdown → sanitised HTML for each distinct text, through the cache (one round trip to
    read, one to store what was missing)."""
    keys = {text: _markdown_key(text) for text in set(texts) if text}
    cached = cache.get_many(list(keys.values())) if keys else {}
    html = {"": ""}
    missing = {}
    for text, key in keys.items():
        if key in cached:
            html[text] = cached[key]
        else:
            html[text] = missing[key] = str(render_markdown(text))
    if missing:
        cache.set_many(missing, timeout=MARKDOWN_CACHE_SECONDS)
    return html


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.BASE_URL + path


@lru_cache(maxsize=64)
def _url_parts(name: str, kwarg: str, placeholder: str, *_key: object) -> tuple[str, str]:
    head, _found, tail = reverse(name, kwargs={kwarg: placeholder}).partition(placeholder)
    return head, tail


def page_url(name: str, kwarg: str, value: object) -> str:
    """`absolute(reverse(name, kwargs={kwarg: value}))` for URLs with one argument, reversed
    once per process (reverse() is a large share of a 100-event page otherwise)."""
    return url_maker(name, kwarg, numeric=isinstance(value, int))(value)


def url_maker(name: str, kwarg: str, *, numeric: bool) -> Callable[[object], str]:
    """`page_url(name, kwarg, value)` as a function of the value, for a page's rows: the
    script prefix and URL conf (thread-local look-ups) are read once, not per row."""
    placeholder = "9876543210" if numeric else "kaisai-placeholder"
    head, tail = _url_parts(name, kwarg, placeholder, get_script_prefix(), get_urlconf())
    if head.startswith(("http://", "https://")):
        return lambda value: f"{head}{value}{tail}"
    base = settings.BASE_URL + head
    return lambda value: f"{base}{value}{tail}"


def file_url(file: FieldFile | None) -> str:
    return absolute(file.url) if file else ""


def timestamp(moment: datetime | None, zone: zoneinfo.ZoneInfo) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zone).isoformat(timespec="seconds")


def site_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def coordinate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.12f}"


def envelope(key: str, items: list[JSON], *, available: int, start: int) -> JSON:
    return {
        "results_returned": len(items),
        "results_available": available,
        "results_start": start,
        key: items,
    }


def group_summary(group: Group) -> JSON:
    return {
        "id": group.pk,
        "subdomain": group.slug,
        "title": group.title,
        "url": page_url("groups:detail", "slug", group.slug),
    }


_EVENT_IMAGES = Event._meta.get_field("image")


def _image_url(name: str) -> str:
    """`file_url(event.image)` from the stored name of an event row."""
    return absolute(_EVENT_IMAGES.storage.url(name)) if name else ""


@dataclass(frozen=True)
class EventUrls:
    """The two page URLs of an Event object, made once per page (`url_maker`)."""

    event: Callable[[object], str]
    group: Callable[[object], str]


def event_urls() -> EventUrls:
    return EventUrls(
        event=url_maker("event_permalink", "pk", numeric=True),
        group=url_maker("groups:detail", "slug", numeric=False),
    )


def event_items(rows: list[EventRow], facts: dict[int, EventFacts]) -> list[JSON]:
    """The Event objects of a page of rows, descriptions rendered through the cache at once."""
    html = render_all(row["description"] for row in rows)
    urls = event_urls()
    return [event_json(row, facts[row["id"]], html, urls) for row in rows]


def event_json(
    row: EventRow,
    facts: EventFacts,
    html: dict[str, str] | None = None,
    urls: EventUrls | None = None,
) -> JSON:
    """The Event object from an event row (`selectors.event_rows`). `html`: descriptions
    already rendered (`render_all`), else rendered here; `urls`: `event_urls()`, else made
    here."""
    urls = urls or event_urls()
    zone = zoneinfo.ZoneInfo(row["time_zone"])
    owner = facts.owner
    description = row["description"]
    return {
        "id": row["id"],
        "title": row["title"],
        "catch": row["catch"],
        "description": (html if html is not None else render_all([description]))[description],
        "url": urls.event(row["id"]),
        "image_url": _image_url(row["image"]),
        "hash_tag": row["hashtag"],
        "started_at": timestamp(row["starts_at"], zone),
        "ended_at": timestamp(row["ends_at"], zone),
        "published_at": timestamp(row["published_at"], zone),
        "limit": facts.limit,
        "event_type": "participation",
        "open_status": facts.open_status,
        "group": {
            "id": row["group_id"],
            "subdomain": row["group__slug"],
            "title": row["group__title"],
            "url": urls.group(row["group__slug"]),
        },
        "address": row["address"],
        "place": row["place"],
        "lat": coordinate(row["latitude"]),
        "lon": coordinate(row["longitude"]),
        "owner_id": owner.id if owner else 0,
        "owner_nickname": owner.nickname if owner else "",
        "owner_display_name": owner.display_name if owner else "",
        "accepted": facts.accepted,
        "waiting": facts.waiting,
        "updated_at": timestamp(row["updated_at"], zone),
    }


def _person(user: User | None) -> JSON | None:
    return None if user is None else {"id": user.pk, "nickname": user.nickname}


def presentation_json(material: Material, zone: zoneinfo.ZoneInfo) -> JSON:
    talk = material.talk
    speakers = getattr(talk, "user_speakers", []) if talk is not None else []
    return {
        "user": _person(material.added_by),
        "url": material.url,
        "name": material.title or (talk.title if talk is not None else "") or material.url,
        "presenter": _person(speakers[0].user) if speakers else None,
        "presentation_type": PRESENTATION_TYPE.get(material.kind, "blog"),
        "created_at": timestamp(material.created_at, zone),
    }


def group_json(group: Group, html: dict[str, str] | None = None) -> JSON:
    owners = getattr(group, "owner_roles", [])
    return {
        "id": group.pk,
        "subdomain": group.slug,
        "title": group.title,
        "sub_title": group.subtitle,
        "url": page_url("groups:detail", "slug", group.slug),
        "description": (html if html is not None else render_all([group.description]))[
            group.description
        ],
        "owner_text": owners[0].user.name if owners else "",
        "image_url": file_url(group.image),
        "website_url": group.website,
        "website_name": group.title if group.website else "",
        "twitter_username": group.x_account,
        "facebook_url": "",
        "member_users_count": int(getattr(group, "member_users_count", 0)),
    }


def user_json(user: User, counts: UserCounts) -> JSON:
    return {
        "id": user.pk,
        "nickname": user.nickname,
        "display_name": user.name,
        "description": user.bio,
        "url": page_url("accounts:profile", "nickname", user.nickname),
        "image_url": file_url(user.avatar),
        "created_at": timestamp(user.date_joined, site_zone()),
        "attended_event_count": counts.attended,
        "organize_event_count": counts.organized,
        "presenter_event_count": counts.presented,
        "bookmark_event_count": 0,
    }
