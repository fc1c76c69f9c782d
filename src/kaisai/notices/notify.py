"""Group notices (お知らせ): mail to the members of a group who have not switched the kind off,
and `queue_mails`, which queues one mail to many people in a few statements.

Each recipient's mail is the row `kaisai.core.outbox.mail_row` builds (as `queue_mail` does,
with the same ON CONFLICT DO NOTHING on the unique key), but inserted in bulk: the number of
queries does not grow with the number of recipients.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.core.models import OutboxMail
from kaisai.core.outbox import context_refs, mail_row
from kaisai.notices.optouts import opted_out_user_ids
from kaisai.notices.unsubscribe import unsubscribe_url


def queue_mails(
    recipients: Sequence[User],
    *,
    key: Callable[[User], str],
    template: str,
    context: dict[str, Any],
    kind: str = "",
    group=None,
    batch: str = "",
) -> int:
    """Queue `template` to each of `recipients` (people without an address are skipped).

    `key(user)` is each mail's unique key: a key queued before is left alone, so a repeated
    call sends nobody a second mail. Mails of a `kind` carry their recipient's
    `unsubscribe_url` in the context (for the footer; the headers come from the outbox).
    Returns how many mails were newly queued. Three queries at most, whatever the count
    (SQLite splits a big INSERT into several)."""
    people = [person for person in recipients if person.email]
    keys = {person.pk: key(person) for person in people}
    if not keys:
        return 0
    existing = set(
        OutboxMail.objects.filter(key__in=list(keys.values())).values_list("key", flat=True)
    )
    shared = context_refs(context)
    now = timezone.now()
    group_id = group.pk if group is not None else None
    rows = []
    for person in people:
        if keys[person.pk] in existing:
            continue
        mail_context = dict(shared)
        if kind:
            mail_context["unsubscribe_url"] = unsubscribe_url(person.pk, kind, group_id)
        rows.append(
            mail_row(
                key=keys[person.pk],
                user=person,
                template=template,
                context=mail_context,
                kind=kind,
                group_id=group_id,
                batch=batch,
                now=now,
            )  # fmt: skip
        )
    # ON CONFLICT DO NOTHING: a concurrent caller that queued the same key first wins.
    OutboxMail.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _ids(people: Iterable[Any]) -> set[int]:
    return {person if isinstance(person, int) else person.pk for person in people}


def notify_group_members(
    group, *, kind: str, template: str, context: dict[str, Any], key: str, exclude=()
) -> int:
    """Queue `template` to every member of `group` except opt-outs and `exclude` (users or
    user ids). `key` is the reason (e.g. "materials-12"); each member's mail key is
    f"{key}-{user_id}", so a repeated call sends nobody a second mail. The mail context gets
    each member's `unsubscribe_url`. Returns how many mails were newly queued.

    Queries: members, opt-outs, existing keys, the INSERT — the same for 2 or 2000 members."""
    recipients = group_notice_recipients(group, kind=kind, exclude=exclude)
    return queue_mails(
        recipients,
        key=lambda person: f"{key}-{person.pk}",
        template=template,
        context=context,
        kind=kind,
        group=group,
    )


def group_notice_recipients(group, *, kind: str, exclude=(), key: str = "") -> list[User]:
    """The members of `group` a group notice of `kind` goes to: active, with an address,
    not in `exclude` and not opted out. With `key`, those who already got that notice are
    left out too (what a confirmation page shows). Two or three queries."""
    members = list(
        User.objects.filter(memberships__group=group, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    skip = opted_out_user_ids((person.pk for person in members), kind=kind, group=group)
    skip |= _ids(exclude)
    if key:
        sent = OutboxMail.objects.filter(key__in=[f"{key}-{p.pk}" for p in members])
        skip |= set(sent.values_list("recipient_id", flat=True))
    return [person for person in members if person.pk not in skip]
