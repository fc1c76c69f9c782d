"""Objects for the registration-rush benchmark (run by bench/rush/run.sh, not by the tests).

    setup_rush.py event                      -> prints EVENT_ID (a published event, +30 days)
    setup_rush.py frame EVENT_ID CAPACITY NAME -> prints FRAME_ID (first-come)
    setup_rush.py tokens PREFIX COUNT FILE   -> COUNT fresh users PREFIX0..., one token each,
                                                tokens written to FILE (one per line)

Runs with kaisai's settings (DATABASE_URL etc. from the environment).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from kaisai.accounts.services import create_api_tokens, create_users_without_password  # noqa: E402
from kaisai.events.enums import EventStatus  # noqa: E402
from kaisai.events.models import Event  # noqa: E402
from kaisai.groups.enums import Role  # noqa: E402
from kaisai.groups.models import Group, Organizer  # noqa: E402
from kaisai.registrations import services  # noqa: E402

BATCH = 5000


def organizer():
    users = create_users_without_password(nicknames=[f"benchorg{int(time.time() * 1000)}"])
    return users[0]


def make_event() -> Event:
    owner = organizer()
    group = Group.objects.create(slug=f"bench-{owner.pk}", title="Bench group")
    Organizer.objects.create(group=group, user=owner, role=Role.OWNER)
    starts = timezone.now() + timedelta(days=30)
    return Event.objects.create(
        group=group,
        title="Registration rush",
        status=EventStatus.PUBLISHED,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Bench hall",
    )


def make_frame(event_id: int, capacity: int, name: str) -> int:
    event = Event.objects.get(pk=event_id)
    owner = Organizer.objects.filter(group=event.group).first().user
    return services.create_frame(event=event, by=owner, capacity=capacity, name=name).pk


def make_tokens(prefix: str, count: int, path: str) -> None:
    with open(path, "w") as out:
        for start in range(0, count, BATCH):
            names = [f"{prefix}{i}" for i in range(start, min(start + BATCH, count))]
            users = create_users_without_password(nicknames=names)
            out.writelines(f"{key}\n" for _token, key in create_api_tokens(users=users))


def main(argv: list[str]) -> None:
    match argv:
        case ["event"]:
            print(make_event().pk)
        case ["frame", event_id, capacity, name]:
            print(make_frame(int(event_id), int(capacity), name))
        case ["tokens", prefix, count, path]:
            make_tokens(prefix, int(count), path)
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
