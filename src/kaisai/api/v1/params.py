"""Bounded parameter types: ids and paging values the databases can hold (SQLite's INTEGER is
64-bit; larger numbers answer 422 instead of overflowing)."""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Query

MAX_ID = 2**62

ObjectId = Annotated[int, Path(ge=0, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
EventLimit = Annotated[int, Query(ge=1, le=100)]
LongLimit = Annotated[int, Query(ge=1, le=1000)]
OptionalId = Annotated[int | None, Query(ge=0, le=MAX_ID)]
