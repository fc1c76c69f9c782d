"""Demo talks, timetables and materials (資料) for MLCT.

Past events #1–#4: two talks and three to five lightning talks each, speakers among the demo
users, a timetable (doors 19:00, opening, talks, break, LTs, after-party), slide links in the
styles of Speaker Deck, Docswell and Google Slides with provider, embed and thumbnail filled as
their oEmbed would have (no network: the ids are made up), and the event's YouTube video.
Upcoming #5: its LT frame becomes a speakers' frame (approval) whose three accepted
registrations hold accepted LTs and two new applications are proposals, two invited talks,
and a timetable. Rows are written in bulk; nothing is mailed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, Registration
from kaisai.site.demo import content
from kaisai.site.demo.registrations import _write as write_registrations
from kaisai.site.demo.series import TIMETABLE_MARKER
from kaisai.talks import embeds
from kaisai.talks.enums import EntryKind, MaterialKind, TalkKind, TalkLanguage, TalkState
from kaisai.talks.models import Material, Speaker, Talk, TimetableEntry

# English slugs for the slide URLs of content.MLCT_TALKS (two talks per event).
TALK_SLUGS = [
    ("recsys-daily-retraining-3-years", "no-feature-store"),
    ("llm-output-evaluation", "demand-forecast-beyond-accuracy"),
    ("visual-inspection-in-a-factory", "recsys-side-effects-ab-tests"),
    ("search-ranking-lightgbm-to-transformer", "data-drift-monitoring"),
]

# Lightning talks beyond the one per event in content.MLCT_TALKS: (title, slug).
LT_POOL = [
    ("Optuna で社内の学習ジョブを全部チューニングした", "optuna-everywhere"),
    ("MLflow のモデルレジストリ、誰も見ていなかった", "mlflow-registry"),
    ("Embedding の次元は 256 で十分だった話", "embedding-256"),
    ("A/B テストの p 値を Slack に流すのをやめた", "stop-posting-p-values"),
    ("Feature flag で機械学習モデルを出し分ける", "ml-feature-flags"),
    ("小さな GPU で LLM をファインチューニング", "small-gpu-finetuning"),
    ("dbt で特徴量を管理してみた", "features-with-dbt"),
    ("ラベル付けを社内で回すコツ", "in-house-labeling"),
    ("評価データセットの作り方、3 つの失敗", "eval-dataset-failures"),
    ("Polars の LazyFrame で前処理を 10 倍速く", "polars-lazyframe"),
    ("How we review notebooks in pull requests", "notebook-reviews"),
    ("Calibration: why your 0.9 is not 90%", "calibration"),
    ("DuckDB でログを手元で分析する", "duckdb-logs"),
    ("推薦の多様性を測る指標たち", "diversity-metrics"),
    ("Shadow deployment で新モデルを試す", "shadow-deployment"),
    ("量子化したモデルの精度が落ちた理由", "quantization-accuracy"),
]

INVITED_ABSTRACT = (
    "実運用で得た知見を、うまくいかなかったことも含めてお話しします。\n\n"
    "- 背景と課題\n- 取り組んだこと\n- 今後の展望"
)
LT_ABSTRACT = "5 分で駆け足にお話しします。"

NEXT_LT_PROPOSALS = [
    ("社内 LLM 勉強会を 1 年続けた話", "初心者向けの社内勉強会の作り方と続け方。"),
    (
        "推論サーバを Rust で書き直したら",
        "Python から Rust に移して速くなったところ、ならなかったところ。",
    ),
]
NEXT_LT_ACCEPTED = [
    "RAG の評価を LLM-as-a-judge に任せてみた",
    "ベクトル DB を 3 つ比べた",
    "初めての Kaggle で銅メダルを取るまで",
]


def _hex(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def _alnum(rng: random.Random, length: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _handle(user: User) -> str:
    return (user.github_account or user.nickname).lower()


def _slides(rng: random.Random, talk: Talk, user: User, slug: str, style: int) -> Material:
    """A slide link in one of three hosts' styles, with what their oEmbed would give."""
    handle = _handle(user)
    if style == 0:  # Speaker Deck: the player's id comes from oEmbed
        deck = _hex(rng, 32)
        return Material(
            event_id=talk.event_id, talk=talk, kind=MaterialKind.SLIDE, title=talk.title,
            url=f"https://speakerdeck.com/{handle}/{slug}", provider="Speaker Deck",
            embed_url=f"https://speakerdeck.com/player/{deck}",
            thumbnail_url=f"https://files.speakerdeck.com/presentations/{deck}/slide_0.jpg",
            added_by=user,
        )  # fmt: skip
    if style == 1:  # Docswell: the embed is computed from the link
        slide_id = _alnum(rng, 6, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
        url = f"https://www.docswell.com/s/{handle}/{slide_id}-{slug}"
    else:  # Google Slides: computed, no oEmbed (the title is the speaker's own)
        deck = "1" + _alnum(
            rng, 43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        )
        url = f"https://docs.google.com/presentation/d/{deck}/edit?usp=sharing"
    known = embeds.static_embed(url)
    return Material(
        event_id=talk.event_id, talk=talk, kind=MaterialKind.SLIDE, title=talk.title, url=url,
        provider=known.provider, embed_url=known.embed_url, added_by=user,
    )  # fmt: skip


def _video(event: Event, by: User) -> Material:
    url = event.stream_url or f"https://www.youtube.com/watch?v=mlctDemo{event.number:03d}"
    video = embeds.youtube_id(url)
    return Material(
        event=event, kind=MaterialKind.MOVIE, url=url, provider="YouTube",
        title=f"{event.title} 配信アーカイブ / Live stream recording",
        embed_url=embeds.static_embed(url).embed_url,
        thumbnail_url=f"https://i.ytimg.com/vi/{video}/hqdefault.jpg" if video else "",
        added_by=by,
    )  # fmt: skip


def _create_talks(event: Event, specs: list[dict[str, Any]], by: User) -> list[Talk]:
    """specs: title, kind, speaker (User), and optional state, abstract, registration."""
    talks = [
        Talk(
            event=event, title=spec["title"], kind=spec["kind"],
            abstract=spec.get("abstract", INVITED_ABSTRACT if spec["kind"] == TalkKind.TALK
                              else LT_ABSTRACT),
            duration=25 if spec["kind"] == TalkKind.TALK else 5,
            language=TalkLanguage.EN if spec["title"].isascii() else TalkLanguage.JA,
            state=spec.get("state", TalkState.ACCEPTED), registration=spec.get("registration"),
            created_by=by,
        )
        for spec in specs
    ]  # fmt: skip
    Talk.objects.bulk_create(talks)
    if talks and talks[0].pk is None:
        talks = list(Talk.objects.filter(event=event).order_by("id"))
    confirmed = event.starts_at - timedelta(days=25)
    Speaker.objects.bulk_create(
        [
            Speaker(talk=talk, user=spec["speaker"], confirmed_at=confirmed)
            for talk, spec in zip(talks, specs, strict=True)
        ]
    )
    return talks


def _timetable(event: Event, talks: list[Talk]) -> None:
    """Doors 30 minutes before the start, opening, talks, break, LTs, after-party."""
    start = event.starts_at
    rows = [
        TimetableEntry(event=event, kind=EntryKind.DOORS, title="開場・受付 / Doors open",
                       starts_at=start - timedelta(minutes=30), duration=30),
        TimetableEntry(event=event, kind=EntryKind.OTHER, title="オープニング / Opening",
                       starts_at=start, duration=5),
    ]  # fmt: skip
    at = start + timedelta(minutes=5)
    main = [t for t in talks if t.kind == TalkKind.TALK and t.state == TalkState.ACCEPTED]
    lts = [t for t in talks if t.kind == TalkKind.LT and t.state == TalkState.ACCEPTED]
    for talk in main:
        rows.append(TimetableEntry(event=event, kind=EntryKind.TALK, talk=talk, starts_at=at,
                                   duration=talk.duration))  # fmt: skip
        at += timedelta(minutes=talk.duration)
    rows.append(TimetableEntry(event=event, kind=EntryKind.BREAK, title="休憩 / Break",
                               starts_at=at, duration=10))  # fmt: skip
    at += timedelta(minutes=10)
    for talk in lts:
        rows.append(TimetableEntry(event=event, kind=EntryKind.TALK, talk=talk, starts_at=at,
                                   duration=talk.duration))  # fmt: skip
        at += timedelta(minutes=talk.duration + 1)
    party: datetime = event.afterparty_starts_at or max(at, start + timedelta(minutes=100))
    rows.append(TimetableEntry(event=event, kind=EntryKind.AFTERPARTY, title="懇親会 / After-party",
                               starts_at=party, duration=60))  # fmt: skip
    TimetableEntry.objects.bulk_create(rows)
    _describe_timetable(event, rows)


def _describe_timetable(event: Event, rows: list[TimetableEntry]) -> None:
    """The description's timetable, written from the real one (series.TIMETABLE_MARKER)."""
    lines = ["## タイムテーブル", "", "| 時刻 | 内容 |", "| --- | --- |"]
    for row in rows:
        at = timezone.localtime(row.starts_at, event.tz).strftime("%H:%M")
        what = row.talk.title if row.talk else row.title.split(" / ")[0]
        lines.append(f"| {at} | {what} |")
    table = "\n".join([*lines, ""])
    Event.objects.filter(pk=event.pk).update(
        description=event.description.replace(TIMETABLE_MARKER, table)
    )


def past_event_talks(
    rng: random.Random, past: list[Event], crowd: list[User], lt_pool: list[tuple[str, str]]
) -> None:
    materials: list[Material] = []
    for index, event in enumerate(past):
        titles = content.MLCT_TALKS[index % len(content.MLCT_TALKS)]
        slugs = TALK_SLUGS[index % len(TALK_SLUGS)]
        lt_count = rng.randint(3, 5)
        first_lt = titles[2].removeprefix("LT: ")
        lt_specs = [
            (first_lt, f"mlct{event.number}-lt"),
            *[lt_pool.pop() for _ in range(lt_count - 1)],
        ]
        people = rng.sample(crowd, 2 + lt_count)
        specs: list[dict[str, Any]] = [
            {"title": titles[0], "kind": TalkKind.TALK, "speaker": people[0], "slug": slugs[0]},
            {"title": titles[1], "kind": TalkKind.TALK, "speaker": people[1], "slug": slugs[1]},
            *[
                {"title": title, "kind": TalkKind.LT, "speaker": person, "slug": slug}
                for (title, slug), person in zip(lt_specs, people[2:], strict=True)
            ],
        ]
        talks = _create_talks(event, specs, event.created_by or people[0])
        _timetable(event, talks)
        without_slides = rng.randrange(2, len(talks))  # one LT never shared its slides
        for position, (talk, spec) in enumerate(zip(talks, specs, strict=True)):
            if position != without_slides:
                materials.append(
                    _slides(rng, talk, spec["speaker"], spec["slug"], (index + position) % 3)
                )
        materials.append(_video(event, event.created_by or people[0]))
        if index == len(past) - 1:
            reporter = people[-1]
            materials.append(
                Material(
                    event=event,
                    kind=MaterialKind.BLOG,
                    added_by=reporter,
                    title=f"{event.title} に参加しました (レポート)",
                    url=f"https://zenn.dev/{_handle(reporter)}/articles/mlct{event.number}-report",
                )  # fmt: skip
            )
    Material.objects.bulk_create(materials)


def next_event_talks(rng: random.Random, event: Event, demo: User, crowd: list[User]) -> None:
    """#5: its LT frame asks for talks (approval); 3 accepted LTs, 2 proposals, 2 invited."""
    frame = Frame.objects.filter(event=event, name__startswith="LT").first()
    specs: list[dict[str, Any]] = []
    if frame is not None:
        Frame.objects.filter(pk=frame.pk).update(requires_talk=True, method=Method.APPROVAL)
        accepted = list(
            Registration.objects.filter(frame=frame, status=Status.ACCEPTED)
            .select_related("user")
            .order_by("id")
        )
        registered = set(Registration.objects.filter(event=event).values_list("user_id", flat=True))
        newcomers = [p for p in crowd if p.pk not in registered][: len(NEXT_LT_PROPOSALS)]
        # applied in the past, however close the event is (never a time still to come)
        applied_at = min(event.starts_at - timedelta(days=10), timezone.now() - timedelta(hours=6))
        applied = write_registrations(frame, newcomers, Status.APPLIED, applied_at, rng)
        specs += [
            {"title": title, "kind": TalkKind.LT, "speaker": row.user, "registration": row}
            for title, row in zip(NEXT_LT_ACCEPTED, accepted, strict=False)
        ]
        specs += [
            {"title": title, "abstract": abstract, "kind": TalkKind.LT, "speaker": row.user,
             "registration": row, "state": TalkState.PROPOSED}
            for (title, abstract), row in zip(NEXT_LT_PROPOSALS, applied, strict=False)
        ]  # fmt: skip
    speakers = set(s["speaker"].pk for s in specs)
    invited = [p for p in crowd if p.pk not in speakers][-2:]
    specs = [
        {"title": title, "kind": TalkKind.TALK, "speaker": person}
        for title, person in zip(content.MLCT_NEXT_TALKS[:2], invited, strict=True)
    ] + specs
    talks = _create_talks(event, specs, demo)
    _timetable(event, talks)


def create_talks(
    rng: random.Random, past: list[Event], upcoming: Event, demo: User, crowd: list[User]
) -> None:
    lt_pool = list(LT_POOL)
    rng.shuffle(lt_pool)
    past_event_talks(rng, past, crowd, lt_pool)
    next_event_talks(rng, upcoming, demo, crowd)
