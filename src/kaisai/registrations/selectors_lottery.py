"""Recomputing a published lottery draw (for the public page and `kaisai verify-lottery`)."""

from __future__ import annotations

from dataclasses import dataclass

from kaisai.registrations import lottery
from kaisai.registrations.enums import Status
from kaisai.registrations.models import LotteryDraw, RegistrationLog


@dataclass
class Verification:
    draw: LotteryDraw
    commitment_ok: bool
    order_ok: bool
    outcome_ok: bool

    @property
    def ok(self) -> bool:
        return self.commitment_ok and self.order_ok and self.outcome_ok

    def lines(self) -> list[str]:
        return [
            f"frame {self.draw.frame_id}, algorithm {self.draw.algorithm}",
            f"commitment {self.draw.commitment}: {'matches' if self.commitment_ok else 'MISMATCH'}",
            f"seed {self.draw.seed}",
            f"{len(self.draw.applicants)} applicants, {len(self.draw.nominated)} nominated, "
            f"{self.draw.accepted} accepted",
            f"recomputed order: {'same' if self.order_ok else 'DIFFERENT'}",
            f"recorded outcome: {'consistent' if self.outcome_ok else 'INCONSISTENT'}",
        ]


def verification(frame_id: int) -> Verification | None:
    draw = LotteryDraw.objects.filter(frame_id=frame_id, drawn_at__isnull=False).first()
    if draw is None:
        return None
    commitment_ok = lottery.commitment(draw.seed) == draw.commitment
    order_ok = lottery.draw_order(draw.seed, draw.applicants, draw.nominated) == draw.order
    # What the draw did to each registration, from the audit log written in the same transaction.
    drawn = dict(
        RegistrationLog.objects.filter(
            frame_id=frame_id, reason__startswith="lottery:", registration_id__in=draw.applicants
        ).values_list("registration_id", "to_status")
    )
    expected = {
        rid: (Status.ACCEPTED if index < draw.accepted else Status.WAITLISTED)
        for index, rid in enumerate(draw.order)
    }
    outcome_ok = drawn == expected
    return Verification(draw, commitment_ok, order_ok, outcome_ok)
