"""The pages' own middleware (sessions, CSRF, messages, allauth, htmx, …) is skipped under
/api/ (kaisai.core.web_only); pages still go through all of it."""

from __future__ import annotations

from django.test import Client

from kaisai.accounts.services import create_api_token
from tests.conftest import login


def test_an_api_request_skips_the_pages_layers_and_keeps_the_shared_ones(event, organizer):
    _token, key = create_api_token(user=organizer, name="t")
    client = Client()
    client.cookies["sessionid"] = "a-session-an-api-client-should-not-load"
    response = client.get(f"/api/v1/events/{event.pk}/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert not hasattr(request, "_messages")
    assert not hasattr(request, "htmx")
    assert not request.user.is_authenticated  # a public operation: the token is only read
    # what every answer gets: security headers, the language's Vary, the cookie's Vary
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    assert "csrftoken" not in response.cookies


def test_a_token_operation_sets_the_tokens_user(organizer):
    _token, key = create_api_token(user=organizer, name="t")
    response = Client().get("/api/v1/me/registrations/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.wsgi_request.user == organizer


def test_api_errors_keep_the_callers_language(db):
    response = Client().post(
        "/api/v1/registrations/", "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 401
    assert response["Content-Language"] == "ja"


def test_a_page_still_goes_through_the_pages_layers(client, organizer):
    login(client, organizer)
    response = client.get("/")
    request = response.wsgi_request
    assert request.session.session_key
    assert hasattr(request, "_messages")
    assert hasattr(request, "htmx")
    assert request.user == organizer


def test_a_form_post_of_a_page_still_needs_its_csrf_token(organizer):
    client = Client(enforce_csrf_checks=True)
    login(client, organizer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
