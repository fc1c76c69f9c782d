"""The demo's groups and their events, built row by row through the models."""

from __future__ import annotations

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

from kaisai.accounts.models import User
from kaisai.events.enums import EventStatus, VenueKind
from kaisai.events.models import Event, Sponsor
from kaisai.groups.enums import Role
from kaisai.groups.models import Group, Member, Organizer
from kaisai.site.demo import content

DEMO_GROUP_SLUG = "mlct"
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _add_members(group: Group, users: list[User]) -> None:
    Member.objects.bulk_create(
        [Member(group=group, user=user) for user in dict.fromkeys(users)], batch_size=500
    )


# --- dates --------------------------------------------------------------------------------


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _nearest(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday() + 3) % 7 - 3)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)


def _published(starts_at: datetime, now: datetime) -> datetime:
    return min(now - timedelta(days=2), starts_at - timedelta(days=30))


# --- events -------------------------------------------------------------------------------


def _event(
    group: Group,
    number: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    *,
    venue: content.Venue | None = None,
    provides: str = "",
    **fields,
) -> Event:
    fields.setdefault("status", EventStatus.PUBLISHED)
    fields.setdefault("title", f"{group.title} #{number}")
    if venue is not None:
        fields.setdefault("place", venue.place)
        fields.update(
            address=venue.address,
            prefecture=venue.prefecture,
            latitude=venue.latitude,
            longitude=venue.longitude,
        )
    event = Event.objects.create(
        group=group,
        number=number,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone="Asia/Tokyo",
        published_at=_published(starts_at, now),
        **fields,
    )
    if venue is not None and provides:
        Sponsor.objects.create(event=event, name=venue.company, url=venue.url, provides=provides)
    return event


# The description's timetable is written from the event's real timetable once its talks
# exist (demo/talks.py replaces this marker), so that the two never disagree.
TIMETABLE_MARKER = "{timetable}"


def create_mlct(
    rng: random.Random,
    today: date,
    now: datetime,
    demo: User,
    founder: User,
    co_organizer: User,
    crowd: list[User],
) -> Group:
    group = Group.objects.create(
        slug=DEMO_GROUP_SLUG,
        title=content.MLCT_TITLE,
        subtitle=content.MLCT_SUBTITLE,
        description=content.MLCT_DESCRIPTION,
        website="https://mlct.example/",
        x_account="mlct_tokyo",
    )
    Group.objects.filter(pk=group.pk).update(created_at=datetime(2016, 9, 9, 12, tzinfo=TOKYO))
    Organizer.objects.bulk_create(
        [
            Organizer(group=group, user=founder, role=Role.OWNER),
            Organizer(group=group, user=demo, role=Role.ORGANIZER),
            Organizer(group=group, user=co_organizer, role=Role.ORGANIZER),
        ]
    )
    _add_members(group, [founder, demo, co_organizer, *rng.sample(crowd, 215)])

    # #5 on the Friday nearest to three weeks from now; #1–#4 every two months before it.
    next_day = _nearest(today + timedelta(days=21), 4)
    for number in range(1, 5):
        day = _on_or_before(next_day - timedelta(days=61 * (5 - number)), 4)
        venue = content.TOKYO_VENUES[number - 1]
        talks = content.MLCT_TALKS[number - 1]
        event = _event(
            group,
            number,
            _at(day, 19, 30),
            _at(day, 21, 30),
            now,
            venue=venue,
            provides="Venue" if number % 2 else "Venue, Drinks",
            catch=talks[0],
            description=(
                f"MLCT #{number} を開催します。"
                f"会場は{venue.company}さんにご提供いただきました。\n\n"
                + TIMETABLE_MARKER
                + "\n発表資料は後日このページにまとめます。"
            ),
            hashtag="mlct",
            stream_url=f"https://www.youtube.com/watch?v=mlctDemo{number:03d}",
            afterparty_place=f"{venue.place} (同フロア)",
            afterparty_starts_at=_at(day, 21, 10),
            afterparty_fee=1000,
            created_by=founder,
        )
        if number % 2 == 0:
            Sponsor.objects.create(
                event=event,
                name="株式会社ホシゾラAI",
                url="https://hoshizora-ai.example/",
                provides="Pizza",
                order=1,
            )

    venue = content.NEXT_VENUE
    _event(
        group,
        5,
        _at(next_day, 19, 30),
        _at(next_day, 21, 30),
        now,
        venue=venue,
        provides="Venue, Drinks & after-party",
        catch="RAG を本番に出して半年: 評価・監視・コスト",
        description=(
            "MLCT #5 を開催します! 今回の会場・ドリンク・懇親会は"
            f"[{venue.company}]({venue.url})さんにご提供いただきます。\n\n"
            + TIMETABLE_MARKER
            + "\nLT 枠 (5 分) を募集しています。初めての方も歓迎です。\n\n"
            "当日の様子は YouTube で配信します。ハッシュタグは **#mlct** です。"
        ),
        hashtag="mlct",
        venue_kind=VenueKind.HYBRID,
        stream_url="https://www.youtube.com/watch?v=mlctDemo005",
        participant_info=content.NEXT_PARTICIPANT_INFO,
        afterparty_place="カエデラボ 12F ラウンジ",
        afterparty_starts_at=_at(next_day, 21, 40),
        afterparty_fee=1000,
        created_by=demo,
    )
    return group


def create_other_groups(
    rng: random.Random, today: date, now: datetime, demo: User, crowd: list[User]
) -> list[Group]:
    groups = {}
    for index, (slug, info) in enumerate(content.OTHER_GROUPS.items()):
        group = Group.objects.create(slug=slug, **info)
        Group.objects.filter(pk=group.pk).update(created_at=now - timedelta(days=400 + 180 * index))
        owner, organizer = rng.sample(crowd, 2)
        Organizer.objects.bulk_create(
            [
                Organizer(group=group, user=owner, role=Role.OWNER),
                Organizer(group=group, user=organizer, role=Role.ORGANIZER),
            ]
        )
        size = {"osaka-python": 90, "rust-online": 120, "k8s-night-tokyo": 70}.get(slug, 30)
        extra = [demo] if slug in ("rust-online", "k8s-night-tokyo") else []
        _add_members(group, [owner, organizer, *extra, *rng.sample(crowd, size)])
        groups[slug] = (group, owner)

    group, owner = groups["osaka-python"]
    venue = content.OSAKA_VENUE
    for number, days, status, catch in (
        (21, -49, EventStatus.PUBLISHED, "もくもく会 + LT: 型ヒントを書こう"),
        (22, -21, EventStatus.CANCELLED, "台風接近のため中止します。次回またお会いしましょう。"),
        (23, 17, EventStatus.PUBLISHED, "LT 大会: Python 3.14 の新機能"),
    ):
        day = _on_or_after(today + timedelta(days=days), 5)  # Saturdays
        _event(
            group,
            number,
            _at(day, 13),
            _at(day, 17),
            now,
            venue=venue,
            provides="Venue",
            status=status,
            catch=catch,
            description=f"Osaka Python Meetup #{number}。{catch}\n\n13:00 開場 / 17:00 終了",
            hashtag="osakapy",
            created_by=owner,
        )

    group, owner = groups["rust-online"]
    for number, days in ((7, -35), (8, 10)):
        day = _on_or_after(today + timedelta(days=days), 2)  # Wednesdays
        _event(
            group,
            number,
            _at(day, 20),
            _at(day, 21),
            now,
            venue_kind=VenueKind.ONLINE,
            prefecture="online",
            place="",
            catch="Two talks and a Q&A: async Rust in production" if number == 8 else "",
            description="Online on YouTube Live. Talks in English or Japanese; Q&A in chat.",
            stream_url=f"https://www.youtube.com/watch?v=rustHour{number:03d}",
            hashtag="rustonlinehour",
            created_by=owner,
        )

    group, owner = groups["k8s-night-tokyo"]
    venue = content.K8S_VENUE
    for number, days in ((14, -70), (15, 30)):
        day = _on_or_after(today + timedelta(days=days), 3)  # Thursdays
        _event(
            group,
            number,
            _at(day, 19),
            _at(day, 21, 30),
            now,
            venue=venue,
            provides="Venue, Drinks & after-party",
            venue_kind=VenueKind.HYBRID,
            catch="Gateway API と Service Mesh の今",
            description="会場 + YouTube のハイブリッド開催です。",
            stream_url=f"https://www.youtube.com/watch?v=k8sNight{number:03d}",
            hashtag="k8snight",
            afterparty_place="会場内",
            afterparty_starts_at=_at(day, 21, 30),
            afterparty_fee=500,
            created_by=owner,
        )

    group, owner = groups["fukuoka-data"]
    venue = content.FUKUOKA_VENUE
    for number, days in ((3, -40), (4, 24)):
        day = _on_or_after(today + timedelta(days=days), 5)
        _event(
            group,
            number,
            _at(day, 14),
            _at(day, 17),
            now,
            venue=venue,
            provides="Venue",
            catch="dbt と BigQuery の実践" if number == 4 else "",
            description="天神で開催します。ノート PC をお持ちください。",
            created_by=owner,
        )
    return [group for group, _owner in groups.values()]
