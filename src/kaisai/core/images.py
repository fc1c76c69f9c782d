"""The one rule for every uploaded image (group and event images, sponsor logos, avatars).

An upload is accepted only if it is at most `KAISAI_IMAGE_MAX_MB` megabytes, PNG, JPEG, GIF
or WebP *by content* (the name and the browser's content type are not trusted), and at most
`KAISAI_IMAGE_MAX_SIDE` pixels on each side (checked from the header, before anything is
decoded: a decompression bomb is refused without being unpacked). The image is then decoded
and encoded again in its own format: what is stored holds pixels only — no EXIF (GPS
position, camera serial), no comments, no trailing bytes of another file type (polyglots).
Animations keep their first frame.

A file that a row no longer uses (replaced, cleared, or its row deleted) is deleted from the
storage after the transaction commits, unless another row still points to it (a copied
event shares its image with the original).
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePath
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

# Pillow format name → (file extension, content type)
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
ACCEPT = ",".join(content_type for _ext, content_type in FORMATS.values())


def max_bytes() -> int:
    return int(settings.KAISAI_IMAGE_MAX_MB) * 1024 * 1024


def max_side() -> int:
    return int(settings.KAISAI_IMAGE_MAX_SIDE)


def help_text() -> str:
    return str(
        _("PNG, JPEG, GIF or WebP, at most %(size)s and %(side)s×%(side)s pixels.")
        % {"size": filesizeformat(max_bytes()), "side": max_side()}
    )


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("Upload a PNG, JPEG, GIF or WebP image. This file is none of these."),
        code="invalid_image",
    )


def clean_image(upload: Any) -> SimpleUploadedFile:
    """Check an uploaded file against the rule and return the re-encoded image.

    Raises ValidationError with a message for the uploader."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ValidationError(
            _("The image is %(size)s; at most %(max)s is allowed."),
            code="too_large",
            params={"size": filesizeformat(size), "max": filesizeformat(max_bytes())},
        )
    side = max_side()
    try:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(max_bytes() + 1)
    except OSError as error:
        raise _not_an_image() from error
    if len(data) > max_bytes():
        raise ValidationError(
            _("The image is larger than %(max)s."),
            code="too_large",
            params={"max": filesizeformat(max_bytes())},
        )
    with warnings.catch_warnings():
        # Pillow warns about (and past twice the limit refuses) very many pixels; make the
        # warning an error too, so nothing large is ever decoded.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            fmt = image.format or ""
            width, height = image.size
            if fmt not in FORMATS:
                raise _not_an_image()
            if width > side or height > side:
                raise ValidationError(
                    _(
                        "The image is %(width)s×%(height)s pixels; at most %(side)s×%(side)s "
                        "is allowed."
                    ),
                    code="too_many_pixels",
                    params={"width": width, "height": height, "side": side},
                )
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep photos upright without their EXIF
            output = io.BytesIO()
            _encode(upright, fmt, output, options=_same_quality(image))
        except ValidationError:
            raise
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            OSError,
            ValueError,
            SyntaxError,
            EOFError,
        ) as error:
            raise _not_an_image() from error
    ext, content_type = FORMATS[fmt]
    stem = PurePath(getattr(upload, "name", "") or "image").stem[:80] or "image"
    return SimpleUploadedFile(f"{stem}.{ext}", output.getvalue(), content_type=content_type)


def _same_quality(source: Image.Image) -> dict[str, Any]:
    """A JPEG is written again with its own quantisation tables and chroma subsampling, so it
    keeps its quality and size (a fixed quality could make a small file much larger)."""
    quantization = getattr(source, "quantization", None)
    if source.format != "JPEG" or not quantization:
        return {}
    options: dict[str, Any] = {"qtables": quantization}
    sampling = JpegImagePlugin.get_sampling(source)
    if sampling != -1:
        options["subsampling"] = sampling
    return options


def _encode(
    image: Image.Image, fmt: str, output: io.BytesIO, *, options: dict[str, Any] | None = None
) -> None:
    """Write the pixels only: no `exif`, `icc_profile`, XMP, comments or other chunks (Pillow
    copies some of them from `info` when saving, so `info` is emptied first)."""
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "PNG" and image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
        image = image.convert("RGBA")
    elif fmt == "GIF" and image.mode not in ("P", "L"):
        image = image.convert("P")
    elif fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    transparency = image.info.get("transparency")
    image.info = {} if transparency is None else {"transparency": transparency}
    defaults: dict[str, Any] = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}}.get(fmt, {})
    image.save(output, fmt, **(options or defaults))


class ImageUploadField(forms.ImageField):
    """A form field for an uploaded image that applies `clean_image`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("help_text"):
            kwargs["help_text"] = lazy(help_text, str)()
        super().__init__(*args, **kwargs)

    def to_python(self, data: Any) -> Any:
        upload = forms.FileField.to_python(self, data)  # name and emptiness checks only
        if upload is None:
            return None
        return clean_image(upload)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPT
        return attrs


# For ModelAdmin.formfield_overrides: the admin's image uploads follow the same rule.
ADMIN_FORMFIELD_OVERRIDES: dict[Any, dict[str, Any]] = {
    models.ImageField: {"form_class": ImageUploadField}
}


# --- files no row uses any more ------------------------------------------------------------


def _file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def models_with_files() -> list[type[models.Model]]:
    return list(dict.fromkeys(model for model, _field in _file_fields()))


def is_referenced(name: str) -> bool:
    """Whether any row of any model still points to the stored file `name`."""
    return any(
        model._default_manager.filter(**{field: name}).exists() for model, field in _file_fields()
    )


def discard_file_on_commit(name: str | None, storage: Storage) -> None:
    """After the current transaction commits, delete the stored file `name` unless a row
    still uses it. Nothing happens if the transaction rolls back."""
    if not name:
        return

    def discard() -> None:
        if not is_referenced(name):
            storage.delete(name)

    transaction.on_commit(discard)


def discard_replaced(instance: models.Model, old_names: dict[str, str]) -> None:
    """Discard the files `old_names` (field → name before the change) that `instance` no
    longer uses."""
    for field_name, old in old_names.items():
        current = getattr(instance, field_name)
        if old and old != (current.name or ""):
            discard_file_on_commit(old, current.storage)


def discard_files_of_deleted(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    """`post_delete` receiver (connected for every model in kaisai.core.apps): a deleted row's
    files go too, cascades included."""
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.FileField):
            value = getattr(instance, field.name)
            if value and value.name:
                discard_file_on_commit(value.name, value.storage)
