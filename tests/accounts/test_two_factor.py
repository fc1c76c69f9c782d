"""Two-factor authentication (allauth.mfa): signing in with TOTP and with a recovery code, its
pages in kaisai's layout and in Japanese, and a group's two-factor requirement."""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import is_mfa_enabled
from django.urls import reverse

from kaisai.groups.enums import Action, Role
from kaisai.groups.models import ActionLog, Group
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_totp(user) -> str:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.nickname, "password": PASSWORD})


def test_password_alone_does_not_sign_in_a_user_with_totp(client):
    person = UserFactory()
    with_totp(person)
    response = sign_in(client, person)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session


def test_totp_sign_in(client):
    person = UserFactory()
    secret = with_totp(person)
    sign_in(client, person)
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_recovery_code_sign_in_once(client):
    person = UserFactory()
    with_totp(person)
    code = RecoveryCodes.activate(person).get_unused_codes()[0]
    sign_in(client, person)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session["_auth_user_id"] == str(person.pk)
    client.post(reverse("account_logout"))
    sign_in(client, person)
    client.post(reverse("mfa_authenticate"), {"code": code})  # used up
    assert "_auth_user_id" not in client.session


def test_two_factor_pages_in_layout_and_japanese(client):
    person = UserFactory()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    login(client, person)
    html = client.get(reverse("mfa_index")).content.decode()
    assert 'class="site-header"' in html
    assert 'class="settings-nav"' in html
    assert html.count("<h1>") == 1
    # activating asks for the password again first (a recent sign-in), in the same layout
    html = client.get(reverse("mfa_activate_totp"), follow=True).content.decode()
    assert 'class="site-header"' in html and 'type="password"' in html
    client.cookies["django_language"] = "ja"
    html = client.get(reverse("mfa_index"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "多要素認証" in html
    assert "認証アプリ" in html  # allauth's own Japanese
    # the settings pages link to it
    html = client.get(reverse("accounts:settings")).content.decode()
    assert reverse("mfa_index") in html


# --- a group's requirement ----------------------------------------------------------------


@pytest.fixture
def strict_group(db):
    owner = UserFactory(nickname="strict-owner")
    with_totp(owner)
    group = GroupFactory(slug="strict", owner=owner, require_mfa=True)
    return group


def test_organizer_without_two_factor_is_sent_to_set_it_up(client, strict_group):
    helper = OrganizerFactory(group=strict_group, role=Role.ORGANIZER).user
    event = EventFactory(group=strict_group)
    login(client, helper)
    for url in (
        reverse("groups:edit", kwargs={"slug": "strict"}),
        reverse("groups:organizers", kwargs={"slug": "strict"}),
        reverse("events:edit", kwargs={"pk": event.pk}),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("mfa_index"), url
        assert "requires two-factor authentication" in response.content.decode()
    # with TOTP on, the pages open
    with_totp(helper)
    assert client.get(reverse("groups:edit", kwargs={"slug": "strict"})).status_code == 200
    assert client.get(reverse("events:edit", kwargs={"pk": event.pk})).status_code == 200


def test_reception_staff_and_other_groups_are_not_asked(client, strict_group, group, organizer):
    login(client, organizer)  # owner of another group, without two-factor authentication
    assert client.get(reverse("groups:edit", kwargs={"slug": group.slug})).status_code == 200
    assert client.get(reverse("groups:edit", kwargs={"slug": "strict"})).status_code == 403
    staff = OrganizerFactory(group=strict_group, role=Role.RECEPTION).user
    event = EventFactory(group=strict_group)
    login(client, staff)
    response = client.get(reverse("checkin:reception", kwargs={"pk": event.pk}))
    assert response.status_code == 200


def test_only_owners_switch_the_requirement(client, group, organizer, outsider):
    url = reverse("groups:require_mfa", kwargs={"slug": group.slug})
    login(client, outsider)  # owner of another group
    assert client.post(url, {"require_mfa": "on"}).status_code == 403
    co = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    login(client, co)
    assert client.post(url, {"require_mfa": "on"}).status_code == 403
    # an owner without two-factor authentication is told to set it up first
    login(client, organizer)
    response = client.post(url, {"require_mfa": "on"}, follow=True)
    assert "Set up two-factor authentication for yourself first." in response.content.decode()
    assert not Group.objects.get(pk=group.pk).require_mfa
    with_totp(organizer)
    client.post(url, {"require_mfa": "on"})
    assert Group.objects.get(pk=group.pk).require_mfa
    entry = ActionLog.objects.get(group=group)
    assert (entry.action, entry.actor, entry.details) == (
        Action.MFA_REQUIREMENT_CHANGED,
        organizer,
        {"required": True},
    )


def test_activate_totp_from_the_settings_page(client):
    person = UserFactory()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    sign_in(client, person)
    # adding a method asks for the password again first
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    assert secret in response.content.decode()  # for apps that cannot scan the QR code
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert is_mfa_enabled(person, types=["totp"])
    assert is_mfa_enabled(person, types=["recovery_codes"])  # made with the first method
