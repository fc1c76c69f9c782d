"""The fingerprint's digest (the page's key is made from it): two different tuples of parts never
give the same input to the hash (site/event_page_fingerprint.Fingerprint.digest). That the page
follows each kind of change through it is shown in test_event_page_cache.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kaisai.site.event_page_fingerprint import PARTS, Fingerprint, fingerprint

MOMENT = datetime(2026, 12, 7, tzinfo=UTC)


def shown(*parts: str | None) -> Fingerprint:
    return Fingerprint(parts=parts, status="published", instants=(MOMENT,), starts_at=MOMENT)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("ab", "c"), ("a", "bc")),  # the boundary between parts
        ((None, "[]"), ("", "[]")),  # no rows (NULL) is not an empty text
        ((None,), ("-",)),
        (("1:x",), ("x", None)),
        (("[1]", "[2]"), ("[2]", "[1]")),
        (("名前",), ("名 前",)),
        (("[]",), ("[]", None)),
    ],
)
def test_different_parts_give_different_digests(one, other):
    assert shown(*one).digest != shown(*other).digest


def test_the_same_parts_give_the_same_digest():
    assert shown("[1]", None, "説明").digest == shown("[1]", None, "説明").digest
    assert len(shown("[]").digest) == 20


@pytest.mark.django_db
def test_each_part_of_an_event_counts_in_its_digest(event, make_frame):
    make_frame(capacity=3)
    read = fingerprint(event.pk)
    assert read is not None and len(read.parts) == len(PARTS)
    for index in range(len(PARTS)):
        parts = list(read.parts)
        parts[index] = (parts[index] or "") + " "
        assert shown(*parts).digest != read.digest, list(PARTS)[index]


@pytest.mark.django_db
def test_a_row_read_again_gives_the_fingerprint_built_for_it_and_a_change_a_new_one(
    event, make_frame, monkeypatch
):
    from kaisai.site import event_page_fingerprint

    frame = make_frame(capacity=3)
    first = fingerprint(event.pk)
    assert fingerprint(event.pk) is first  # the same row: built once
    frame.capacity = 4
    frame.save()
    changed = fingerprint(event.pk)
    assert changed is not None and first is not None
    assert changed is not first and changed.digest != first.digest
    frame.capacity = 3
    frame.save()
    assert fingerprint(event.pk) is first  # the old state's row, the old fingerprint
    monkeypatch.setattr(event_page_fingerprint, "_BUILT", {})
    monkeypatch.setattr(event_page_fingerprint, "BUILT_MAX", 1)
    again = fingerprint(event.pk)
    assert again is not first and again == first  # built anew, equal
    assert fingerprint(event.pk + 999) is None
    assert len(event_page_fingerprint._BUILT) == 1  # bounded
