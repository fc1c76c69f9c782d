from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kaisai.accounts import services
from kaisai.accounts.models import ApiToken
from kaisai.accounts.views import NEW_TOKEN_SESSION_KEY
from kaisai.events.enums import EventStatus
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


# --- profile ------------------------------------------------------------------------------


def test_profile_shows_person_bio_links_and_organized_events(client, organizer, group):
    organizer.display_name = "佐藤 健"
    organizer.bio = "ML engineer.\nLikes <b>tea</b>."
    organizer.x_account = "sato_ken"
    organizer.github_account = "satoken"
    organizer.website = "https://sato.example.com/"
    organizer.save()
    event = EventFactory(group=group, title="MLCT #5")
    EventFactory(group=group, title="Secret draft", status=EventStatus.DRAFT)

    response = client.get(reverse("accounts:profile", kwargs={"nickname": organizer.nickname}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>佐藤 健</h1>" in html
    assert "@organizer" in html
    assert "ML engineer.<br>Likes &lt;b&gt;tea&lt;/b&gt;." in html
    assert "https://x.com/sato_ken" in html
    assert "https://github.com/satoken" in html
    assert "https://sato.example.com/" in html
    assert event.get_absolute_url() in html
    assert "Secret draft" not in html
    assert html.count("None yet.") == 2  # attended, presented


def test_profile_unknown_or_inactive_is_404(client):
    UserFactory(nickname="gone", is_active=False)
    assert client.get(reverse("accounts:profile", kwargs={"nickname": "nobody"})).status_code == 404
    assert client.get(reverse("accounts:profile", kwargs={"nickname": "gone"})).status_code == 404


def test_profile_without_events_says_none_yet(client, user):
    response = client.get(user.get_absolute_url())
    assert response.content.decode().count("None yet.") == 3


def test_profile_edit_link_only_for_self(client, user):
    other = UserFactory()
    settings_url = reverse("accounts:settings")
    assert settings_url not in client.get(user.get_absolute_url()).content.decode()
    login(client, other)
    assert settings_url not in client.get(user.get_absolute_url()).content.decode()
    login(client, user)
    assert settings_url in client.get(user.get_absolute_url()).content.decode()


def test_profile_query_count_does_not_grow_with_events(client, organizer):
    groups = [GroupFactory(owner=organizer) for _ in range(3)]
    start = timezone.now() - timedelta(days=400)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(organizer.get_absolute_url())
        assert response.status_code == 200
        return len(queries)

    for i in range(2):
        EventFactory(group=groups[i % 3], starts_at=start + timedelta(days=i))
    few = count()
    for i in range(2, 12):
        EventFactory(group=groups[i % 3], starts_at=start + timedelta(days=i))
    many = count()
    assert many == few


# --- profile settings ---------------------------------------------------------------------


def test_settings_anonymous_redirects_to_login(client):
    response = client.get(reverse("accounts:settings"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_settings_shows_nickname_read_only(client, user):
    login(client, user)
    html = client.get(reverse("accounts:settings")).content.decode()
    assert f"@{user.nickname}" in html
    assert 'name="nickname"' not in html
    for name in ("display_name", "bio", "avatar", "x_account", "github_account", "website"):
        assert f'name="{name}"' in html
        assert f'for="id_{name}"' in html


def test_settings_saves_profile_and_avatar(client, user):
    login(client, user)
    response = client.post(
        reverse("accounts:settings"),
        {
            "display_name": "Ken Sato",
            "bio": "Line one\nLine two",
            "avatar": SimpleUploadedFile("me.png", png_bytes(), content_type="image/png"),
            "x_account": "kensato",
            "github_account": "ken-sato",
            "website": "https://ken.example.com/",
            "preferred_language": "ja",
            "nickname": "hijack",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Ken Sato"
    assert user.bio == "Line one\nLine two"
    assert user.avatar.name.startswith("avatars/")
    assert user.avatar.storage.exists(user.avatar.name)
    assert user.x_account == "kensato"
    assert user.preferred_language == "ja"
    assert user.nickname != "hijack"
    assert response.cookies["django_language"].value == "ja"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("x_account", "@not valid"),
        ("github_account", "no_underscores_allowed"),
        ("website", "javascript:alert(1)"),
        ("preferred_language", "xx"),
        ("display_name", "x" * 101),
    ],
)
def test_settings_bad_input_shows_error_and_saves_nothing(client, user, field, value):
    login(client, user)
    before = {f: getattr(user, f) for f in ("display_name", "x_account", "github_account")}
    data = {"display_name": "Changed", field: value}
    if field == "display_name":
        data = {"display_name": value}
    response = client.post(reverse("accounts:settings"), data)

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert response.context["form"].errors[field]
    user.refresh_from_db()
    assert {f: getattr(user, f) for f in before} == before


def test_settings_rejects_non_image_and_huge_avatar(client, user, settings):
    login(client, user)
    response = client.post(
        reverse("accounts:settings"),
        {"avatar": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    assert response.context["form"].errors["avatar"]

    huge = png_bytes() + b"\0" * (5 * 1024 * 1024)
    response = client.post(
        reverse("accounts:settings"),
        {"avatar": SimpleUploadedFile("big.png", huge, content_type="image/png")},
    )
    assert "at most 5.0" in str(response.context["form"].errors["avatar"])
    user.refresh_from_db()
    assert not user.avatar


# --- API tokens ---------------------------------------------------------------------------


def test_tokens_anonymous_redirects_to_login(client, user):
    token, _key = services.create_api_token(user=user)
    for url in (
        reverse("accounts:tokens"),
        reverse("accounts:token_revoke", kwargs={"pk": token.pk}),
    ):
        response = client.post(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert ApiToken.objects.count() == 1


def test_tokens_create_shows_full_token_once(client, user):
    login(client, user)
    response = client.post(reverse("accounts:tokens"), {"name": "my bot"})
    assert response.status_code == 302
    token = ApiToken.objects.get(user=user)
    assert token.name == "my bot"

    first = client.get(reverse("accounts:tokens")).content.decode()
    key = client.session.get(NEW_TOKEN_SESSION_KEY)
    assert key is None  # popped from the session
    shown = first.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert shown.startswith("ks_")
    assert ApiToken.hash_key(shown) == token.key_hash

    second = client.get(reverse("accounts:tokens")).content.decode()
    assert shown not in second
    assert f"{token.prefix}…" in second
    assert "my bot" in second


def test_tokens_list_shows_only_own(client, user):
    other = UserFactory()
    services.create_api_token(user=user, name="mine")
    services.create_api_token(user=other, name="theirs")
    login(client, user)
    html = client.get(reverse("accounts:tokens")).content.decode()
    assert "mine" in html
    assert "theirs" not in html


def test_tokens_revoke_own(client, user):
    token, _key = services.create_api_token(user=user)
    login(client, user)
    response = client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_tokens_revoke_other_users_token_is_404(client, user):
    other = UserFactory()
    token, _key = services.create_api_token(user=other)
    login(client, user)
    response = client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_tokens_revoke_needs_post(client, user):
    token, _key = services.create_api_token(user=user)
    login(client, user)
    response = client.get(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_tokens_page_query_count_does_not_grow(client, user):
    login(client, user)
    services.create_api_token(user=user)
    services.create_api_token(user=user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:tokens"))
    for _ in range(10):
        services.create_api_token(user=user)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("accounts:tokens"))
    assert len(many) == len(few)
