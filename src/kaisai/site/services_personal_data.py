"""Deleting an account (docs/security.md, "Your data").

The user row stays — registrations, check-ins, talks and logs keep pointing at it, so events'
counts stay facts — but it loses everything personal: name, e-mail, profile, avatar, connected
accounts, two-factor authenticators, API tokens, follows, and can no longer sign in (its sessions
end: the password is made unusable, which invalidates every session's hash). Registrations for
events that have not started are cancelled through the registration core first, so a freed seat
promotes the waitlist; the rest stay as anonymous rows (their answers are deleted). Talks keep
their content; their speaker shows as the anonymous account. Mail to them that is not sent yet
is dropped, and no copy of their address or mail text stays in the outbox.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kaisai.accounts.models import ApiToken, User
from kaisai.core.models import OutboxMail
from kaisai.groups.enums import Role
from kaisai.groups.models import Group, Member, Organizer
from kaisai.registrations import services as registration_services
from kaisai.registrations.enums import ACTIVE_STATUSES
from kaisai.registrations.models import Answer, Registration
from kaisai.talks.models import Speaker


class AccountDeletionError(ValidationError):
    """The account cannot be deleted yet; the message says what to do first."""


def groups_only_owned_by(user: User) -> list[Group]:
    """The groups of which this user is the last owner."""
    owned = Organizer.objects.filter(user=user, role=Role.OWNER).values_list("group_id", flat=True)
    others = (
        Organizer.objects.filter(group_id__in=list(owned), role=Role.OWNER)
        .exclude(user=user)
        .values_list("group_id", flat=True)
    )
    return list(Group.objects.filter(pk__in=owned).exclude(pk__in=others).order_by("title"))


def delete_account(*, user: User) -> User:
    """Anonymise the account (see the module's description). Raises AccountDeletionError, and
    changes nothing, while the user is the last owner of a group."""
    last_owned = groups_only_owned_by(user)
    if last_owned:
        raise AccountDeletionError(
            _(
                "You are the last owner of %(groups)s. Make someone else an owner (or hand the "
                "group over) before deleting your account."
            ),
            params={"groups": ", ".join(f"“{group.title}”" for group in last_owned)},
            code="last_owner",
        )
    now = timezone.now()
    with transaction.atomic():
        # Future seats go back through the registration core (the waitlist is promoted).
        upcoming = Registration.objects.filter(
            user=user, status__in=ACTIVE_STATUSES, event__starts_at__gt=now
        ).order_by("id")
        for registration in upcoming:
            registration_services.cancel_registration(
                registration=registration, by=user, reason=gettext_noop("account deleted")
            )
        Answer.objects.filter(registration__user=user).delete()
        Registration.objects.filter(user=user).exclude(organizer_note="").update(organizer_note="")
        Speaker.objects.filter(user=user).update(name="", invited_email="")
        # Mail to them: what is not sent yet is not sent; no copy of their address or text stays.
        mails = OutboxMail.objects.filter(recipient=user)
        mails.filter(state=OutboxMail.State.PENDING).update(
            state=OutboxMail.State.FAILED, last_error="account deleted"
        )
        mails.update(to_email="", subject="", body="", html_body="", context={})
        for model in (EmailAddress, SocialAccount, Authenticator, ApiToken, Member, Organizer):
            model.objects.filter(user=user).delete()
        old_avatar = user.avatar.name
        user.nickname = f"deleted-{user.pk}"
        user.email = ""
        user.display_name = ""
        user.bio = ""
        user.avatar = ""
        user.x_account = ""
        user.github_account = ""
        user.website = ""
        user.preferred_language = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.deleted_at = now
        user.set_unusable_password()  # every session's auth hash no longer matches
        user.save()
        if old_avatar:
            storage = user.avatar.storage
            transaction.on_commit(lambda: storage.delete(old_avatar))
    return user
