"""Organizer messages and unsubscribe in a real browser, with mail through a real SMTP server:
the organizer previews and sends a message to the group's members; a member's mail carries
RFC 8058 headers; the header's URL works by a bare POST (as a mail provider sends it), and the
footer link opens a page whose button switches the messages off."""

from __future__ import annotations

import re
import time
from urllib.request import Request, urlopen

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import deliver_due_mail
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut, OrganizerMessage
from tests.factories import EventFactory, GroupFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.browser


def session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def wait_for(server, count: int, timeout: float = 10.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(server.inbox.messages) >= count:
            return server.inbox.messages
        time.sleep(0.05)
    raise AssertionError(f"expected {count} mails, got {len(server.inbox.messages)}")


def test_message_to_members_and_one_click_unsubscribe(
    page, context, live_server, smtp_server, settings, url
):
    settings.BASE_URL = live_server.url
    organizer = UserFactory(nickname="founder")
    group = GroupFactory(slug="mlct", title="Machine Learning Casual Talks", owner=organizer)
    event = EventFactory(group=group, title="MLCT #5")
    alice, bob = UserFactory(nickname="alice"), UserFactory(nickname="bob")
    for person in (alice, bob):
        MemberFactory(group=group, user=person)

    # The organizer writes, previews and sends.
    context.add_cookies([session_cookie(live_server, organizer)])
    page.goto(url(f"/events/{event.pk}/manage/messages/"))
    page.get_by_label("Group members").check()
    page.locator("#id_subject").fill("Call for LT speakers")
    page.locator("#id_body").fill("Apply for an **LT** slot!\n\n<script>alert(1)</script>")
    page.get_by_role("button", name="Preview and send").click()
    preview = page.locator(".message-preview")
    expect(preview).to_contain_text("To 2 people")
    expect(preview.locator(".markdown strong")).to_have_text("LT")
    assert preview.locator("script").count() == 0
    assert not OrganizerMessage.objects.exists()  # nothing is sent before the confirmation
    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.locator("h1")).to_have_text("Call for LT speakers")
    expect(page.locator(".count-pending")).to_have_text("2")

    # The worker delivers; the progress page shows it.
    assert deliver_due_mail() == 2
    mails = wait_for(smtp_server, 2)
    page.reload()
    expect(page.locator(".count-sent")).to_have_text("2")
    expect(page.locator("table.deliveries")).to_contain_text("Sent")

    by_person = {m["To"]: m for m in mails}
    alice_mail, bob_mail = by_person[alice.email], by_person[bob.email]
    assert bob_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The long header may be folded onto the next line: unfolded, it is exactly "<URL>".
    bracketed = re.fullmatch(r"<(\S+)>", bob_mail["List-Unsubscribe"].strip())
    assert bracketed is not None
    header_url = bracketed.group(1)
    assert header_url.startswith(live_server.url + "/mail/unsubscribe/")
    html = bob_mail.get_body(preferencelist=("html",)).get_content()
    assert "<strong>LT</strong>" in html and "<script>" not in html

    # Bob's mail provider: a bare POST, no cookies, no CSRF token.
    request = Request(
        header_url,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own live server
        assert response.status == 200
    assert MailOptOut.objects.filter(
        user=bob, group=group, kind=MailKind.ORGANIZER_MESSAGE
    ).exists()

    # Alice clicks the footer link in a browser without a session.
    text = alice_mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(live_server.url) + r"/mail/unsubscribe/[^\s]+/", text)
    assert link is not None, text
    context.clear_cookies()
    page.goto(link.group(0))
    expect(page.locator("main")).to_contain_text("Messages from organizers")
    assert not MailOptOut.objects.filter(user=alice).exists()  # GET changes nothing
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("main")).to_contain_text("You will no longer receive")
    assert MailOptOut.objects.filter(user=alice, group=group).count() == 1

    # The next message skips both.
    context.add_cookies([session_cookie(live_server, organizer)])
    page.goto(url(f"/events/{event.pk}/manage/messages/"))
    page.get_by_label("Group members").check()
    page.locator("#id_subject").fill("Again")
    page.locator("#id_body").fill("Anyone?")
    page.get_by_role("button", name="Preview and send").click()
    expect(page.locator("main")).to_contain_text("Nobody would receive this message")
    assert OrganizerMessage.objects.count() == 1
    assert OutboxMail.objects.filter(batch__startswith="message:").count() == 2
