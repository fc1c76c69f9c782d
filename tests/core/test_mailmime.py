"""The outbox's own MIME bytes (core/mailmime.py) against Django's
`message().as_bytes(linesep="\\r\\n")`: byte for byte, but for the random boundary and the
Date; and what an SMTP server makes of them."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from django.core.mail.message import sanitize_address

from kaisai.core import outbox
from kaisai.core.mailmime import message_bytes
from kaisai.core.models import OutboxMail
from kaisai.core.outbox_send import envelope_address
from tests.factories import UserFactory

HTML = '<!DOCTYPE html>\n<html lang="ja"><body><p>こんにちは &amp; <a href="https://x.test/?a=1&amp;b=2">link</a></p></body></html>\n'
CASES = {
    "japanese": (
        "【勉強会】明日の会場が変わりました：３階ホールへお越しください",
        "本文です。\n二行目\n",
        HTML,
    ),
    "ascii": ("Tonight: doors and room", "Doors open at 18:30.\n\n-- \nkaisai\n", HTML),
    "long ascii subject": (" ".join(["Reminder"] * 20), "text\n", HTML),
    "long japanese subject": ("お知らせ" * 30, "テキスト\n", HTML),
    "crlf and cr": ("Lines", "one\r\ntwo\rthree\n\nfour", HTML),
    "no trailing newline": ("x", "ends here", "<p>html</p>"),
    "ascii html": ("Subject", "ü body", "<p>plain ascii</p>\n"),
    "dashes": ("Boundary-like", "--===============1==\n--\n", "<p>--</p>"),
}


def normalized(data: bytes) -> bytes:
    boundary = re.search(rb'boundary="([^"]+)"', data)
    assert boundary
    data = data.replace(boundary.group(1), b"BOUNDARY")
    return re.sub(rb"\r\nDate: [^\r]+\r\n", b"\r\nDate: DATE\r\n", data)


def mail_for(user, subject: str, body: str, html: str, **fields) -> OutboxMail:
    return OutboxMail(key=f"k-{subject[:10]}", to_email=user.email, recipient=user,
                      subject=subject, body=body, html_body=html, **fields)  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_the_bytes_are_djangos(name, settings):
    subject, body, html = CASES[name]
    user = UserFactory(email="Reader+Tag@Example.com")
    message = outbox.build_message(mail_for(user, subject, body, html))
    ours = message_bytes(message)
    assert ours is not None
    assert normalized(ours) == normalized(message.message().as_bytes(linesep="\r\n"))
    parsed = message_from_bytes(ours, policy=policy.default)
    assert parsed["Subject"].strip() == subject  # (Django folds an encoded subject)
    text = parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.rstrip("\r\n") == body.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


@pytest.mark.django_db
def test_unsubscribe_headers_and_a_japanese_sender_are_djangos(settings, group):
    settings.DEFAULT_FROM_EMAIL = "かいさい運営 <noreply@example.com>"
    user = UserFactory()
    mail = mail_for(user, "件名", "本文\n", HTML, kind="organizer_message", group=group)
    message = outbox.build_message(mail)
    assert "List-Unsubscribe" in message.extra_headers
    ours = message_bytes(message)
    assert ours is not None and b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in ours
    assert normalized(ours) == normalized(message.message().as_bytes(linesep="\r\n"))
    assert envelope_address(settings.DEFAULT_FROM_EMAIL, "utf-8") == sanitize_address(
        settings.DEFAULT_FROM_EMAIL, "utf-8"
    )


@pytest.mark.django_db
def test_a_line_over_998_bytes_is_left_to_django():
    message = outbox.build_message(mail_for(UserFactory(), "s", "x" * 1000 + "\n", HTML))
    assert message_bytes(message) is None


@pytest.mark.parametrize(
    "address", ["a@example.com", "Reader+Tag@Example.com", "o'neil@example.com",
                "名前 <a@example.com>", "a@bücher.example"],
)  # fmt: skip
def test_envelope_addresses_are_djangos(address):
    assert envelope_address(address, "utf-8") == sanitize_address(address, "utf-8")
