"""Everything kaisai keeps about one person, as plain JSON (the "Your data" export;
docs/security.md)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.checkin.models import CheckIn
from kaisai.groups.models import Member, Organizer
from kaisai.registrations.models import Registration
from kaisai.talks.models import Speaker


def _when(value) -> str | None:
    return value.isoformat() if value else None


def personal_data_of(user: User) -> dict[str, Any]:
    """The person's profile, e-mail addresses, connected accounts, registrations with their
    answers, check-ins, talks and group memberships and roles."""
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("event", "frame")
        .prefetch_related("answers__question")
        .order_by("created_at", "id")
    )
    checkins = CheckIn.objects.filter(registration__user=user).select_related("event")
    speakers = Speaker.objects.filter(user=user).select_related("talk__event").order_by("id")
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "nickname": user.nickname,
            "display_name": user.display_name,
            "email": user.email,
            "bio": user.bio,
            "avatar": user.avatar.name or None,
            "x_account": user.x_account,
            "github_account": user.github_account,
            "website": user.website,
            "preferred_language": user.preferred_language,
            "show_in_lists": user.show_in_lists,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "connected_accounts": [
            {"provider": account.provider, "uid": account.uid}
            for account in SocialAccount.objects.filter(user=user).order_by("id")
        ],
        "registrations": [
            {
                "event": registration.event.title,
                "event_id": registration.event_id,
                "event_starts_at": _when(registration.event.starts_at),
                "frame": registration.frame.name,
                "status": registration.status,
                "afterparty": registration.afterparty,
                "shown_in_participants_list": registration.listed,
                "created_at": _when(registration.created_at),
                "answers": [
                    {"question": answer.question.label, "answer": answer.value}
                    for answer in registration.answers.all()
                ],
            }
            for registration in registrations
        ],
        "check_ins": [
            {
                "event": checkin.event.title,
                "event_id": checkin.event_id,
                "checked_in_at": _when(checkin.checked_in_at),
                "method": checkin.method,
            }
            for checkin in checkins
        ],
        "talks": [
            {
                "title": speaker.talk.title,
                "abstract": speaker.talk.abstract,
                "event": speaker.talk.event.title,
                "event_id": speaker.talk.event_id,
                "state": speaker.talk.state,
                "kind": speaker.talk.kind,
            }
            for speaker in speakers
        ],
        "group_memberships": [
            {
                "group": member.group.slug,
                "joined_at": _when(member.joined_at),
                "shown_in_members_list": member.listed,
            }
            for member in Member.objects.filter(user=user).select_related("group")
        ],
        "organizer_roles": [
            {"group": organizer.group.slug, "role": organizer.role}
            for organizer in Organizer.objects.filter(user=user).select_related("group")
        ],
    }
