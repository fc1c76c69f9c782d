"""The verifiable lottery (抽選): pure functions, no database.

Before the draw the frame publishes `commitment = SHA-256(seed)`. The draw orders applicants by
`SHA-256(seed + ":" + registration id)`, nominated applicants first; the first `free seats`
are accepted and the rest waitlisted in that order. Afterwards seed, algorithm and order are
published, so anyone can recompute the order. Each applicant's key depends only on the seed and
its own id, so removing one applicant never changes the relative order of the others.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

ALGORITHM = "sha256-v1"


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def sort_key(seed: str, applicant_id: int) -> str:
    return hashlib.sha256(f"{seed}:{applicant_id}".encode()).hexdigest()


def draw_order(seed: str, applicants: Iterable[int], nominated: Iterable[int] = ()) -> list[int]:
    nominated_set = set(nominated)
    return sorted(
        set(applicants), key=lambda rid: (rid not in nominated_set, sort_key(seed, rid), rid)
    )


def verify(
    *,
    seed: str,
    published_commitment: str,
    algorithm: str,
    applicants: Iterable[int],
    nominated: Iterable[int],
    order: list[int],
) -> bool:
    """Recompute a published draw: the seed matches its commitment and gives the same order."""
    if algorithm != ALGORITHM:
        return False
    if not hmac.compare_digest(commitment(seed), published_commitment):
        return False
    return draw_order(seed, applicants, nominated) == list(order)
