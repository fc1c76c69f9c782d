"""Creating a group and editing it (organizers only)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from kaisai.groups.enums import Role
from kaisai.groups.models import Group, Organizer
from tests.conftest import login
from tests.factories import OrganizerFactory

pytestmark = pytest.mark.django_db


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(data, "PNG")
    data.seek(0)
    data.name = "logo.png"
    return data


# --- create ---------------------------------------------------------------------------------


def test_group_create_requires_login(client):
    response = client.get(reverse("groups:create"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_group_create_makes_creator_owner(client, user):
    response = login(client, user).post(
        reverse("groups:create"),
        {"slug": "MLCT", "title": "Machine Learning Casual Talks", "image": _png()},
    )
    group = Group.objects.get(slug="mlct")
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert Organizer.objects.get(group=group).user == user
    assert Organizer.objects.get(group=group).role == Role.OWNER
    assert group.image.name.startswith("groups/")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slug": "", "title": "A"}, "slug"),
        ({"slug": "bad slug!", "title": "A"}, "slug"),
        ({"slug": "new", "title": "A"}, "slug"),
        ({"slug": "ok", "title": ""}, "title"),
        ({"slug": "ok", "title": "A", "website": "nope"}, "website"),
        ({"slug": "ok", "title": "A", "x_account": "@at"}, "x_account"),
    ],
)
def test_group_create_bad_input_shows_errors_saves_nothing(client, user, data, field):
    response = login(client, user).post(reverse("groups:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="errorlist' in response.content.decode()
    assert not Group.objects.exists() and not Organizer.objects.exists()


def test_group_create_taken_slug_shows_error(client, user, group):
    response = login(client, user).post(
        reverse("groups:create"), {"slug": group.slug, "title": "Copy"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Group.objects.count() == 1


def test_group_create_rejects_non_image(client, user):
    fake = io.BytesIO(b"not an image")
    fake.name = "evil.png"
    response = login(client, user).post(
        reverse("groups:create"), {"slug": "ok", "title": "A", "image": fake}
    )
    assert response.status_code == 200 and response.context["form"].errors["image"]
    assert not Group.objects.exists()


# --- edit -----------------------------------------------------------------------------------


def test_group_edit_saves_and_keeps_slug(client, group, organizer):
    slug = group.slug
    response = login(client, organizer).post(
        reverse("groups:edit", kwargs={"slug": slug}),
        {"slug": "changed", "title": "New title", "subtitle": "Sub", "image": _png()},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.slug, group.title, group.subtitle) == (slug, "New title", "Sub")
    assert group.image


def test_group_edit_by_co_organizer(client, group):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    response = login(client, co).post(
        reverse("groups:edit", kwargs={"slug": group.slug}), {"title": "Edited by co"}
    )
    assert response.status_code == 302
    assert Group.objects.get(pk=group.pk).title == "Edited by co"


def test_group_edit_bad_input_shows_errors_saves_nothing(client, group, organizer):
    before = Group.objects.values().get(pk=group.pk)
    response = login(client, organizer).post(
        reverse("groups:edit", kwargs={"slug": group.slug}),
        {"title": "", "website": "nope", "x_account": "way-too-long-handle"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"title", "website", "x_account"}
    assert Group.objects.values().get(pk=group.pk) == before


def test_group_edit_reception_forbidden(client, group):
    reception = OrganizerFactory(group=group, role=Role.RECEPTION).user
    login(client, reception)
    url = reverse("groups:edit", kwargs={"slug": group.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Hacked"}).status_code == 403
    assert Group.objects.get(pk=group.pk).title != "Hacked"
