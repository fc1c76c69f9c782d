"""Figures of a simulation: per policy and population shape."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bench.fullrooms.policies import POLICIES
from bench.fullrooms.population import SHAPES
from bench.fullrooms.results import EventResult

TARGET_UTILISATION = 0.95
TARGET_OVERFLOW = 0.05


@dataclass
class Row:
    policy: str
    shape: str
    events: int
    utilisation: float  # mean of seated / seats
    ceiling: float  # mean of min(applicants who would come, seats) / seats
    overflow_share: float  # share of events with more arrivals than seats
    empty_per_event: float
    empty_total: int
    turned_away: int
    admitted: int
    accepted_per_event: float
    show_rate: float  # arrivals / accepted at the doors
    forecast_error: float | None  # mean (expected attendance - arrivals), where forecast

    @property
    def meets_target(self) -> bool:
        # Shares of whole seats and events: 684 of 720 seats is 95.0%, though 684 / 720 in
        # floating point is a hair below 0.95 — compare at a millionth.
        return (
            round(self.utilisation, 6) >= TARGET_UTILISATION
            and round(self.overflow_share, 6) <= TARGET_OVERFLOW
        )


def rows(results: Iterable[EventResult], *, skip_first: int = 0) -> list[Row]:
    groups: dict[tuple[str, str], list[EventResult]] = defaultdict(list)
    for result in results:
        if result.number >= skip_first:
            groups[(result.policy, result.shape)].append(result)
    out = []
    for policy in POLICIES:
        for shape in SHAPES:
            events = groups.get((policy, shape))
            if not events:
                continue
            n = len(events)
            forecasted = [e for e in events if "expected_attendance" in e.forecast]
            accepted = sum(e.accepted for e in events)
            out.append(
                Row(
                    policy=policy,
                    shape=shape,
                    events=n,
                    utilisation=sum(e.utilisation for e in events) / n,
                    ceiling=sum(min(e.comers, e.seats) / e.seats for e in events) / n,
                    overflow_share=sum(e.overflow for e in events) / n,
                    empty_per_event=sum(e.empty for e in events) / n,
                    empty_total=sum(e.empty for e in events),
                    turned_away=sum(e.standby_turned_away for e in events),
                    admitted=sum(e.standby_admitted for e in events),
                    accepted_per_event=accepted / n,
                    show_rate=sum(e.arrivals for e in events) / accepted if accepted else 0.0,
                    forecast_error=(
                        sum(e.forecast["expected_attendance"] - e.arrivals for e in forecasted)
                        / len(forecasted)
                        if forecasted
                        else None
                    ),
                )  # fmt: skip
            )
    return out


def markdown(table: list[Row]) -> str:
    lines = [
        "| policy | population | events | mean utilisation (ceiling) | events overflowing "
        "| empty seats / event (total) | standbys admitted / turned away | accepted / event "
        "| came / accepted | forecast − actual |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in table:
        error = "" if row.forecast_error is None else f"{row.forecast_error:+.1f}"
        standby = f"{row.admitted} / {row.turned_away}" if row.policy == "full" else "—"
        lines.append(
            f"| {POLICIES[row.policy]} | {row.shape} | {row.events} | "
            f"{row.utilisation:.1%} ({row.ceiling:.0%}) | {row.overflow_share:.1%} | "
            f"{row.empty_per_event:.1f} ({row.empty_total}) | {standby} | "
            f"{row.accepted_per_event:.1f} | {row.show_rate:.0%} | {error} |"
        )
    return "\n".join(lines)


def verdict(table: list[Row]) -> str:
    full = [row for row in table if row.policy == "full"]
    if not full:
        return "The full policy did not run in this build."
    lines = []
    for row in full:
        met = "met" if row.meets_target else "NOT met"
        line = (
            f"- {row.shape}: {met} (utilisation {row.utilisation:.1%} vs ≥ 95%, "
            f"overflowing {row.overflow_share:.1%} vs ≤ 5%)"
        )
        if row.ceiling < TARGET_UTILISATION:
            # no policy can seat more than the applicants who would come
            line += (
                f"; out of reach at this demand: the applicants who would come fill "
                f"{row.ceiling:.1%} of the seats, the policy reached "
                f"{row.utilisation / row.ceiling:.1%} of that"
            )
        lines.append(line)
    return "\n".join(lines)
