"""Django's database sessions (SESSION_ENGINE), with the read every request with a session
cookie makes done as one raw query: Django compiling its ORM query anew cost about 0.2 ms of
the 0.3 ms of CPU that read took, on every logged-in page (bench/RESULTS.md, issue 17). The
same row, the same rule (the key, not expired); writes are Django's own."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.utils import timezone

from kaisai.core import rawrows


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> AbstractBaseSession | None:
        session = rawrows.first_where(
            self.model,
            [("session_key", "="), ("expire_date", ">")],
            [self.session_key, timezone.now()],
        )
        if session is None:
            self._session_key = None
        return session
