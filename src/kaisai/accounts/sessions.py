"""Django's database sessions (SESSION_ENGINE), with the read every request with a session
cookie makes done as one raw query: Django compiling its ORM query anew cost about 0.2 ms of
the 0.3 ms of CPU that read took, on every logged-in page (bench/RESULTS.md, issue 17). The
same row, the same rule (the key, not expired); writes are Django's own."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connection
from django.utils import timezone

from kaisai.core import rawrows


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> AbstractBaseSession | None:
        model = self.model
        fields = rawrows.fields_of(model)
        quote = connection.ops.quote_name
        # Model metadata only; the key and the time are parameters.
        sql = (
            f"SELECT {rawrows.columns(fields, quote('s'))} "  # noqa: S608
            f"FROM {quote(model._meta.db_table)} {quote('s')} "
            f"WHERE {quote('s')}.{quote('session_key')} = %s "
            f"AND {quote('s')}.{quote('expire_date')} > %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return rawrows.from_row(model, fields, row)
