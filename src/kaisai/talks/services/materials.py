"""Materials (資料): adding and deleting links to slides, videos and blog posts.

Who: a talk's speakers for their talk, the event's organizers for any talk or for the whole
event — before or after the event. Links must be http(s). Adding one tells the group's members
who want to know (a group notice, MailKind.MATERIALS_ADDED) and queues a task that asks the
host's oEmbed endpoint for a title and thumbnail (allow-listed hosts only; see talks.embeds).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.permissions import require
from kaisai.notices.enums import MailKind
from kaisai.notices.notify import notify_group_members
from kaisai.talks import embeds
from kaisai.talks.enums import MaterialKind, TalkState
from kaisai.talks.models import Material, Talk
from kaisai.talks.selectors_materials import can_add_material, can_delete_material

MAX_URL_LENGTH = 1000
MAX_TITLE_LENGTH = 300


class MaterialError(ValidationError):
    """A material rule said no; the message is translated and safe to show."""


def clean_material_url(url: str) -> str:
    """The link, trimmed, if it is an http(s) URL; MaterialError({"url": ...}) otherwise."""
    url = (url or "").strip()
    if not url:
        raise MaterialError({"url": [_("Enter the link to the slides, video or post.")]})
    if len(url) > MAX_URL_LENGTH:
        raise MaterialError(
            {"url": [_("The link is too long (at most %(n)d characters).") % {"n": MAX_URL_LENGTH}]}
        )
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        raise MaterialError(
            {
                "url": [
                    _("Only web links are allowed: the link must start with https:// or http://.")
                ]
            }
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise MaterialError({"url": [_("This is not a valid web address.")]}) from None
    return url


def add_material(
    *,
    by,
    event: Event,
    url: str,
    kind: str = MaterialKind.SLIDE,
    title: str = "",
    talk: Talk | None = None,
) -> Material:
    """Add a link to `talk` (or to the whole event). Raises PermissionDenied for people who
    may not, MaterialError for bad input; nothing is saved then."""
    require(can_add_material(by, event, talk))
    if talk is not None and talk.event_id != event.pk:
        raise MaterialError({"talk": [_("This talk belongs to another event.")]})
    url = clean_material_url(url)
    if kind not in MaterialKind.values:
        raise MaterialError({"kind": [_("Choose what kind of material this is.")]})
    title = " ".join((title or "").split())[:MAX_TITLE_LENGTH]
    if talk is not None and talk.state != TalkState.ACCEPTED:
        raise MaterialError({"talk": [_("Only accepted talks can have materials.")]})
    if Material.objects.filter(event=event, talk=talk, url=url).exists():
        raise MaterialError({"url": [_("This link is already listed.")]})

    known = embeds.static_embed(url)
    with transaction.atomic():
        material = Material.objects.create(
            event=event,
            talk=talk,
            kind=kind,
            url=url,
            title=title,
            provider=known.provider,
            embed_url=known.embed_url,
            added_by=by,
        )
        if event.status == EventStatus.PUBLISHED:
            notify_group_members(
                event.group,
                kind=MailKind.MATERIALS_ADDED,
                template="materials_added",
                context={"material": material, "event": event, "talk": talk},
                key=f"materials-{material.pk}",
                exclude=[by],
            )
        if embeds.has_oembed(url):
            material_id = material.pk
            transaction.on_commit(lambda: _enqueue_fetch(material_id))
    return material


def _enqueue_fetch(material_id: int) -> None:
    from kaisai.talks.tasks import fetch_material_metadata

    fetch_material_metadata.enqueue(material_id)


def delete_material(*, by: User, material: Material) -> None:
    require(can_delete_material(by, material))
    with transaction.atomic():
        material.delete()


def refresh_metadata(*, material_id: int) -> bool:
    """Ask the host's oEmbed endpoint about a material's link and store title (when the adder
    gave none), thumbnail and iframe src. The request runs outside any transaction; the row
    is then updated in one statement. Returns whether anything was stored."""
    material = Material.objects.filter(pk=material_id).first()
    if material is None or not embeds.has_oembed(material.url):
        return False
    found = embeds.fetch_embed(material.url)
    changes: dict[str, str] = {}
    if found.provider and found.provider != material.provider:
        changes["provider"] = found.provider
    if found.embed_url and found.embed_url != material.embed_url:
        changes["embed_url"] = found.embed_url
    if found.thumbnail_url and found.thumbnail_url != material.thumbnail_url:
        changes["thumbnail_url"] = found.thumbnail_url
    if found.title and not material.title:
        changes["title"] = found.title
    if not changes:
        return False
    # Conditional on the URL: if the row changed meanwhile, nothing stale is written.
    return bool(Material.objects.filter(pk=material.pk, url=material.url).update(**changes))


def link_event_post(*, event: Event, url: str, title: str, by) -> Material:
    """List a post about the whole event among its materials (kind "blog"), for another part
    of kaisai that checked who may and sends its own notice (the published recap). Linking
    the same URL again returns the row already there."""
    url = clean_material_url(url)
    title = " ".join((title or "").split())[:MAX_TITLE_LENGTH]
    with transaction.atomic():
        material, _created = Material.objects.get_or_create(
            event=event,
            talk=None,
            url=url,
            defaults={"kind": MaterialKind.BLOG, "title": title, "added_by": by},
        )
    return material
