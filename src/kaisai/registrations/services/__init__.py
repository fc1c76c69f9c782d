"""Every write of the registration core. See docs/registration.md for the rules."""

from kaisai.registrations.services.draws import draw_due_lotteries, draw_lottery, ensure_commitment
from kaisai.registrations.services.filling import replan, replan_upcoming, set_accept_limit
from kaisai.registrations.services.frames import create_frame, update_frame
from kaisai.registrations.services.organizers import (
    change_capacity,
    decide_application,
    nominate,
    set_organizer_note,
)
from kaisai.registrations.services.participants import (
    cancel_registration,
    change_frame,
    closed_to,
    move_registration,
    register,
)
from kaisai.registrations.services.speakers import propose_talk, seat_speaker
from kaisai.registrations.services.standby import (
    accept_standby,
    opt_in_standby,
    opt_out_standby,
)

__all__ = [
    "accept_standby",
    "cancel_registration",
    "change_capacity",
    "change_frame",
    "closed_to",
    "create_frame",
    "decide_application",
    "draw_due_lotteries",
    "draw_lottery",
    "ensure_commitment",
    "move_registration",
    "nominate",
    "opt_in_standby",
    "opt_out_standby",
    "propose_talk",
    "register",
    "replan",
    "replan_upcoming",
    "set_accept_limit",
    "seat_speaker",
    "set_organizer_note",
    "update_frame",
]
