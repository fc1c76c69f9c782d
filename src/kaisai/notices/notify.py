"""Group notices (お知らせ): mail to the members of a group who have not switched the kind off."""

from __future__ import annotations

from typing import Any

from kaisai.core.outbox import queue_mail
from kaisai.groups.models import Member
from kaisai.notices.optouts import opted_out_user_ids


def notify_group_members(
    group, *, kind: str, template: str, context: dict[str, Any], key: str, exclude=()
) -> int:
    """Queue `template` to every member of `group` except opt-outs and `exclude` (users).
    `key` is the reason (e.g. "materials-12"); each member's mail key is f"{key}-{user_id}", so a
    repeated call sends nobody a second mail. Returns how many mails were queued."""
    members = [
        member.user
        for member in Member.objects.filter(group=group).select_related("user")
        if member.user.email
    ]
    skip = opted_out_user_ids((u.pk for u in members), kind=kind, group=group)
    skip |= {u.pk for u in exclude}
    count = 0
    for person in members:
        if person.pk in skip:
            continue
        queue_mail(
            key=f"{key}-{person.pk}",
            user=person,
            template=template,
            context=context,
            kind=kind,
            group=group,
        )
        count += 1
    return count
