"""Content-Security-Policy, Permissions-Policy, Cache-Control on private pages, HSTS, and no
inline script, handler or style in any page template (docs/security.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from kaisai.checkin.tickets import issue_ticket
from kaisai.registrations import services as registrations
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "kaisai"


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


# --- templates ------------------------------------------------------------------------------

INLINE = {
    "inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>"),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def page_templates() -> list[Path]:
    """Every template that renders a web page (mail templates are not pages)."""
    return [path for path in SRC.rglob("*.html") if "/templates/mail/" not in path.as_posix()]


def test_no_template_has_inline_script_handlers_or_styles():
    templates = page_templates()
    assert len(templates) > 50
    found = [
        f"{path.relative_to(SRC)}: {kind}: {match.group(0)[:80]}"
        for path in templates
        for kind, pattern in INLINE.items()
        for match in pattern.finditer(path.read_text())
    ]
    assert found == []


# --- Content-Security-Policy ------------------------------------------------------------------


def test_csp_forbids_inline_script_framing_and_foreign_forms(client, event):
    response = client.get(event.get_absolute_url())
    policy = _directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_csp_frame_src_covers_exactly_the_embed_hosts(client):
    from kaisai.talks.embeds import EMBED_HOSTS

    policy = _directives(client.get("/"))
    assert {f"https://{host}" for host in EMBED_HOSTS} == set(policy["frame-src"])


def test_api_docs_are_served_without_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr.net" not in html and "/static/ninja/" in html


# --- Permissions-Policy ---------------------------------------------------------------------


def test_no_page_may_use_the_camera_but_the_reception(client, organizer, event):
    assert "camera=()" in client.get("/")["Permissions-Policy"]
    login(client, organizer)
    reception = client.get(reverse("checkin:reception", kwargs={"pk": event.pk}))
    assert reception.status_code == 200
    assert "camera=(self)" in reception["Permissions-Policy"]
    assert "microphone=()" in reception["Permissions-Policy"]
    edit = client.get(reverse("events:edit", kwargs={"pk": event.pk}))
    assert "camera=()" in edit["Permissions-Policy"]


# --- Cache-Control ------------------------------------------------------------------------------


@pytest.fixture
def registration(event, organizer):
    frame = registrations.create_frame(event=event, by=organizer, capacity=3, name="General")
    return registrations.register(frame=frame, user=UserFactory(nickname="visitor"))


def test_public_pages_stay_cacheable_for_visitors(client, event):
    for path in ("/", event.get_absolute_url(), reverse("events:search")):
        response = client.get(path)
        assert "no-store" not in response.get("Cache-Control", ""), path


def test_private_pages_are_never_stored(client, organizer, event, registration):
    ticket = issue_ticket(registration)
    pk = event.pk
    organizer_pages = [
        reverse("registrations:registrations", kwargs={"pk": pk}),
        reverse("registrations:csv", kwargs={"pk": pk}),
        reverse("registrations:questions", kwargs={"pk": pk}),
        reverse("events:edit", kwargs={"pk": pk}),
        reverse("accounts:tokens"),
        reverse("accounts:settings"),
        reverse("notices:settings"),
    ]
    login(client, organizer)
    for path in organizer_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], (
            path
        )
    visitor = login(Client(), registration.user)
    for path in (reverse("checkin:ticket", kwargs={"pk": pk}), reverse("registrations:my_events")):
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    # A secret in the address is private even without a session.
    anonymous = Client().get(reverse("checkin:ticket_token", kwargs={"token": ticket.token}))
    assert "no-store" in anonymous["Cache-Control"]


def test_api_answers_to_a_token_are_never_stored(client, organizer, event):
    from kaisai.accounts.services import create_api_token

    _token, secret = create_api_token(user=organizer, name="t")
    response = client.get(
        f"/api/v1/events/{event.pk}/registrations/", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- HSTS ------------------------------------------------------------------------------------


def test_hsts_off_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/")


def test_hsts_when_configured_on_an_https_site(settings):
    settings.BASE_URL = "https://meetups.example.org"
    settings.KAISAI_HSTS_SECONDS = 31536000
    settings.KAISAI_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_never_on_a_plain_http_site(settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    settings.KAISAI_HSTS_SECONDS = 31536000
    assert "Strict-Transport-Security" not in Client().get("/")
