"""Demo data for the participants and members lists (docs/participants.md): about two people
in five chose to appear, as they would on a real site; the others, and the demo user (who can
try the choice), stay hidden and are only counted."""

from __future__ import annotations

import random

from kaisai.accounts.models import User

SHOWN_SHARE = 0.4


def choose_to_appear(rng: random.Random, crowd: list[User]) -> int:
    """Set `show_in_lists` on a deterministic share of the crowd; the number set."""
    shown = [user.pk for user in crowd if rng.random() < SHOWN_SHARE]
    User.objects.filter(pk__in=shown).update(show_in_lists=True)
    return len(shown)
