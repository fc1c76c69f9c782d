"""Who switched which mail off (MailOptOut): one query for a whole list of recipients, and
the two writes — one opt-out from an unsubscribe link, all of them from the settings page.

A row with a group switches a kind off for that group; a row without a group switches it off
everywhere. Mail a registration needs has no kind and cannot be switched off.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from kaisai.notices.models import MailOptOut

# (kind, group id or None): one switch of the settings page.
Scope = tuple[str, int | None]


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


def opt_outs_of(user) -> set[Scope]:
    """Everything `user` switched off, as (kind, group id or None)."""
    return set(MailOptOut.objects.filter(user=user).values_list("kind", "group_id"))


def opt_out(*, user_id: int, kind: str, group_id: int | None = None) -> None:
    """Switch `kind` off (for one group, or everywhere). Idempotent, also under a race: the
    INSERT is ON CONFLICT DO NOTHING against the partial unique constraints."""
    with transaction.atomic():
        MailOptOut.objects.bulk_create(
            [MailOptOut(user_id=user_id, kind=kind, group_id=group_id)], ignore_conflicts=True
        )


def save_opt_outs(*, user, managed: Iterable[Scope], off: Iterable[Scope]) -> None:
    """Make the switches in `managed` (the ones a settings page showed) match `off` (those
    left switched off), in one transaction. Rows outside `managed` stay as they are."""
    managed_set = set(managed)
    wanted = set(off) & managed_set
    with transaction.atomic():
        current = {
            (kind, group_id): pk
            for pk, kind, group_id in MailOptOut.objects.select_for_update()
            .filter(user=user)
            .values_list("pk", "kind", "group_id")
        }
        stale = [pk for scope, pk in current.items() if scope in managed_set - wanted]
        if stale:
            MailOptOut.objects.filter(pk__in=stale).delete()
        missing = [
            MailOptOut(user=user, kind=kind, group_id=group_id)
            for kind, group_id in wanted - set(current)
        ]
        MailOptOut.objects.bulk_create(missing, ignore_conflicts=True)
