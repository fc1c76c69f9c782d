from __future__ import annotations

from django.core.exceptions import ValidationError


class TalkError(ValidationError):
    """A talk rule said no; the message is translated and safe to show."""

    def __init__(self, message, code: str = "invalid", params=None) -> None:
        super().__init__(message, code=code, params=params)
        self.reason = code
