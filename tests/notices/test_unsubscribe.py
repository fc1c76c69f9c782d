from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import queue_mail
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut
from kaisai.notices.optouts import is_opted_out
from kaisai.notices.unsubscribe import (
    make_token,
    read_token,
    unsubscribe_headers,
    unsubscribe_url,
)
from tests.conftest import login
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def test_token_round_trip_per_group_kind(user, group):
    token = make_token(user.pk, MailKind.EVENT_PUBLISHED, group.pk)
    result = read_token(token)
    assert result is not None
    assert (result.user_id, result.kind, result.group_id) == (
        user.pk,
        "event_published",
        group.pk,
    )


def test_token_of_a_per_person_kind_names_no_group(user, group):
    result = read_token(make_token(user.pk, MailKind.REMINDER, group.pk))
    assert result is not None and result.group_id is None


def test_token_refuses_kinds_that_cannot_be_switched_off(user):
    with pytest.raises(ValueError):
        make_token(user.pk, "registration_accepted")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: "x" + t,
        lambda t: t.split(":")[0],
        lambda t: "garbage",
    ],
)
def test_tampered_token_is_400_and_changes_nothing(client, user, group, mangle):
    token = mangle(make_token(user.pk, MailKind.EVENT_PUBLISHED, group.pk))
    url = reverse("notices:unsubscribe", kwargs={"token": token})
    assert client.get(url).status_code == 400
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert b"not valid" in response.content
    assert not MailOptOut.objects.exists()


def test_token_signed_with_another_salt_is_refused(client, user, group):
    from django.core import signing

    token = signing.Signer(salt="something-else").sign_object(
        [user.pk, "event_published", group.pk], compress=True
    )
    response = client.post(reverse("notices:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 400


def test_token_of_a_deleted_user_is_400(client, group):
    gone = UserFactory()
    url = path_of(unsubscribe_url(gone.pk, MailKind.EVENT_PUBLISHED, group.pk))
    gone.delete()
    assert client.post(url).status_code == 400


def test_get_shows_a_button_and_changes_nothing(client, user, group):
    url = path_of(unsubscribe_url(user.pk, MailKind.EVENT_PUBLISHED, group.pk))
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "New events of groups I follow" in content
    assert group.title in content
    assert '<form method="post">' in content
    assert not MailOptOut.objects.exists()


def test_one_click_post_without_login_and_without_csrf_token(user, group):
    client = Client(enforce_csrf_checks=True)
    url = path_of(unsubscribe_url(user.pk, MailKind.EVENT_PUBLISHED, group.pk))
    response = client.post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "You will no longer receive" in content
    assert reverse("notices:settings") in content
    row = MailOptOut.objects.get()
    assert (row.user_id, row.kind, row.group_id) == (user.pk, "event_published", group.pk)
    assert is_opted_out(user, kind=MailKind.EVENT_PUBLISHED, group=group)
    other = GroupFactory()
    assert not is_opted_out(user, kind=MailKind.EVENT_PUBLISHED, group=other)


def test_opt_out_created_once(user, group):
    client = Client(enforce_csrf_checks=True)
    url = path_of(unsubscribe_url(user.pk, MailKind.MATERIALS_ADDED, group.pk))
    for _ in range(3):
        assert client.post(url).status_code == 200
    assert MailOptOut.objects.filter(user=user).count() == 1
    assert "already switched off" in client.get(url).content.decode()


def test_per_person_kind_is_switched_off_everywhere(user, group):
    url = path_of(unsubscribe_url(user.pk, MailKind.REMINDER, group.pk))
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    row = MailOptOut.objects.get()
    assert row.group_id is None and row.kind == "reminder"
    assert is_opted_out(user, kind=MailKind.REMINDER, group=GroupFactory())


def test_global_opt_out_of_a_group_kind_without_group(user):
    url = path_of(unsubscribe_url(user.pk, MailKind.ORGANIZER_MESSAGE, None))
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert is_opted_out(user, kind=MailKind.ORGANIZER_MESSAGE, group=GroupFactory())


def test_logged_in_as_someone_else_the_token_still_decides(client, user, group):
    other = UserFactory()
    login(client, other)
    url = path_of(unsubscribe_url(user.pk, MailKind.EVENT_PUBLISHED, group.pk))
    assert client.post(url).status_code == 200
    assert MailOptOut.objects.get().user_id == user.pk


def test_headers_exact_per_rfc_8058(settings, user, group):
    settings.BASE_URL = "https://kaisai.example.org"
    mail = queue_mail(
        key="k1",
        user=user,
        template="event_published",
        context={},
        kind=MailKind.EVENT_PUBLISHED,
        group=group,
    )
    assert mail is not None
    mail = OutboxMail.objects.get(key="k1")
    headers = unsubscribe_headers(mail)
    assert set(headers) == {"List-Unsubscribe", "List-Unsubscribe-Post"}
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    value = headers["List-Unsubscribe"]
    assert value.startswith("<https://kaisai.example.org/mail/unsubscribe/")
    assert value.endswith("/>")
    assert value.count("<") == 1 and "," not in value
    # The URL in the header works by POST without login or CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path_of(value[1:-1]), "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 200
    assert is_opted_out(user, kind=MailKind.EVENT_PUBLISHED, group=group)


def test_mail_a_registration_needs_has_no_headers(user):
    queue_mail(key="k2", user=user, template="registration_accepted", context={})
    assert unsubscribe_headers(OutboxMail.objects.get(key="k2")) == {}


def test_unknown_kind_or_no_recipient_gives_no_headers(user, group):
    queue_mail(key="k3", user=user, template="x", context={}, kind="not_a_kind", group=group)
    assert unsubscribe_headers(OutboxMail.objects.get(key="k3")) == {}
    queue_mail(key="k4", user=user, template="x", context={}, kind=MailKind.REMINDER)
    mail = OutboxMail.objects.get(key="k4")
    mail.recipient = None
    assert unsubscribe_headers(mail) == {}
