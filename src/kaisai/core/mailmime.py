"""The bytes of an outbox mail, as Django's SMTP backend would send them, built cheaply.

Django's `EmailMultiAlternatives.message().as_bytes()` runs the `email` package's generator:
per mail it compiles a regular expression for the boundary, folds and encodes every header
through `email.header.Header`, and parses the From address — most of the worker's time per
mail. `message_bytes` writes the same MIME structure directly:

- headers in Django's order (Subject, From, To, Date, then the extra headers: Message-ID,
  X-Kaisai-Key, List-Unsubscribe …); a plain short ASCII value is written as it is (what the
  generator does with it), anything else — the encoded Japanese subject, a long value, a
  non-ASCII display name — goes through Django's own header code and the generator once and
  is remembered (an organizer's message has one subject for all its recipients);
- each part's body in UTF-8 with CRLF line ends, "7bit" or "8bit" as the generator says.

A mail with a line longer than 998 bytes (Django sends it quoted-printable) or without a plain
text body is left to Django (`None`). tests/core/test_mailmime.py compares the bytes with
Django's for every template and odd headers (only the boundary and Date differ).
"""

from __future__ import annotations

import random
import re
import sys
from email.generator import BytesGenerator
from email.message import Message
from email.utils import formatdate
from functools import lru_cache
from io import BytesIO

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers

LINE_LIMIT = 998  # RFC 5322; Django switches to quoted-printable above it
PLAIN = re.compile(r"[!-~]+(?: [!-~]+)*")  # printable ASCII words, single spaces
_WIDTH = len(repr(sys.maxsize - 1))


@lru_cache(maxsize=512)
def _slow_header(name: str, value: str, encoding: str) -> bytes:
    """The header line as Django and the generator write it (encoded, folded)."""
    name, value = forbid_multi_line_headers(name, value, encoding)
    message = Message()
    message[name] = value
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False).flatten(message, linesep="\r\n")
    return out.getvalue()[:-2]  # without the blank line that ends the headers


def header(name: str, value: str, encoding: str = "utf-8") -> bytes:
    if name.lower() != "subject" and len(name) + 2 + len(value) <= 78 and PLAIN.fullmatch(value):
        return f"{name}: {value}\r\n".encode("ascii")
    return _slow_header(name, str(value), encoding)


@lru_cache(maxsize=64)
def _part(subtype: str, text: str) -> bytes | None:
    """A body part's bytes; remembered, as the mails of one shared rendering (an organizer's
    message in one language) have the very same texts."""
    data = text.encode("utf-8")
    if any(len(line) > LINE_LIMIT for line in data.splitlines()):
        return None
    cte = "7bit" if data.isascii() else "8bit"
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    )
    crlf = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    return head.encode("ascii") + crlf.encode("utf-8")


def _boundary(parts: list[bytes]) -> str:
    while True:
        boundary = "=" * 15 + f"{random.randrange(sys.maxsize):0{_WIDTH}d}" + "=="  # noqa: S311 - a MIME boundary, not a secret
        if not any(boundary.encode() in part for part in parts):
            return boundary


def message_bytes(message: EmailMultiAlternatives) -> bytes | None:
    """`message.message().as_bytes(linesep="\\r\\n")` for a mail the outbox builds (a plain
    text body and at most one HTML alternative, no attachments), or None: ask Django."""
    encoding = message.encoding or settings.DEFAULT_CHARSET
    if encoding != "utf-8" or message.attachments or message.cc or message.reply_to:
        return None
    if not message.body or len(message.alternatives) > 1 or message.content_subtype != "plain":
        return None
    extra = message.extra_headers
    names = {name.lower() for name in extra}
    if names & {"from", "to", "date", "cc", "reply-to", "subject", "content-type"}:
        return None
    parts = [_part("plain", str(message.body))]
    for content, mimetype in message.alternatives:
        if mimetype != "text/html":
            return None
        parts.append(_part("html", str(content)))
    if any(part is None for part in parts):
        return None
    bodies = [part for part in parts if part is not None]
    lines = [
        header("Subject", str(message.subject)),
        header("From", message.from_email),
        header("To", ", ".join(str(to) for to in message.to)),
        header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
    ]
    if "message-id" not in names:
        return None  # the outbox always sets it (make_msgid per mail would be Django's)
    lines += [header(name, str(value)) for name, value in extra.items()]
    if len(bodies) == 1:
        return None  # a single text part: not what the outbox sends with HTML; ask Django
    boundary = _boundary(bodies)
    head = (
        f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\nMIME-Version: 1.0\r\n'
    ).encode("ascii")
    sep = f"\r\n--{boundary}\r\n".encode("ascii")
    return (
        head + b"".join(lines) + b"\r\n" + sep[2:] + sep.join(bodies)
        + f"\r\n--{boundary}--\r\n".encode("ascii")
    )  # fmt: skip
