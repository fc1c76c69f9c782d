# ruff: noqa: S608 - SQL built from this file's constants only, no outside input
"""Test data for the search benchmark (run by bench/search/run.sh, not by the tests).

    generate.py [EVENTS] [REGISTRATIONS]     defaults 100000 1000000

Fills an empty, migrated kaisai database on PostgreSQL (DATABASE_URL) with users, groups,
EVENTS events (Japanese and English titles and descriptions, 47 prefectures and online, three
years back and one ahead), one frame per event and REGISTRATIONS registrations, all with
`INSERT … SELECT … FROM generate_series` so that the database does the work (about a minute on
2 vCPU). The trigram index of migration events.0007 is dropped during the load and built
again afterwards, then the tables are analysed. Deterministic (setseed).
"""

from __future__ import annotations

import os
import sys
import time

import psycopg

EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REGISTRATIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
GROUPS = max(EVENTS // 50, 1)
USERS = max(REGISTRATIONS // 10, 1000)

TOPICS_JA = [
    "機械学習",
    "深層学習",
    "データ分析",
    "自然言語処理",
    "クラウド",
    "セキュリティ",
    "フロントエンド",
    "インフラ",
    "統計",
    "競技プログラミング",
    "量子コンピュータ",
    "ゲーム開発",
    "組込み",
    "アジャイル",
    "デザイン",
    "画像認識",
    "生成AI",
    "分散システム",
]
TOPICS_EN = [
    "Python",
    "Rust",
    "Go",
    "Kubernetes",
    "React",
    "TypeScript",
    "PostgreSQL",
    "Django",
    "Machine Learning",
    "DevOps",
    "Security",
    "LLM",
    "Data Engineering",
    "Swift",
    "Kotlin",
    "Elixir",
    "Haskell",
    "WebAssembly",
    "Terraform",
    "Flutter",
]
KINDS = [
    "勉強会",
    "もくもく会",
    "LT会",
    "ハンズオン",
    "Meetup",
    "Casual Talks",
    "読書会",
    "Night",
    "カンファレンス",
    "入門",
    "Study Group",
    "Workshop",
]
SENTENCES = [
    "今回は{t}の基礎から実践までを扱います。",
    "初心者歓迎です。ノートPCをお持ちください。",
    "発表のあとは懇親会があります（参加費1,000円）。",
    "{t}に関するライトニングトーク(LT)枠も募集しています。",
    "会場は駅から徒歩5分のスポンサー企業様のオフィスです。",
    "当日の様子はYouTubeで配信します。",
    "We will talk about {t} in production: what worked and what did not.",
    "Beginners are welcome; bring a laptop with {t} installed.",
    "Drinks and pizza are provided by our sponsor.",
    "The talks are in English and Japanese.",
    "Lightning talks: five minutes each, sign up on the day.",
    "資料は後日こちらのページで公開します。",
    "{t}を業務で使っている方の事例紹介があります。",
    "Slides and recordings will be shared after the event.",
]
PLACES = [
    ("tokyo", "東京都渋谷区道玄坂1-2-3 スポンサービル10F"),
    ("tokyo", "東京都千代田区丸の内2-4-1"),
    ("tokyo", "東京都港区六本木6-10-1"),
    ("osaka", "大阪府大阪市北区梅田1-1-3"),
    ("kanagawa", "神奈川県横浜市西区みなとみらい2-2-1"),
    ("aichi", "愛知県名古屋市中村区名駅4-7-1"),
    ("fukuoka", "福岡県福岡市中央区天神2-5-55"),
    ("hokkaido", "北海道札幌市中央区北5条西2丁目"),
    ("kyoto", "京都府京都市下京区烏丸通七条下ル"),
    ("miyagi", "宮城県仙台市青葉区中央1-1-1"),
    ("hiroshima", "広島県広島市中区基町6-78"),
    ("okinawa", "沖縄県那覇市久茂地1-1-1"),
]
# The trigram index of migration events.0007 (on the generated, lower-cased search_text).
TRGM_INDEXES = {"event_search_text_trgm": "search_text"}


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def pick(array: str, seed: str) -> str:
    """Element of a SQL array literal chosen by a hash of `seed` (an integer expression)."""
    return f"({array})[1 + (({seed}) % cardinality({array}))]"


def main() -> None:
    url = os.environ["DATABASE_URL"]
    topics = TOPICS_JA + TOPICS_EN
    t_arr = sql_array(topics)
    k_arr = sql_array(KINDS)
    s_arr = sql_array(SENTENCES)
    pref_arr = sql_array([p for p, _a in PLACES])
    addr_arr = sql_array([a for _p, a in PLACES])
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:

        def run(label: str, sql: str) -> None:
            t0 = time.monotonic()
            conn.execute(sql)
            print(f"{label}: {time.monotonic() - t0:.1f}s", file=sys.stderr)

        conn.execute("SELECT setseed(0.42)")
        # The bulk load skips the per-row foreign-key triggers (the rows are consistent by
        # construction); needs a superuser, as the benchmark's postgres user is.
        conn.execute("SET session_replication_role = replica")
        for index in TRGM_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {index}")
        run(
            "users",
            f"""INSERT INTO accounts_user (password, is_superuser, email, is_staff, is_active,
                date_joined, nickname, display_name, bio, avatar, x_account, github_account,
                website, preferred_language, show_in_lists)
            SELECT '!', false, 'u' || n || '@example.com', false, true, now(), 'u' || n,
                'User ' || n, '', '', '', '', '', '', false
            FROM generate_series(1, {USERS}) n""",
        )
        run(
            "groups",
            f"""INSERT INTO groups_group (slug, title, subtitle, description, website, x_account,
                image, created_at, require_mfa)
            SELECT 'g' || n, {pick(t_arr, "n")} || ' ' || {pick(k_arr, "n * 7")} || ' ' || n,
                '', 'A community of ' || {pick(t_arr, "n")}, '', '', '', now(), false
            FROM generate_series(1, {GROUPS}) n""",
        )
        run(
            "organizers",
            """INSERT INTO groups_organizer (group_id, user_id, role, added_at)
            SELECT g.id, u.id, 'owner', now() FROM groups_group g
            JOIN accounts_user u ON u.nickname = 'u' || g.id""",
        )
        # r: one random number per row, spread into independent choices below.
        desc = " || ' ' || ".join(
            "replace("
            + pick(s_arr, f"(r * {p})::bigint")
            + ", '{t}', "
            + pick(t_arr, f"(r * {q})::bigint")
            + ")"
            for p, q in (
                (1000003, 7001),
                (2000029, 9001),
                (3000017, 11003),
                (4000037, 13001),
                (5000011, 15013),
                (6000007, 17011),
            )
        )
        run(
            "events",
            f"""INSERT INTO events_event (group_id, number, title, catch, description, status,
                starts_at, ends_at, time_zone, venue_kind, place, address, prefecture,
                stream_url, participant_info, hashtag, image, afterparty_place, created_at,
                updated_at, published_at, attendance_code)
            SELECT g, n / {GROUPS} + 1,
                {pick(t_arr, "(r * 100003)::bigint")} || ' '
                    || {pick(k_arr, "(r * 70001)::bigint")} || ' #' || (n / {GROUPS} + 1),
                {pick(t_arr, "(r * 300007)::bigint")} || 'と'
                    || {pick(t_arr, "(r * 500009)::bigint")} || 'の夕べ',
                {desc},
                CASE WHEN s < 0.95 THEN 'published' WHEN s < 0.98 THEN 'cancelled' ELSE 'draft' END,
                st, st + interval '2 hours 30 minutes', 'Asia/Tokyo',
                CASE WHEN v < 0.7 THEN 'offline' WHEN v < 0.9 THEN 'online' ELSE 'hybrid' END,
                CASE WHEN v < 0.7 OR v >= 0.9 THEN 'Sponsor Inc. ' || (n % 30) || 'F' ELSE '' END,
                CASE WHEN v < 0.7 OR v >= 0.9
                    THEN {pick(addr_arr, "(r * 900001)::bigint")} ELSE '' END,
                CASE WHEN v < 0.7 OR v >= 0.9
                    THEN {pick(pref_arr, "(r * 900001)::bigint")} ELSE '' END,
                '', '', lower(replace({pick(t_arr, "(r * 100003)::bigint")}, ' ', '')), '', '',
                st - interval '30 days', st - interval '20 days',
                CASE WHEN s < 0.98 THEN st - interval '30 days' END, ''
            FROM (
                SELECT n, 1 + (n % {GROUPS}) AS g, random() AS r, random() AS s, random() AS v,
                    now() - interval '3 years' + random() * interval '4 years' AS st
                FROM generate_series(0, {EVENTS - 1}) n
            ) x""",
        )
        run(
            "frames",
            """INSERT INTO registrations_frame (event_id, name, description, capacity, method,
                fee, "order", accepted_count, waitlist_seq, requires_talk, speakers_keep_seat,
                accepts_lottery_losers, overbooking, overflow_risk)
            SELECT id, '一般枠', '', 30 + (id % 8) * 20, 'first_come', 0, 0, 0, 0, false, false,
                true, 'off', 0.05
            FROM events_event""",
        )
        per_event = max(REGISTRATIONS // EVENTS, 1)
        run(
            "registrations",
            f"""INSERT INTO registrations_registration (event_id, frame_id, user_id, status,
                waitlist_key, nominated, afterparty, created_at, updated_at, organizer_note,
                standby)
            SELECT f.event_id, f.id,
                1 + ((f.event_id * 7919 + k * 4729) % {USERS}),
                CASE WHEN k < {per_event} - 2 THEN 'accepted'
                     WHEN k = {per_event} - 2 THEN 'waitlisted' ELSE 'cancelled' END,
                CASE WHEN k = {per_event} - 2 THEN 1 END,
                false, k % 3 = 0, now(), now(), '', false
            FROM registrations_frame f, generate_series(0, {per_event - 1}) k""",
        )
        run(
            "frame counts",
            f"""UPDATE registrations_frame SET accepted_count = {max(per_event - 2, 0)},
                waitlist_seq = 1""",
        )
        conn.execute("SET session_replication_role = DEFAULT")
        for index, column in TRGM_INDEXES.items():
            run(
                f"index {index}",
                f"CREATE INDEX {index} ON events_event USING gin ({column} gin_trgm_ops)",
            )
        run("vacuum analyze", "VACUUM ANALYZE")
    print(f"generated in {time.monotonic() - started:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
