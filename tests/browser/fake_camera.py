"""A fake camera for Chromium: a .y4m video of QR codes, and a browser that films it.

Chromium reads the video with `--use-fake-device-for-media-stream
--use-file-for-fake-video-capture=FILE` (and grants the camera with
`--use-fake-ui-for-media-stream`), looping it for as long as the page keeps the camera open.
The file is YUV4MPEG2 with 4:2:0 chroma (C420jpeg): per frame the Y plane, then Cb and Cr at
half width and height. Pillow's YCbCr conversion is the JPEG (full-range) one, hence C420jpeg.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import segno
from PIL import Image

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

WIDTH, HEIGHT, FPS = 640, 480, 15


def qr_frame(text: str, *, scale: int = 8, border: int = 4) -> Image.Image:
    """The QR code of `text`, centred on a white 640x480 picture."""
    png = io.BytesIO()
    segno.make(text, error="m", micro=False).save(png, kind="png", scale=scale, border=border)
    png.seek(0)
    code = Image.open(png).convert("RGB")
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    frame.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    return frame


def yuv420(image: Image.Image) -> bytes:
    y, cb, cr = image.convert("YCbCr").split()
    half = (image.width // 2, image.height // 2)
    return (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BILINEAR).tobytes()
        + cr.resize(half, Image.Resampling.BILINEAR).tobytes()
    )


def write_y4m(path: Path, texts: Sequence[str], *, frames_each: int = 10) -> Path:
    """A video showing the QR code of each text for `frames_each` frames, in turn."""
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for text in texts:
            planes = yuv420(qr_frame(text))
            for _ in range(frames_each):
                out.write(b"FRAME\n" + planes)
    return path


@contextmanager
def camera_browser(video: Path) -> Iterator:
    """Chromium (Debian's) whose camera films `video`. Needs DJANGO_ALLOW_ASYNC_UNSAFE set by
    the caller, as the harness's `browser` fixture does (do not use both in one test)."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        raise RuntimeError(f"Browser tests need Debian's Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            browser.close()
