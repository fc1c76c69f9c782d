"""Delivery through a real SMTP server: the HTML part, a stable Message-ID, the unsubscribe
headers, permanent (5xx) and temporary (4xx) refusals, one connection per batch."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.core import outbox
from kaisai.core.models import OutboxMail, UndeliverableAddress
from kaisai.core.selectors_mail import undeliverable_emails
from kaisai.notices.unsubscribe import unsubscribe_headers
from kaisai.registrations import services
from tests.conftest import login, serve_mail_with
from tests.core.smtp_counting import CountingSmtpServer
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings) -> Iterator[CountingSmtpServer]:
    yield from serve_mail_with(settings, CountingSmtpServer())


@pytest.fixture
def registration(group, organizer):
    frame = services.create_frame(event=EventFactory(group=group), by=organizer, capacity=5,
                                  name="General")  # fmt: skip
    registration = services.register(frame=frame, user=UserFactory())
    OutboxMail.objects.all().delete()
    return registration


def queue(person, registration, key: str, **extra) -> None:
    outbox.queue_mail(key=key, user=person, template="registration_received",
                      context={"registration": registration}, **extra)  # fmt: skip


def later():
    return timezone.now() + timedelta(hours=2)


def test_mail_has_a_plain_text_and_an_html_part(smtp, registration):
    person = UserFactory(display_name="Ann <b>& Co</b>")
    queue(person, registration, "html-1")
    assert outbox.deliver_due_mail() == 1
    message = smtp.inbox.messages[0]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert registration.event.title in text and registration.event.title in html
    assert html.lstrip().startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "Hello Ann <b>& Co</b>," in text  # plain text is not HTML-escaped
    assert "Ann &lt;b&gt;&amp; Co&lt;/b&gt;" in html, html  # and nothing of it turns into markup
    link = "http://127.0.0.1:8000" + reverse(
        "registrations:mine", kwargs={"pk": registration.event_id}
    )
    assert f'<a href="{link}' in html, html  # links are clickable
    stored = OutboxMail.objects.get()
    assert stored.html_body.split() == html.split()


def test_text_to_html_escapes_and_links():
    html = outbox.text_to_html("<script>x</script> & see https://example.com/a?b=1\nnext line")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert '<a href="https://example.com/a?b=1" rel="nofollow">' in html
    assert "<br>" in html


def test_an_html_template_is_used_when_it_exists(smtp, settings, tmp_path, registration):
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "custom.subject.txt").write_text("Custom subject")
    (tmp_path / "mail" / "custom.txt").write_text("Plain {{ user.nickname }}")
    (tmp_path / "mail" / "custom.html").write_text(
        '{% extends "mail/_base.html" %}{% block content %}<h1>Hi {{ user.nickname }}</h1>'
        "{% endblock %}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    person = UserFactory(nickname="tmpl")
    outbox.queue_mail(key="custom-1", user=person, template="custom", context={})
    assert outbox.deliver_due_mail() == 1
    message = smtp.inbox.messages[0]
    assert message.get_body(("plain",)).get_content().strip() == "Plain tmpl"
    assert "<h1>Hi tmpl</h1>" in message.get_body(("html",)).get_content()


def test_message_id_is_derived_from_the_key_and_kept_across_retries(smtp, registration):
    person = UserFactory()
    smtp.inbox.deferred.add(person.email)
    queue(person, registration, "mid-1")
    assert outbox.deliver_due_mail() == 0  # 450: try again later
    mail = OutboxMail.objects.get()
    assert (mail.state, mail.attempts) == ("pending", 1) and "450" in mail.last_error
    assert not UndeliverableAddress.objects.exists()  # 4xx is not permanent
    smtp.inbox.deferred.clear()
    assert outbox.deliver_due_mail(now=later()) == 1
    expected = f"<{hashlib.sha256(b'mid-1').hexdigest()[:32]}@127.0.0.1>"
    assert outbox.message_id("mid-1") == expected
    assert smtp.inbox.message_ids("mid-1") == [expected]
    assert smtp.inbox.messages[0]["X-Kaisai-Key"] == "mid-1"


def test_mail_a_registration_needs_has_no_unsubscribe_headers(smtp, registration):
    queue(UserFactory(), registration, "kindless-1")
    mail = OutboxMail.objects.get()
    assert unsubscribe_headers(mail) == {}
    assert outbox.deliver_due_mail() == 1
    message = smtp.inbox.messages[0]
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


def test_whatever_unsubscribe_headers_gives_is_sent(smtp, registration, group):
    queue(UserFactory(), registration, "kind-1", kind="organizer_message", group=group)
    expected = unsubscribe_headers(OutboxMail.objects.get())
    assert outbox.deliver_due_mail() == 1
    message = smtp.inbox.messages[0]
    for name, value in expected.items():
        assert str(message[name]).strip() == value
    assert expected  # a kind of mail one may switch off carries List-Unsubscribe


def test_permanent_refusal_fails_the_mail_and_marks_the_address(smtp, registration, settings):
    settings.KAISAI_MAIL_SMTP_CONNECTIONS = 1  # so that the peers below show the one connection
    good, bad, after = UserFactory(), UserFactory(email="Gone@Example.com"), UserFactory()
    smtp.inbox.refused.add("gone@example.com")
    queue(good, registration, "p-good")
    queue(bad, registration, "p-bad")
    queue(after, registration, "p-after")
    assert outbox.deliver_due_mail() == 2
    failed = OutboxMail.objects.get(key="p-bad")
    assert (failed.state, failed.attempts) == ("failed", 1) and "550" in failed.last_error
    address = UndeliverableAddress.objects.get()
    assert (address.email, address.failures) == ("gone@example.com", 1)
    assert "550" in address.reason
    assert set(smtp.inbox.keys()) == {"p-good", "p-after"}
    assert len(set(smtp.inbox.peers)) == 1  # the refusal did not cost the connection

    # The next mail to that address is failed without asking the server.
    queue(bad, registration, "p-bad-2")
    assert outbox.deliver_due_mail() == 0
    assert OutboxMail.objects.get(key="p-bad-2").state == "failed"
    assert smtp.inbox.rcpt_tried["gone@example.com"] == 1


def test_repeated_refusals_count_failures():
    outbox.mark_undeliverable("x@example.com", "550 one")
    outbox.mark_undeliverable("X@example.com ", "550 two")
    address = UndeliverableAddress.objects.get()
    assert (address.email, address.failures, address.reason) == ("x@example.com", 2, "550 two")


@pytest.mark.parametrize("connections", [1, 2])
def test_a_batch_uses_its_connections_only(smtp, registration, settings, connections):
    """One connection per configured KAISAI_MAIL_SMTP_CONNECTIONS for the whole batch, not
    one per mail."""
    settings.KAISAI_MAIL_SMTP_CONNECTIONS = connections
    for index, person in enumerate(UserFactory.create_batch(20)):
        queue(person, registration, f"conn-{index}")
    assert outbox.deliver_due_mail() == 20
    assert smtp.inbox.count == 20 and 1 <= len(set(smtp.inbox.peers)) <= connections


def test_a_broken_template_does_not_block_the_queue(smtp, registration):
    outbox.queue_mail(key="broken", user=UserFactory(), template="no_such_mail", context={})
    queue(UserFactory(), registration, "fine")
    assert outbox.deliver_due_mail() == 1
    broken = OutboxMail.objects.get(key="broken")
    assert (broken.state, broken.attempts) == ("pending", 1)
    assert "TemplateDoesNotExist" in broken.last_error
    assert broken.next_attempt_at > timezone.now()


def test_gives_up_after_max_attempts(smtp, registration):
    person = UserFactory()
    smtp.inbox.deferred.add(person.email)
    queue(person, registration, "many")
    OutboxMail.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)
    assert outbox.deliver_due_mail() == 0
    assert OutboxMail.objects.get().state == "failed"


def test_undeliverable_emails_in_one_query(django_assert_num_queries):
    people = UserFactory.create_batch(5)
    outbox.mark_undeliverable(people[1].email.upper(), "550")
    with django_assert_num_queries(1):
        assert undeliverable_emails(people) == {people[1].email.lower()}
    with django_assert_num_queries(0):
        assert undeliverable_emails([]) == set()


def test_organizers_see_undeliverable_addresses_on_the_registrations_list(
    client, organizer, registration, django_assert_max_num_queries
):
    others = UserFactory.create_batch(3)
    for person in others:
        services.register(frame=registration.frame, user=person)
    outbox.mark_undeliverable(others[0].email, "550 no such user")
    url = reverse("registrations:registrations", kwargs={"pk": registration.event_id})
    login(client, organizer)
    response = client.get(url)
    html = response.content.decode()
    assert html.count("Mail undeliverable") == 1
    row = html[html.index(f"@{others[0].nickname}") :]
    assert row.index("Mail undeliverable") < row.index("</tr>")
    for person in UserFactory.create_batch(10):
        services.register(frame=registration.frame, user=person)
        outbox.mark_undeliverable(person.email, "550")
    with django_assert_max_num_queries(40) as captured:
        client.get(url)
    few = len(captured)
    for person in UserFactory.create_batch(10):
        services.register(frame=registration.frame, user=person)
    with django_assert_max_num_queries(few) as _:
        assert client.get(url).content.decode().count("Mail undeliverable") == 11


def test_full_batches_follow_each_other_over_one_connection(smtp, registration, settings):
    """The worker's call goes on while mail is due (one batch of `limit` per tick capped the
    worker at limit / KAISAI_MAIL_POLL_SECONDS mails per second)."""
    for index, person in enumerate(UserFactory.create_batch(25)):
        queue(person, registration, f"more-{index}")
    assert outbox.deliver_due_mail(limit=10) == 25
    connections = settings.KAISAI_MAIL_SMTP_CONNECTIONS  # the same ones for every chunk
    assert smtp.inbox.count == 25 and len(set(smtp.inbox.peers)) <= connections
    assert outbox.deliver_due_mail(limit=10, seconds=0) == 0


def test_a_call_stops_after_its_seconds(smtp, registration):
    for index, person in enumerate(UserFactory.create_batch(6)):
        queue(person, registration, f"budget-{index}")
    assert outbox.deliver_due_mail(limit=2, seconds=0) == 2  # one batch, then the budget
    assert outbox.deliver_due_mail(limit=2) == 4


def test_an_address_refused_in_a_batch_is_not_tried_again_in_it(smtp, registration):
    bad = UserFactory(email="Gone@example.com")
    smtp.inbox.refused.add("gone@example.com")
    queue(bad, registration, "r-1")
    queue(UserFactory(), registration, "r-ok")
    queue(bad, registration, "r-2")
    assert outbox.deliver_due_mail() == 1
    assert smtp.inbox.rcpt_tried["gone@example.com"] == 1
    assert OutboxMail.objects.get(key="r-2").last_error == "undeliverable address: not tried"


def test_a_chunk_costs_the_same_queries_whatever_its_size(smtp, registration):
    """Every mail refers to the same registration: it is read once for the call; the chunk is
    read, claimed and marked sent by statements per chunk, not per mail (it was six queries
    per mail: a transaction, SELECT … FOR UPDATE, a savepoint around rendering, the UPDATE)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int, prefix: str) -> int:
        for index, person in enumerate(UserFactory.create_batch(count)):
            queue(person, registration, f"{prefix}-{index}")
        with CaptureQueriesContext(connection) as captured:
            assert outbox.deliver_due_mail() == count
        return len(captured)

    assert queries_for(9, "many") == queries_for(3, "few")
