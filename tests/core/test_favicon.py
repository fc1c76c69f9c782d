"""The site has an icon: a link tag on every page and /favicon.ico answers (no 404)."""

import pytest


@pytest.mark.django_db
def test_favicon(client):
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/kaisai/favicon.svg"' in html
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == "/static/kaisai/favicon.ico"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    svg = client.get("/static/kaisai/favicon.svg")
    assert svg.status_code == 200
