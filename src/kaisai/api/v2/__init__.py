"""connpass API v2 compatible API at /api/v2/ (docs/api-v2.md)."""
