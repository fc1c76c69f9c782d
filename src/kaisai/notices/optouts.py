"""Who switched which mail off (MailOptOut): one query for a whole list of recipients."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from kaisai.notices.models import MailOptOut


def opted_out_user_ids(user_ids: Iterable[int], *, kind: str, group=None) -> set[int]:
    """Those of `user_ids` who switched `kind` off everywhere or (with a group) for `group`."""
    ids = list(user_ids)
    if not ids:
        return set()
    scope = Q(group__isnull=True)
    if group is not None:
        scope |= Q(group=group)
    return set(
        MailOptOut.objects.filter(scope, user_id__in=ids, kind=kind).values_list(
            "user_id", flat=True
        )
    )


def is_opted_out(user, *, kind: str, group=None) -> bool:
    return bool(opted_out_user_ids([user.pk], kind=kind, group=group))
