"""Pieces of kaisai's settings, by what they configure: reading the environment (`env`), the
browser's security headers (`headers`), logs and error reporting (`logs`). `kaisai.settings`
reads the environment once and calls these; nothing here reads Django's settings."""
