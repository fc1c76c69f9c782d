from __future__ import annotations

from django.core.exceptions import ValidationError


class RegistrationError(ValidationError):
    """A registration rule said no; the message is translated and safe to show."""

    def __init__(self, message, code: str = "invalid", params=None) -> None:
        super().__init__(message, code=code, params=params)
        self.reason = code
        # For code "invalid_answers": the questionnaire's field names (`q<id>`) → question text.
        self.questions: dict[str, str] = {}
