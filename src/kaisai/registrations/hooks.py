"""The registration core's extension points: how apps above it react to registrations.

Registrations import nothing of the apps built on them (check-in, talks, …). Those apps
connect plain, typed callables here, once, in their `AppConfig.ready()`; the registration
services call them inside the transaction of the change. No Django signals: the hooks are
listed here, and what runs is what the connected apps say in `ready()`.

- **Status listeners** — `connect_status_listener(listener)`; `listener(registration,
  from_status)` runs for every status change, inside its transaction, right after
  `services.audit.record` wrote the audit row (and so on every path: register, cancel, move,
  promotion, decision, nomination, draw). `from_status` is "" for a new registration.
  Check-in issues the ticket of an accepted registration here; talks keep an LT's state in
  step with its seat. With `many=part`, `part(frame, registration_ids, from_status)` does
  the same for many registrations of `frame` that changed status where they are (a lottery
  draw: `statuses_changed`), in the order given, in a few statements; a listener without it
  is called once per registration there.
- **Talk writer** — `connect_talk_writer(writer)`; `writer(registration, proposal, *,
  keep_seat)` writes the talk proposed with a registration to a speakers' frame
  (`Frame.requires_talk`), in the same transaction as the registration (talks connect it);
  with `keep_seat` the proposal of an attendee who keeps their seat elsewhere
  (`Frame.speakers_keep_seat`): a talk not tied to the registration.
  `check_talk(frame, user, proposal)` — the validator connected with it — runs before
  anything is written and raises
  `RegistrationError(code="talk_invalid")` for a bad proposal; `has_talk(registration)` — the
  third — says whether a registration already has its talk (a move back into a speakers'
  frame needs no new proposal).
- **The one-statement registration** (PostgreSQL, `services.onestatement`) writes a new
  registration in one SQL statement and calls no Python in between. So a status listener says,
  when connected, what it does for a new registration: `on_new=part` — `part(frame, source)`
  returns CTEs added to that statement, writing exactly what the listener would (check-in's
  ticket; tests compare both paths) — or `ignores_new=True` (talks: a new registration's talk
  is written by the talk writer, never on that path). While any listener says neither,
  `one_statement_ready()` is False and registrations take the ORM paths, which call it.
- **Accept planner** — `connect_accept_planner(planner)`; `planner(frame) -> int` is the
  number of people a frame in fill-the-room mode (`Frame.overbooking == "forecast"`) should
  accept. `services.replan` applies it through `set_accept_limit` (the forecast connects its
  planner in `ForecastConfig.ready()`). The most recently connected planner decides; without
  one, a frame accepts `capacity` people.
- **Speaker finder** — `connect_speaker_finder(finder)`; `finder(event_id, user_ids) ->
  set[int]` is those of `user_ids` who speak at the event in an accepted talk or one they
  were invited to (talks connect it). Their registration gets a speaker seat: accepted
  whatever the capacity, first in a draw, never waitlisted (`services.speakers`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaisai.accounts.models import User
    from kaisai.registrations.models import Frame, Registration
    from kaisai.registrations.proposals import TalkProposal

StatusListener = Callable[["Registration", str], object]
TalkWriter = Callable[..., object]  # writer(registration, proposal, *, keep_seat: bool)
TalkChecker = Callable[["Frame", "User", "TalkProposal"], object]
TalkFinder = Callable[["Registration"], bool]
# part(frame, source) → [(cte sql, params)], `source` being the CTE that returns the new
# registration's (id, status, event_id) after the registration's INSERT.
StatementPart = Callable[["Frame", str], list[tuple[str, list]]]
AcceptPlanner = Callable[["Frame"], int]
# part(frame, registration_ids, from_status): a status listener for many registrations at once.
ManyListener = Callable[["Frame", Sequence[int], str], object]
SpeakerFinder = Callable[[int, Iterable[int]], set[int]]

status_listeners: list[StatusListener] = []
talk_writers: list[TalkWriter] = []
talk_checkers: list[TalkChecker] = []
talk_finders: list[TalkFinder] = []
statement_parts: list[StatementPart] = []
_listeners_needing_python: list[StatusListener] = []
accept_planners: list[AcceptPlanner] = []
speaker_finders: list[SpeakerFinder] = []
many_parts: dict[StatusListener, ManyListener] = {}


def _connect(hooks: list, function: Callable) -> None:
    if function not in hooks:  # ready() may run more than once (tests, reloads)
        hooks.append(function)


def connect_status_listener(
    listener: StatusListener,
    *,
    on_new: StatementPart | None = None,
    ignores_new: bool = False,
    many: ManyListener | None = None,
) -> None:
    _connect(status_listeners, listener)
    if many is not None:
        many_parts[listener] = many
    if on_new is not None:
        _connect(statement_parts, on_new)
    if on_new is None and not ignores_new:
        _connect(_listeners_needing_python, listener)


def one_statement_ready() -> bool:
    """Whether every status listener can follow the one-statement registration."""
    return not _listeners_needing_python


def connect_talk_writer(writer: TalkWriter, *, check: TalkChecker, exists: TalkFinder) -> None:
    _connect(talk_writers, writer)
    _connect(talk_checkers, check)
    _connect(talk_finders, exists)


def status_changed(registration: Registration, from_status: str) -> None:
    for listener in status_listeners:
        listener(registration, from_status)


def statuses_changed(
    frame: Frame,
    registration_ids: Sequence[int],
    from_status: str,
    *,
    load: Callable[[Sequence[int]], dict[int, Registration]],
) -> None:
    """`status_changed` for many registrations of `frame`, changed in place, in the order
    given: each listener's `many` part, or the listener once per registration (`load` gives
    the registrations by id)."""
    loaded: dict[int, Registration] | None = None
    for listener in status_listeners:
        part = many_parts.get(listener)
        if part is not None:
            part(frame, registration_ids, from_status)
            continue
        loaded = load(registration_ids) if loaded is None else loaded
        for registration_id in registration_ids:
            listener(loaded[registration_id], from_status)


def check_talk(frame: Frame, user: User, proposal: TalkProposal) -> None:
    for check in talk_checkers:
        check(frame, user, proposal)


def has_talk(registration: Registration) -> bool:
    return any(exists(registration) for exists in talk_finders)


def write_talk(
    registration: Registration, proposal: TalkProposal, *, keep_seat: bool = False
) -> None:
    """`keep_seat`: the proposal of someone who stays in their frame (a speakers' frame with
    `speakers_keep_seat`): the talk is not tied to the registration's seat."""
    if not talk_writers:
        raise RuntimeError("No talk writer is connected (is kaisai.talks installed?)")
    for writer in talk_writers:
        writer(registration, proposal, keep_seat=keep_seat)


def connect_accept_planner(planner: AcceptPlanner) -> None:
    _connect(accept_planners, planner)


def disconnect_accept_planner(planner: AcceptPlanner) -> None:
    """Remove a planner (tests connect a stand-in and remove it after)."""
    if planner in accept_planners:
        accept_planners.remove(planner)


def planned_accept(frame: Frame) -> int | None:
    """The connected planner's number of people to accept for `frame`, or None without one."""
    if not accept_planners:
        return None
    return int(accept_planners[-1](frame))


def connect_speaker_finder(finder: SpeakerFinder) -> None:
    _connect(speaker_finders, finder)


def speakers_among(event_id: int, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who hold a speaker seat at the event (no query without users)."""
    ids = [user_id for user_id in user_ids if user_id is not None]
    if not ids or not speaker_finders:
        return set()
    found: set[int] = set()
    for finder in speaker_finders:
        found |= set(finder(event_id, ids))
    return found
