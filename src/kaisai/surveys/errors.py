from __future__ import annotations

from django.core.exceptions import ValidationError


class SurveyError(ValidationError):
    """A survey rule said no; the message is translated and safe to show. `reason` is the
    code the API answers with."""

    def __init__(self, message, code: str = "invalid") -> None:
        super().__init__(message, code=code)
        self.reason = code
