"""Build the demo data through the models: people, Machine Learning Casual Talks (MLCT) with its
organizers, four past events and the upcoming #5, and four other groups so that lists are not
trivial. Deterministic: the same seed gives the same people; dates are relative to today.

Later features add their own demo rows (registrations, talks, check-ins) from here.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.groups.models import Group
from kaisai.site.demo import (
    content,
    listing,
    questionnaires,
    recaps,
    registrations,
    series,
    surveys,
    talks,
)
from kaisai.site.demo.names import Person, generate_people

SEED = 20160909
DEMO_GROUP_SLUG = series.DEMO_GROUP_SLUG
DEMO_GROUP_SLUGS = [DEMO_GROUP_SLUG, *content.OTHER_GROUPS]
DEMO_NICKNAME = "demo"
DEMO_EMAIL = "demo@example.com"
DEFAULT_DEMO_PASSWORD = "kaisai-demo"  # noqa: S105 - the documented password of a local demo
USER_COUNT = 250

DEMO_USER = Person(
    DEMO_NICKNAME,
    "森田 拓也",
    True,
    bio="MLCT の共同管理者。しばらく止まっていたシリーズを再開しました。\n"
    "kaisai のデモ用アカウントです (nickname: demo)。",
    github_account="kaisai-demo",
)
FOUNDER = Person(
    "hiroshi_tanaka",
    "田中 博",
    True,
    bio="Machine Learning Casual Talks の発起人。推薦システムを作っています。",
    x_account="hiroshi_tanaka",
    github_account="hiroshi-tanaka",
)
CO_ORGANIZER = Person(
    "emily-clark",
    "Emily Clark",
    False,
    bio="Co-organizer of MLCT. ML engineer at a Tokyo startup; I run the LT slots.",
    github_account="emily-clark",
)


@dataclass(frozen=True)
class DemoSummary:
    users: int
    groups: int
    events: int


def demo_password() -> str:
    return os.environ.get("KAISAI_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def demo_exists() -> bool:
    return Group.objects.filter(slug=DEMO_GROUP_SLUG).exists()


def demo_people() -> list[Person]:
    """Everyone the demo creates, the demo user and MLCT's organizers first."""
    fixed = [DEMO_USER, FOUNDER, CO_ORGANIZER]
    crowd = generate_people(
        random.Random(SEED),
        USER_COUNT - len(fixed),
        reserved={person.nickname for person in fixed},
    )
    return [*fixed, *crowd]


def delete_demo() -> None:
    """Remove what `load_demo` made (and what hangs off it)."""
    with transaction.atomic():
        groups = Group.objects.filter(slug__in=DEMO_GROUP_SLUGS)
        _delete(Event.objects.filter(group__in=groups))
        _delete(groups)
        nicknames = [person.nickname for person in demo_people()]
        _delete(User.objects.filter(nickname__in=nicknames, email__endswith="@example.com"))


def _delete(queryset: QuerySet) -> None:
    """Delete, first clearing rows that PROTECT a foreign key into what is being deleted."""
    for _attempt in range(10):
        try:
            queryset.delete()
            return
        except ProtectedError as error:
            by_model: dict[type[Model], list] = defaultdict(list)
            for obj in error.protected_objects:
                by_model[type(obj)].append(obj.pk)
            for model, pks in by_model.items():
                _delete(model._default_manager.filter(pk__in=pks))
    queryset.delete()


def load_demo(*, password: str | None = None, today: date | None = None) -> DemoSummary:
    """Create the demo data in one transaction. Call only when `demo_exists()` is False."""
    rng = random.Random(SEED + 1)
    now = timezone.now()
    today = today or timezone.localdate()
    with transaction.atomic():
        users = _create_users(rng, demo_people(), make_password(password or demo_password()), now)
        demo, founder, co_organizer, *crowd = users
        mlct = series.create_mlct(rng, today, now, demo, founder, co_organizer, crowd)
        *past, upcoming = Event.objects.filter(group=mlct).order_by("number")
        people = registrations.Crowd.split(random.Random(SEED + 3), crowd)
        for event in past:
            registrations.past_event_registrations(rng, event, people)
        registrations.next_event_frames(rng, upcoming, demo, crowd)
        questionnaires.add_past_questionnaires(past)
        talks.create_talks(random.Random(SEED + 2), past, upcoming, demo, crowd)
        surveys.past_event_survey(random.Random(SEED + 5), past)
        recaps.publish_past_recaps(past, founder)
        others = series.create_other_groups(rng, today, now, demo, crowd)
        listing.choose_to_appear(random.Random(SEED + 15), crowd)  # participants lists
    return DemoSummary(
        users=len(users),
        groups=1 + len(others),
        events=Event.objects.filter(group__slug__in=DEMO_GROUP_SLUGS).count(),
    )


# --- people -------------------------------------------------------------------------------


def _create_users(
    rng: random.Random, people: list[Person], password_hash: str, now: datetime
) -> list[User]:
    users = [
        User(
            nickname=person.nickname,
            email=DEMO_EMAIL if person is DEMO_USER else f"{person.nickname}@example.com",
            password=password_hash,  # one hash for everyone: hashing 250 times takes minutes
            display_name=person.display_name,
            bio=person.bio,
            x_account=person.x_account,
            github_account=person.github_account,
            preferred_language="ja" if person.japanese else "en",
            date_joined=now
            - timedelta(days=rng.randint(30, 3 * 365), minutes=rng.randint(0, 1440)),
        )
        for person in people
    ]
    User.objects.bulk_create(users, batch_size=500)
    if users[0].pk is None:  # back-ends that do not return primary keys from bulk inserts
        by_nickname = User.objects.in_bulk([u.nickname for u in users], field_name="nickname")
        users = [by_nickname[u.nickname] for u in users]
    # Mandatory e-mail verification: every demo address counts as verified.
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users],
        batch_size=500,
    )
    return users
