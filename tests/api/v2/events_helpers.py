"""Shared by the GET /api/v2/events/ test modules."""

from __future__ import annotations

URL = "/api/v2/events/"
