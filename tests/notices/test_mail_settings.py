from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from kaisai.notices.enums import GROUP_KINDS, MailKind
from kaisai.notices.models import MailOptOut
from kaisai.notices.optouts import is_opted_out, save_opt_outs
from kaisai.notices.unsubscribe import unsubscribe_url
from tests.conftest import login
from tests.factories import GroupFactory, MemberFactory

pytestmark = pytest.mark.django_db

URL = "/settings/mail/"


def everything_on(groups) -> dict[str, str]:
    data = {f"{kind}__all": "on" for kind in MailKind.values}
    for group in groups:
        data.update({f"{kind}__{group.pk}": "on" for kind in GROUP_KINDS})
    return data


def rows(user) -> set[tuple[str, int | None]]:
    return set(MailOptOut.objects.filter(user=user).values_list("kind", "group_id"))


@pytest.fixture
def followed(user):
    groups = [GroupFactory(title="Alpha"), GroupFactory(title="Beta")]
    for group in groups:
        MemberFactory(group=group, user=user)
    return groups


def test_url_and_login_required(client):
    assert reverse("notices:settings") == URL
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(URL, {}).status_code == 302


def test_page_lists_every_kind_and_followed_groups(client, user, followed):
    GroupFactory(title="Not followed")
    response = login(client, user).get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    for kind in MailKind:
        assert str(kind.label) in content
    assert "Alpha" in content and "Beta" in content
    assert "Not followed" not in content
    assert "are always sent" in content
    form = response.context["form"]
    assert len(form.fields) == len(MailKind) + 2 * len(GROUP_KINDS)
    assert all(field.initial for field in form.fields.values())
    assert 'aria-current="page">Mail settings' in content  # the settings navigation


def test_unticking_writes_opt_outs_and_ticking_removes_them(client, user, followed):
    alpha, beta = followed
    login(client, user)
    data = everything_on(followed)
    del data["reminder__all"]
    del data[f"event_published__{alpha.pk}"]
    del data[f"organizer_message__{beta.pk}"]
    response = client.post(URL, data)
    assert response.status_code == 302
    assert rows(user) == {
        ("reminder", None),
        ("event_published", alpha.pk),
        ("organizer_message", beta.pk),
    }
    assert is_opted_out(user, kind=MailKind.EVENT_PUBLISHED, group=alpha)
    assert not is_opted_out(user, kind=MailKind.EVENT_PUBLISHED, group=beta)
    page = client.get(URL)
    assert page.context["form"].fields["reminder__all"].initial is False
    assert "Your mail settings are saved." in page.content.decode()

    # Saving again with everything on removes them all.
    client.post(URL, everything_on(followed))
    assert rows(user) == set()


def test_saving_twice_is_stable(client, user, followed):
    login(client, user)
    data = everything_on(followed)
    del data["materials_added__all"]
    client.post(URL, data)
    client.post(URL, data)
    assert rows(user) == {("materials_added", None)}


def test_opt_outs_of_groups_no_longer_followed_are_kept(client, user, followed):
    left = GroupFactory(title="Left")
    MailOptOut.objects.create(user=user, kind=MailKind.EVENT_PUBLISHED, group=left)
    login(client, user).post(URL, everything_on(followed))
    assert rows(user) == {("event_published", left.pk)}


def test_other_peoples_settings_are_untouched(client, user, followed, organizer):
    MailOptOut.objects.create(user=organizer, kind=MailKind.REMINDER, group=None)
    login(client, user).post(URL, everything_on(followed))
    assert rows(organizer) == {("reminder", None)}


def test_a_made_up_group_field_changes_nothing(client, user, followed):
    stranger_group = GroupFactory()
    data = everything_on(followed)
    # A switch for a group the user does not follow is not on the form: ignored.
    data.pop(f"event_published__{followed[0].pk}")
    data[f"event_published__{stranger_group.pk}"] = ""
    login(client, user).post(URL, data)
    assert rows(user) == {("event_published", followed[0].pk)}


def test_unsubscribe_link_and_settings_page_agree(client, user, followed):
    alpha = followed[0]
    url = unsubscribe_url(user.pk, MailKind.EVENT_PUBLISHED, alpha.pk)
    assert client.post(urlsplit(url).path).status_code == 200
    response = login(client, user).get(URL)
    assert response.context["form"].fields[f"event_published__{alpha.pk}"].initial is False


def test_save_opt_outs_service_is_atomic_and_scoped(user, followed):
    alpha, _ = followed
    managed = [(MailKind.REMINDER.value, None), (MailKind.EVENT_PUBLISHED.value, alpha.pk)]
    save_opt_outs(user=user, managed=managed, off=managed)
    assert rows(user) == set(managed)
    # `off` outside `managed` is ignored.
    save_opt_outs(user=user, managed=managed[:1], off=[(MailKind.MATERIALS_ADDED.value, None)])
    assert rows(user) == {("event_published", alpha.pk)}
