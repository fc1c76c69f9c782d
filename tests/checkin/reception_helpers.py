"""Helpers for the reception view tests (page, scan, search and tap check-in)."""

from __future__ import annotations

import json

from django.urls import reverse

URLS = [
    ("reception", "get"),
    ("scan", "post"),
    ("search", "get"),
    ("check_in", "post"),
    ("undo", "post"),
    ("counter", "get"),
]


def url(name, event):
    return reverse(f"checkin:{name}", kwargs={"pk": event.pk})


def post_json(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def scan(client, event, token, **extra):
    return post_json(client, url("scan", event), {"token": token, **extra})
