"""What a token's user sees of their own: registrations across events."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from kaisai.accounts.requests import signed_in_user
from kaisai.api.auth import TOKEN_AUTH
from kaisai.api.v1.params import LongLimit, Offset
from kaisai.api.v1.registrations import registration_out
from kaisai.api.v1.schemas import RegistrationOut
from kaisai.registrations.models import Registration
from kaisai.registrations.selectors import with_waitlist_positions

router = Router(tags=["registrations"], auth=TOKEN_AUTH)


@router.get(
    "/me/registrations/", response=list[RegistrationOut], operation_id="list_my_registrations",
    summary="My registrations, latest event first",
)  # fmt: skip
def list_my_registrations(request: HttpRequest, limit: LongLimit = 50, offset: Offset = 0):
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    rows = (
        Registration.objects.filter(user=signed_in_user(request))
        .select_related("frame", "event")
        .order_by("-event__starts_at", "-id")[offset : offset + limit]
    )
    return [registration_out(r) for r in with_waitlist_positions(list(rows))]
