"""EXPLAIN ANALYZE of the benchmark's search queries, as the search selector builds them.

    plans.py OUTFILE        (DATABASE_URL: the benchmark database)

Writes, for each query, the SQL and its plan (PostgreSQL EXPLAIN (ANALYZE, BUFFERS)), and the
number of events the keyword matches (the work the trigram index leaves to the heap)."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

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


def explain(cursor, sql: str, params: tuple) -> str:  # type: ignore[no-untyped-def]
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
    return "\n".join(row[0] for row in cursor.fetchall())


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
    out.close()


if __name__ == "__main__":
    main()
