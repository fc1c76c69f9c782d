"""The lottery draw's mails as bulk mail (services/drawmails.py, core/bulkmail.py): the draw
queues one row per batch and outcome; the worker's expansion writes the outbox rows the draw
wrote itself before (same key, address, language, template, context: the same mail), in
chunks that resume after a crash, each person once; the ordinary sending path sends them."""

from __future__ import annotations

import pytest
from django.db import transaction

from kaisai.core import bulkexpand, outbox
from kaisai.core.models import BulkMail, OutboxMail
from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Registration, RegistrationLog
from kaisai.registrations.services import drawrows
from kaisai.registrations.services.audit import mail_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(make_frame, people):
    """A drawn lottery frame of 2 seats and 7 applicants (two in Japanese), its mails queued
    as bulk rows of batches of 3 and not yet expanded."""
    frame = make_frame(capacity=2, method=Method.LOTTERY)
    for index, person in enumerate(people(7)):
        if index % 3 == 0:
            person.preferred_language = "ja"
            person.save(update_fields=["preferred_language"])
        services.register(frame=frame, user=person)
    OutboxMail.objects.all().delete()
    drawrows.BATCH, batch = 3, drawrows.BATCH
    try:
        services.draw_lottery(frame=frame, force=True)
    finally:
        drawrows.BATCH = batch
    return frame


def expected_mails(frame) -> dict[str, OutboxMail]:
    """What the draw queued before bulk mail, per key: `audit.record`'s `queue_mail` row for
    each draw audit row, rendered."""
    mails = {}
    logs = RegistrationLog.objects.filter(frame=frame, reason__startswith="lottery:")
    for log in logs.select_related("registration__user"):
        registration = log.registration
        won = log.to_status == Status.ACCEPTED
        mail = outbox.mail_row(
            key=mail_key(registration.pk, log.pk), user=registration.user,
            template="lottery_won" if won else "lottery_waitlisted",
            context=outbox.context_refs({"registration": registration}),
        )  # fmt: skip
        mail.subject, mail.body, mail.html_body = outbox.render_all(mail)
        mails[mail.key] = mail
    return mails


def test_the_expanded_mails_are_the_ones_the_draw_queued_before(drawn, smtp_server):
    assert not OutboxMail.objects.exists()
    assert BulkMail.objects.count() == 4  # [won, won, wait] [wait ×3] [wait]: 2 + 1 + 1
    expected = expected_mails(drawn)
    assert bulkexpand.expand_bulk_mail() == 7
    assert outbox.deliver_due_mail() == 7
    sent = {mail.key: mail for mail in OutboxMail.objects.all()}
    assert sent.keys() == expected.keys()
    for key, mail in sent.items():
        before = expected[key]
        assert (mail.to_email, mail.recipient_id, mail.language, mail.template, mail.context) == (
            before.to_email, before.recipient_id, before.language, before.template,
            before.context,
        )  # fmt: skip
        assert (mail.subject, mail.body, mail.html_body) == (
            before.subject, before.body, before.html_body,
        )  # fmt: skip
        assert (mail.state, mail.kind, mail.batch, mail.group_id) == ("sent", "", "", None)
    received = {(m["To"], m["Subject"].strip()) for m in smtp_server.inbox.messages}
    assert received == {(m.to_email, m.subject) for m in expected.values()}
    assert {m.language for m in sent.values()} == {"ja", "en"}


def test_the_expansion_resumes_after_a_crash_and_queues_each_mail_once(drawn):
    first = next(bulk for bulk in BulkMail.objects.order_by("id") if len(bulk.ids) == 3)
    assert bulkexpand.expand_chunk(first.pk, chunk=2) == 2
    first.refresh_from_db()
    assert first.expanded == 2 and first.expanded_at is None

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():  # the next chunk's transaction dies
        bulkexpand.expand_chunk(first.pk, chunk=2)
        raise Crash
    first.refresh_from_db()
    assert first.expanded == 2 and OutboxMail.objects.count() == 2
    assert bulkexpand.expand_bulk_mail(chunk=2) == 5  # resumes: the other five
    assert not BulkMail.objects.filter(expanded_at__isnull=True).exists()
    # Even with its progress lost, a bulk row expanded again queues nobody twice.
    BulkMail.objects.update(expanded=0, expanded_at=None)
    assert bulkexpand.expand_bulk_mail() == 0
    assert OutboxMail.objects.count() == 7
    assert OutboxMail.objects.values("recipient").distinct().count() == 7
    assert set(OutboxMail.objects.values_list("key", flat=True)) == expected_mails(drawn).keys()


def test_a_winner_cancelling_before_the_expansion_still_gets_the_draw_mail_first(
    drawn, smtp_server
):
    """As a queued, unsent draw mail always was: the mail of the draw's outcome is sent,
    then the later mails, in the order things happened (the promoted person hears of the
    waitlist before the seat)."""
    winner = Registration.objects.filter(frame=drawn, status=Status.ACCEPTED).first()
    assert winner is not None
    services.cancel_registration(registration=winner, by=winner.user)
    promoted = Registration.objects.get(frame=drawn, status=Status.ACCEPTED, pk__gt=0,
                                        log__from_status=Status.WAITLISTED)  # fmt: skip
    bulkexpand.expand_bulk_mail()
    outbox.deliver_due_mail()
    to = {winner.user.email: [], promoted.user.email: []}
    for message in smtp_server.inbox.messages:
        to.get(message["To"], []).append(message["X-Kaisai-Key"])
    templates = dict(OutboxMail.objects.values_list("key", "template"))
    assert [templates[key] for key in to[winner.user.email]] == [
        "lottery_won", "registration_cancelled",
    ]  # fmt: skip
    assert [templates[key] for key in to[promoted.user.email]][:2] == [
        "lottery_waitlisted", "registration_promoted",
    ]  # fmt: skip
