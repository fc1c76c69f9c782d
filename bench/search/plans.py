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

QUERIES = {
    "page_ja: keyword 機械学習 + tokyo, first page": EventQuery(
        keywords=["機械学習"], prefectures=["tokyo"]
    ),
    "page_en: keyword kubernetes + osaka, first page": EventQuery(
        keywords=["kubernetes"], prefectures=["osaka"]
    ),
    "page_rare: keywords 量子コンピュータ ハンズオン + online": EventQuery(
        keywords=["量子コンピュータ", "ハンズオン"], prefectures=["online"]
    ),
    "list: no keyword, by start (the v2 list's shape)": EventQuery(order="start"),
}


def main() -> None:
    out = open(sys.argv[1], "w")  # noqa: SIM115
    with connection.cursor() as cursor:
        for label, query in QUERIES.items():
            queryset = search_events(query)[:31]
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            matched = search_events(EventQuery(keywords=query.keywords)).count()
            out.write(f"### {label}\n\nevents matching the keywords: {matched}\n\n")
            out.write(f"```sql\n{cursor.mogrify(sql, params)}\n```\n\n```\n{plan}\n```\n\n")
    out.close()


if __name__ == "__main__":
    main()
