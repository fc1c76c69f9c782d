"""Bulk mail (core/bulkmail.py, core/bulkexpand.py): one row queued for many recipients,
expanded by the worker into ordinary outbox rows through the expander of its source, a chunk
per transaction, each recipient once."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kaisai.accounts.models import User
from kaisai.core import bulkexpand, bulkmail, outbox
from kaisai.core.models import BulkMail, OutboxMail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def greet(bulk: BulkMail, ids: Sequence[int]) -> int:
    """A test source's expander: `bulk.template` to the users `ids`, one queue_mail each."""
    written = 0
    for user in User.objects.filter(pk__in=ids).order_by("pk"):
        key = f"greet-{bulk.params['round']}-{user.pk}"
        if outbox.queue_mail(key=key, user=user, template=bulk.template, context={}):
            written += 1
    return written


@pytest.fixture
def greeting(monkeypatch):
    monkeypatch.setitem(bulkmail.expanders, "greet", greet)


def test_an_unknown_source_is_refused_and_no_ids_queue_nothing(greeting):
    with pytest.raises(LookupError):
        bulkmail.queue_bulk(source="nobody", template="t", ids=[1])
    assert bulkmail.queue_bulk(source="greet", template="t", ids=[]) is None
    assert not BulkMail.objects.exists()


def test_a_bulk_row_is_expanded_chunk_by_chunk_into_outbox_rows(greeting):
    people = [UserFactory() for _ in range(5)]
    bulk = bulkmail.queue_bulk(source="greet", template="greeting",
                               ids=[p.pk for p in people], params={"round": 1})  # fmt: skip
    assert bulk is not None and bulkmail.queued() == 5 and not OutboxMail.objects.exists()
    # A time budget spent: one chunk, the rest for the next call.
    assert bulkexpand.expand_bulk_mail(chunk=2, seconds=0) == 2
    bulk.refresh_from_db()
    assert (bulk.expanded, bulk.expanded_at) == (2, None)
    assert bulkexpand.expand_bulk_mail(chunk=2) == 3
    bulk.refresh_from_db()
    assert bulk.expanded == 5 and bulk.expanded_at is not None
    assert bulkexpand.expand_chunk(bulk.pk) is None  # done: nothing more
    rows = OutboxMail.objects.order_by("id")
    assert [m.recipient_id for m in rows] == [p.pk for p in people]
    assert {m.template for m in rows} == {"greeting"}
