"""EXPLAIN ANALYZE of the benchmark's search queries, as the search selector builds them, and of
every statement of the benchmark's keyword requests.

    plans.py OUTFILE        (DATABASE_URL: the benchmark database)

Writes, for each query, the SQL and its plan (PostgreSQL EXPLAIN (ANALYZE, BUFFERS)), and the
number of events the keyword matches (the work the trigram index leaves to the heap). Then, for
each URL of REQUESTS, the statements one request runs (the Django test client, captured) with
the plan of each SELECT: the page, the one-pass page and count of API v2, its facts."""

from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
os.environ.setdefault("KAISAI_DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("KAISAI_API_V2_RATE", "off")
if "KAISAI_STATIC_ROOT" not in os.environ:  # HTML pages need the static files' manifest
    os.environ["KAISAI_STATIC_ROOT"] = tempfile.mkdtemp(prefix="kaisai-plans-static.")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from kaisai.accounts.models import User  # noqa: E402
from kaisai.accounts.services import create_api_token  # noqa: E402
from kaisai.events.search import EventQuery, search_events  # noqa: E402

# label: (query, rows of the page, also the plan of the count (results_available))
QUERIES = {
    "page_ja: keyword 機械学習 + tokyo, first page": (
        EventQuery(keywords=["機械学習"], prefectures=["tokyo"]),
        31,
        False,
    ),
    "page_en: keyword kubernetes + osaka, first page": (
        EventQuery(keywords=["kubernetes"], prefectures=["osaka"]),
        31,
        False,
    ),
    "page_rare: keywords 量子コンピュータ ハンズオン + online": (
        EventQuery(keywords=["量子コンピュータ", "ハンズオン"], prefectures=["online"]),
        31,
        False,
    ),
    "list: no keyword, by start": (EventQuery(order="start"), 31, False),
    "v2_ja_tokyo: keyword 機械学習 + tokyo, by update, 100 + count": (
        EventQuery(keywords=["機械学習"], prefectures=["tokyo"], order="updated"),
        100,
        True,
    ),
    "v2_list_100: no keyword, by update (connpass order=1), 100 + count": (
        EventQuery(order="updated"),
        100,
        True,
    ),
}


JA = "%E6%A9%9F%E6%A2%B0%E5%AD%A6%E7%BF%92"  # 機械学習
# The keyword URLs of run.sh.
REQUESTS = [
    f"/events/search/?q={JA}&prefecture=tokyo",
    "/events/search/?q=kubernetes&prefecture=osaka",
    f"/api/v2/events/?keyword={JA}&prefecture=tokyo&count=100",
    "/api/v2/events/?keyword=kubernetes&prefecture=osaka&count=100",
]


def explain(cursor, sql: str, params: tuple | None) -> str:  # type: ignore[no-untyped-def]
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
    return "\n".join(row[0] for row in cursor.fetchall())


def explain_requests(out) -> None:  # type: ignore[no-untyped-def]
    """Every SELECT of one request of each URL (after a warm-up request), explained."""
    call_command("collectstatic", interactive=False, verbosity=0)
    user = User.objects.order_by("id").first()
    assert user is not None, "the benchmark database has no users"
    _token, key = create_api_token(user=user, name="plans")
    client = Client(SERVER_NAME="127.0.0.1", HTTP_X_API_KEY=key)
    for path in REQUESTS:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        out.write(f"### request {path}\n\nstatus {status}, {len(queries)} statements\n\n")
        with connection.cursor() as cursor:
            for n, query in enumerate(queries.captured_queries, 1):
                sql = query["sql"]
                out.write(f"{n}. ({query['time']} s)\n\n```sql\n{sql}\n```\n\n")
                if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    # The captured SQL has its parameters inlined already (psycopg's mogrify).
                    out.write(f"```\n{explain(cursor, sql.replace('%', '%%'), None)}\n```\n\n")


def main() -> None:
    out = open(sys.argv[1], "w")  # noqa: SIM115
    with connection.cursor() as cursor:
        for label, (query, rows, count) in QUERIES.items():
            queryset = search_events(query)[:rows]
            sql, params = queryset.query.sql_with_params()
            matched = search_events(EventQuery(keywords=query.keywords)).count()
            out.write(f"### {label}\n\nevents matching the keywords: {matched}\n\n")
            out.write(f"```sql\n{cursor.mogrify(sql, params)}\n```\n\n")
            out.write(f"```\n{explain(cursor, sql, params)}\n```\n\n")
            if count:
                counted = search_events(query).order_by().values("pk")
                sql, params = counted.query.sql_with_params()
                sql = f"SELECT COUNT(*) FROM ({sql}) subquery"  # noqa: S608 - the ORM's SQL
                out.write(f"the count:\n\n```\n{explain(cursor, sql, params)}\n```\n\n")
    explain_requests(out)
    out.close()


if __name__ == "__main__":
    main()
