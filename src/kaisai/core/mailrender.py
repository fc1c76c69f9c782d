"""Rendering a queued mail (the outbox's first attempt): subject, plain text and HTML in the
recipient's language, from `templates/mail/<template>.subject.txt`, `<template>.txt` and (if
present) `<template>.html`, with the context's model references resolved.

A batch shares one `ContextCache`: the mails of an organizer's message (10,000 of them) all
refer to the same message and event, which are then read once per batch, not twice per mail.
`render_shared` goes further for templates that never name the recipient: the mails with the
same template, language and stored context are rendered once per call.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from kaisai.core.models import OutboxMail

# (model label, pk) → the instance (or None), for the mails of one batch.
ContextCache = dict[tuple[str, Any], Any]


def _resolve(value: Any, cache: ContextCache | None = None) -> Any:
    if isinstance(value, dict) and "_model" in value:
        ref = (value["_model"], value["pk"])
        if cache is not None and ref in cache:
            return cache[ref]
        model = apps.get_model(value["_model"])
        instance = model._default_manager.filter(pk=value["pk"]).first()
        if cache is not None:
            cache[ref] = instance
        return instance
    return value


def _context(mail: OutboxMail, cache: ContextCache | None = None) -> dict[str, Any]:
    context = {name: _resolve(value, cache) for name, value in mail.context.items()}
    context.update(
        {
            "user": mail.recipient,
            "BASE_URL": settings.BASE_URL,
            "SITE_NAME": settings.KAISAI_SITE_NAME,
        }
    )
    return context


def render_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text template, without HTML escaping (a name "A & B" stays "A & B")."""
    return get_template(name).template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]


def render(mail: OutboxMail, context: dict[str, Any] | None = None) -> tuple[str, str]:
    """Subject and plain-text body in the recipient's language."""
    context = _context(mail) if context is None else context
    with translation.override(mail.language):
        subject = render_text(f"mail/{mail.template}.subject.txt", context)
        body = render_text(f"mail/{mail.template}.txt", context)
    return " ".join(subject.split())[:998], body


def text_to_html(text: str) -> SafeString:
    """The plain-text body as HTML: escaped, links made clickable, paragraphs and <br>."""
    text = text.encode().decode()  # a plain str: urlize trusts a SafeString and escapes nothing
    return mark_safe(linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False))  # noqa: S308 - escaped by urlize


def render_html(
    mail: OutboxMail, *, subject: str, body: str, context: dict[str, Any] | None = None
) -> str:
    """The HTML part: `mail/<template>.html` if the template exists (it extends
    mail/_base.html), else the plain text made HTML inside the same layout."""
    context = (_context(mail) if context is None else context) | {"subject": subject}
    with translation.override(mail.language):
        try:
            return render_to_string(f"mail/{mail.template}.html", context)
        except TemplateDoesNotExist:
            return render_to_string("mail/_base.html", context | {"body_html": text_to_html(body)})


def render_all(mail: OutboxMail, cache: ContextCache | None = None) -> tuple[str, str, str]:
    """Subject, plain text and HTML, from one context (model references read once, or once
    per batch with a shared `cache`)."""
    context = _context(mail, cache)
    subject, body = render(mail, context)
    return subject, body, render_html(mail, subject=subject, body=body, context=context)


# --- Rendered once for many recipients --------------------------------------------------

_USES_RECIPIENT = re.compile(r"\buser\b|\{%\s*include\b")
_EXTENDS = re.compile(r"""\{%\s*extends\s+["']([^"']+)["']""")
RENDERED_KEPT = 32  # distinct (template, language, context) renderings kept per call


def _sources(name: str) -> list[str]:
    try:
        source = get_template(name).template.source  # type: ignore[attr-defined]
    except TemplateDoesNotExist:
        return []
    parent = _EXTENDS.search(source)
    return [source, *(_sources(parent.group(1)) if parent else [])]


@lru_cache(maxsize=256)
def recipient_independent(template: str) -> bool:
    """Whether the mail's templates (and the layouts they extend) never name `user` nor
    include another template: then what they render depends only on the language and the
    stored context, not on who receives it. (Mail templates use no tag that reads the
    context behind the template's back: no `takes_context` tag exists in kaisai.)"""
    names = [f"mail/{template}.subject.txt", f"mail/{template}.txt", f"mail/{template}.html",
             "mail/_base.html"]  # fmt: skip
    return not any(_USES_RECIPIENT.search(source) for name in names for source in _sources(name))


def _shared_key(mail: OutboxMail) -> tuple[str, Any] | None:
    if not recipient_independent(mail.template):
        return None
    return ("_rendered", (mail.template, mail.language,
                          json.dumps(mail.context, sort_keys=True, default=str)))  # fmt: skip


def already_rendered(mail: OutboxMail, cache: ContextCache) -> bool:
    """Whether `render_shared` would give this mail a rendering done earlier in the call
    (no template is rendered and the database is not read)."""
    key = _shared_key(mail)
    return key is not None and key in cache


def render_shared(mail: OutboxMail, cache: ContextCache) -> tuple[str, str, str]:
    """`render_all`, rendered once per call for all the mails with the same template,
    language and stored context when the templates do not depend on the recipient (an
    organizer's message to its registrants: one rendering per language, not one per mail)."""
    key = _shared_key(mail)
    if key is None:
        return render_all(mail, cache)
    if key not in cache:
        kept = [k for k in cache if k[0] == "_rendered"]
        if len(kept) >= RENDERED_KEPT:
            for old in kept:
                del cache[old]
        cache[key] = render_all(mail, cache)
    return cache[key]


@receiver(setting_changed)
def _templates_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "TEMPLATES":
        recipient_independent.cache_clear()
