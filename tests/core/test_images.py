"""The one image rule (kaisai.core.images) on the real upload forms: size, pixels, formats by
content, re-encoding without metadata, and replaced or orphaned files leaving the storage."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from kaisai.core.images import clean_image
from kaisai.events import services as event_services
from kaisai.groups.models import Group
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _bytes(image: Image.Image, fmt: str, **options) -> bytes:
    data = io.BytesIO()
    image.save(data, fmt, **options)
    return data.getvalue()


def _png(size=(8, 8), color="red") -> bytes:
    return _bytes(Image.new("RGB", size, color), "PNG")


def _upload(data: bytes, name: str = "picture.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 39.0, 31.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (139.0, 42.0, 5.0)
    return exif


def _edit_group(client, group, image):
    return client.post(
        reverse("groups:edit", kwargs={"slug": group.slug}),
        {"title": group.title, "image": image},
    )


def _errors(response, field="image") -> str:
    assert response.status_code in (200, 400), response.status_code
    return " ".join(str(e) for e in response.context["form"].errors[field])


# --- what is refused ------------------------------------------------------------------------


def test_group_image_of_20_mb_is_refused(client, organizer, group):
    # A real, valid PNG of 2600×2600 stored without compression: about 20 MB.
    big = _bytes(Image.new("RGB", (2600, 2600), "blue"), "PNG", compress_level=0)
    assert len(big) > 20 * 1000 * 1000
    response = _edit_group(login(client, organizer), group, _upload(big))
    assert "at most 5.0\xa0MB is allowed" in _errors(response)
    group.refresh_from_db()
    assert not group.image


def test_size_limit_follows_the_setting(settings):
    settings.KAISAI_IMAGE_MAX_MB = 1
    big = _bytes(Image.new("RGB", (700, 700), "blue"), "PNG", compress_level=0)
    with pytest.raises(ValidationError) as caught:
        clean_image(_upload(big))
    assert "at most 1.0\xa0MB" in caught.value.messages[0]


def test_too_many_pixels_is_refused(client, organizer, group):
    wide = _png(size=(5000, 4))  # a small file, but wider than 4096 pixels
    response = _edit_group(login(client, organizer), group, _upload(wide))
    assert "5000×4 pixels; at most 4096×4096" in _errors(response)


def _with_header_size(png: bytes, width: int, height: int) -> bytes:
    """The same PNG whose header claims another size (a decompression bomb's trick)."""
    ihdr = bytearray(png[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)) & 0xFFFFFFFF)
    return png[:16] + bytes(ihdr) + crc + png[33:]


def test_decompression_bomb_is_refused_without_decoding(settings):
    # Even with a generous side limit, a header claiming 900 megapixels is refused.
    settings.KAISAI_IMAGE_MAX_SIDE = 100_000
    bomb = _with_header_size(_png(), 30_000, 30_000)
    with pytest.raises(ValidationError) as caught:
        clean_image(_upload(bomb))
    assert "PNG, JPEG, GIF or WebP" in caught.value.messages[0]


def test_avatar_in_bmp_is_refused(client, user):
    bmp = _bytes(Image.new("RGB", (8, 8), "green"), "BMP")
    response = login(client, user).post(
        reverse("accounts:settings"),
        {"display_name": "x", "avatar": _upload(bmp, "me.bmp", "image/bmp")},
    )
    assert "PNG, JPEG, GIF or WebP" in _errors(response, "avatar")
    user.refresh_from_db()
    assert not user.avatar


def test_eps_named_png_is_refused(client, user):
    eps = _bytes(Image.new("RGB", (8, 8), "green"), "EPS")
    assert eps.startswith(b"%!PS")
    response = login(client, user).post(
        reverse("accounts:settings"),
        {"display_name": "x", "avatar": _upload(eps, "me.png", "image/png")},
    )
    assert "PNG, JPEG, GIF or WebP" in _errors(response, "avatar")


# --- what is stored ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt,name", [("JPEG", "photo.jpg"), ("PNG", "photo.png"), ("WEBP", "p.webp")]
)
def test_exif_gps_is_gone_after_upload(client, organizer, group, fmt, name):
    original = _bytes(Image.new("RGB", (32, 32), "white"), fmt, exif=_gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    response = _edit_group(login(client, organizer), group, _upload(original, name))
    assert response.status_code == 302
    group.refresh_from_db()
    stored = group.image.read()
    reopened = Image.open(io.BytesIO(stored))
    assert reopened.format == fmt
    assert not reopened.getexif()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored


def test_polyglot_tail_is_dropped():
    payload = b"<script>alert(1)</script>PK\x03\x04"
    cleaned = clean_image(_upload(_png() + payload)).read()
    assert payload not in cleaned
    assert Image.open(io.BytesIO(cleaned)).format == "PNG"


def test_extension_follows_the_content():
    jpeg = _bytes(Image.new("RGB", (8, 8)), "JPEG")
    cleaned = clean_image(_upload(jpeg, "trick.png.html", "text/html"))
    assert cleaned.name == "trick.png.jpg" and cleaned.content_type == "image/jpeg"


# --- files nobody uses any more -----------------------------------------------------------------


def test_replaced_group_image_is_deleted(
    client, organizer, group, django_capture_on_commit_callbacks
):
    login(client, organizer)
    with django_capture_on_commit_callbacks(execute=True):
        assert _edit_group(client, group, _upload(_png(color="red"), "a.png")).status_code == 302
    group.refresh_from_db()
    old = group.image.name
    assert default_storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        assert _edit_group(client, group, _upload(_png(color="blue"), "b.png")).status_code == 302
    group.refresh_from_db()
    assert group.image.name != old
    assert default_storage.exists(group.image.name)
    assert not default_storage.exists(old)  # so /media/ no longer serves it


def test_avatar_cleared_is_deleted(client, user, django_capture_on_commit_callbacks):
    login(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:settings"), {"display_name": "x", "avatar": _upload(_png())})
    user.refresh_from_db()
    old = user.avatar.name
    assert old and default_storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:settings"), {"display_name": "x", "avatar-clear": "on"})
    user.refresh_from_db()
    assert not user.avatar
    assert not default_storage.exists(old)


def test_deleted_row_takes_its_file(group, django_capture_on_commit_callbacks):
    name = default_storage.save("groups/gone.png", ContentFile(_png()))
    Group.objects.filter(pk=group.pk).update(image=name)
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(pk=group.pk).delete()
    assert not default_storage.exists(name)


def test_shared_file_of_a_copied_event_stays(event, organizer, django_capture_on_commit_callbacks):
    name = default_storage.save("events/shared.png", ContentFile(_png()))
    event.image = name
    event.save()
    copy = event_services.copy_event_as_next(event=event, by=organizer)
    assert copy.image.name == name
    with django_capture_on_commit_callbacks(execute=True):
        event_services.update_event(event=copy, by=organizer, image=_upload(_png(), "new.png"))
    assert default_storage.exists(name)  # the original still shows it
    with django_capture_on_commit_callbacks(execute=True):
        event_services.update_event(event=event, by=organizer, image="")
    assert not default_storage.exists(name)  # now nobody does


def _sponsor_formset(event, sponsor, files, **extra):
    from kaisai.events.forms import SponsorFormSet

    data = {
        "sponsors-TOTAL_FORMS": "1",
        "sponsors-INITIAL_FORMS": "1",
        "sponsors-MIN_NUM_FORMS": "0",
        "sponsors-MAX_NUM_FORMS": "1000",
        "sponsors-0-id": str(sponsor.pk),
        "sponsors-0-name": sponsor.name,
        "sponsors-0-url": "",
        "sponsors-0-provides": "",
        "sponsors-0-order": "0",
        **extra,
    }
    formset = SponsorFormSet(data, files, instance=event, prefix="sponsors")
    assert formset.is_valid(), formset.errors
    return formset


def test_replaced_and_deleted_sponsor_logos_leave_the_storage(
    event, django_capture_on_commit_callbacks
):
    from kaisai.events.models import Sponsor

    old = default_storage.save("sponsors/old.png", ContentFile(_png()))
    sponsor = Sponsor.objects.create(event=event, name="ACME", logo=old)
    formset = _sponsor_formset(event, sponsor, {"sponsors-0-logo": _upload(_png(), "new.png")})
    with django_capture_on_commit_callbacks(execute=True):
        event_services.save_sponsors(event=event, formset=formset)
    sponsor.refresh_from_db()
    assert sponsor.logo.name != old and default_storage.exists(sponsor.logo.name)
    assert not default_storage.exists(old)
    new = sponsor.logo.name
    formset = _sponsor_formset(event, sponsor, {}, **{"sponsors-0-DELETE": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        event_services.save_sponsors(event=event, formset=formset)
    assert not Sponsor.objects.filter(pk=sponsor.pk).exists()
    assert not default_storage.exists(new)


def test_admin_image_uploads_follow_the_same_rule(rf, admin_user):
    from django.contrib import admin

    from kaisai.core.images import ImageUploadField

    request = rf.get("/admin/")
    request.user = admin_user
    group_admin = admin.site._registry[Group]
    assert isinstance(group_admin.get_form(request)().fields["image"], ImageUploadField)
