"""Recaps (レポート): draft, edit, publish (with one notice to the group's members), and
participants' links to their own posts. Every write checks who may (kaisai.recaps.access)
and runs in a transaction; bad input raises RecapError with a translated message."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.events.models import Event
from kaisai.groups.permissions import require
from kaisai.notices.notify import queue_mails
from kaisai.recaps import drafting
from kaisai.recaps.access import (
    can_add_external_recap,
    can_remove_external_recap,
    can_write_recap,
)
from kaisai.recaps.models import MAX_BODY_LENGTH, ExternalRecap, Recap
from kaisai.recaps.selectors import RECAP_MAIL_KIND, notice_key, notice_recipients
from kaisai.talks.services.materials import MaterialError, clean_material_url, link_event_post

MAX_TITLE_LENGTH = 200


class RecapError(ValidationError):
    """A recap rule said no; the message is translated and safe to show."""

    def __init__(self, message, code: str = "invalid") -> None:
        super().__init__(message, code=code)
        self.reason = code


def _require_ended(event: Event) -> None:
    if not event.is_held:
        raise RecapError(
            _("The recap can be drafted once the event has ended."),
            code="not_ended",
        )


def do_draft_recap(
    *, event: Event, by, survey_highlights: drafting.SurveyHighlights | None = None
) -> Recap:
    """Draft the recap from what kaisai knows (kaisai.recaps.drafting). Only after the event
    has ended; a draft already there is replaced (a published recap is not)."""
    require(can_write_recap(by, event))
    _require_ended(event)
    body = drafting.draft_markdown(event, survey_highlights=survey_highlights)
    with transaction.atomic():
        recap = Recap.objects.select_for_update().filter(event=event).first()
        if recap is not None and recap.is_published:
            raise RecapError(
                _("The recap is already published: edit it instead."), code="published"
            )
        if recap is None:
            recap = Recap.objects.create(event=event, body=body, drafted_by=by)
        else:
            recap.body, recap.drafted_by = body, by
            recap.save(update_fields=["body", "drafted_by", "updated_at"])
    return recap


def clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise RecapError({"body": [_("Write the recap: it cannot be empty.")]}, code="empty")
    if len(body) > MAX_BODY_LENGTH:
        raise RecapError(
            {
                "body": [
                    _("The recap is too long (at most %(n)d characters).") % {"n": MAX_BODY_LENGTH}
                ]
            },
            code="too_long",
        )
    return body


def do_edit_recap(*, recap: Recap, by, body: str) -> Recap:
    """Save the organizer's text (Markdown, rendered sanitised like the event description).
    A published recap may be corrected too; nobody is mailed again."""
    require(can_write_recap(by, recap.event))
    recap.body = clean_body(body)
    with transaction.atomic():
        recap.save(update_fields=["body", "updated_at"])
    return recap


def recap_url(event: Event) -> str:
    return settings.BASE_URL + reverse("recaps:detail", kwargs={"pk": event.pk})


def do_publish_recap(
    *, recap: Recap, by, confirmed_count: int | None = None, notify: bool = True
) -> int:
    """Publish the recap: it shows on the event and materials pages, is listed among the
    materials (a "blog" entry, as API v2's presentations show it), and is mailed once to the
    group's members who did not switch "new materials" off (organizers excluded).

    `confirmed_count` is the number the organizer saw on the confirmation; if the recipients
    changed meanwhile, RecapError("changed") and nothing is written. `notify=False` (the demo
    data) mails nobody. Returns how many mails were queued."""
    event = recap.event
    require(can_write_recap(by, event))
    _require_ended(event)
    with transaction.atomic():
        locked = Recap.objects.select_for_update().get(pk=recap.pk)
        if locked.is_published:
            raise RecapError(_("The recap is already published."), code="published")
        clean_body(locked.body)
        recipients = notice_recipients(event) if notify else []
        if confirmed_count is not None and confirmed_count != len(recipients):
            raise RecapError(
                _("The number of recipients changed: check it again before publishing."),
                code="changed",
            )
        locked.published_at = timezone.now()
        locked.published_by = by
        key = notice_key(event)
        sent = queue_mails(
            recipients,
            key=lambda person: f"{key}-{person.pk}",
            template="recap_published",
            context={"event": event, "recap_url": recap_url(event)},
            kind=RECAP_MAIL_KIND,
            group=event.group,
        )
        locked.notified_count = sent
        locked.save(update_fields=["published_at", "published_by", "notified_count", "updated_at"])
        link_event_post(
            event=event,
            url=recap_url(event),
            title=_("Recap: %(title)s") % {"title": event.numbered_title},
            by=by,
        )
    recap.refresh_from_db()
    return sent


# --- external recaps ----------------------------------------------------------------------


def do_add_external_recap(*, event: Event, by, url: str, title: str) -> ExternalRecap:
    """Link a participant's own post about the event (http/https only, one row per URL)."""
    require(can_add_external_recap(by, event))
    try:
        url = clean_material_url(url)
    except MaterialError as error:
        raise RecapError(error.message_dict, code="bad_url") from None
    title = " ".join((title or "").split())
    if not title:
        raise RecapError({"title": [_("Give the post a title.")]}, code="no_title")
    if len(title) > MAX_TITLE_LENGTH:
        raise RecapError(
            {
                "title": [
                    _("The title is too long (at most %(n)d characters).") % {"n": MAX_TITLE_LENGTH}
                ]
            },
            code="too_long",
        )
    exists = RecapError({"url": [_("This post is already linked.")]}, code="exists")
    if ExternalRecap.objects.filter(event=event, url=url).exists():
        raise exists
    try:
        with transaction.atomic():
            return ExternalRecap.objects.create(event=event, user=by, url=url, title=title)
    except IntegrityError:  # linked by someone else at the same moment (the unique constraint)
        raise exists from None


def do_remove_external_recap(*, external: ExternalRecap, by) -> None:
    require(can_remove_external_recap(by, external))
    with transaction.atomic():
        external.delete()
