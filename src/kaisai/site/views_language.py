"""The language switch in every page's header (base.html).

Django's `set_language`, without the CSRF check: all it does is set the language cookie and
redirect to `next` (checked by Django to stay on this site) — nothing is written, no account
changes (a logged-in user's preferred language is changed on their settings page). So the
switch's form needs no CSRF token, and a page that shows it and nothing else per visitor is
the same bytes for every anonymous visitor: the public event page is answered from the shared
cache as it is (site/event_page_cache.py). A forged switch can only change the language of a
browser it is sent from.
"""

from __future__ import annotations

from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

switch_language = csrf_exempt(set_language)
