"""The personal link in a survey mail: a signed (survey, person) token; docs/survey.md.

The token is the authority (no login needed), valid for that one person and that one survey.
`LinkInvalid`: tampered, truncated, of another purpose, or the person did not come.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "kaisai.surveys.links.answer"
MAX_TOKEN_LENGTH = 200


class LinkInvalid(Exception):
    """The token was not issued by this site for a survey."""


def answer_token(survey_id: int, user_id: int) -> str:
    return signing.dumps([survey_id, user_id], salt=SALT)


def answer_url(survey_id: int, user_id: int) -> str:
    path = reverse("surveys:answer", kwargs={"token": answer_token(survey_id, user_id)})
    return settings.BASE_URL + path


def read_token(token: str) -> tuple[int, int]:
    """(survey id, user id) of a token; LinkInvalid if it is not one of ours."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkInvalid
    try:
        payload = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkInvalid from error
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in payload)
    ):
        raise LinkInvalid
    return payload[0], payload[1]
