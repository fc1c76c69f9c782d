from __future__ import annotations

from django.core.exceptions import ValidationError


class CheckInError(ValidationError):
    """A ticket or code that does not check anyone in; `.reason` is a stable code."""

    def __init__(self, message, code: str = "invalid") -> None:
        super().__init__(message, code=code)
        self.reason = code
