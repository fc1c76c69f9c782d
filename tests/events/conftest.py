from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kaisai.events.enums import EventStatus
from tests.factories import EventFactory


def image_upload(name: str = "banner.png", size=(40, 20), fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def big_image_upload() -> SimpleUploadedFile:
    """A real image just over the 5 MB limit (uncompressed BMP, about 5.9 MB)."""
    return image_upload("big.bmp", size=(1400, 1400), fmt="BMP")


@pytest.fixture
def event(group):
    """#5 of the group, published: Friday 2030-05-17 19:30–22:00 in Tokyo."""
    return EventFactory(
        group=group,
        number=5,
        title="MLCT #5",
        status=EventStatus.PUBLISHED,
        starts_at=datetime(2030, 5, 17, 10, 30, tzinfo=UTC),
        ends_at=datetime(2030, 5, 17, 13, 0, tzinfo=UTC),
        time_zone="Asia/Tokyo",
    )


@pytest.fixture
def draft(group):
    return EventFactory(group=group, number=6, title="MLCT #6", status=EventStatus.DRAFT)
