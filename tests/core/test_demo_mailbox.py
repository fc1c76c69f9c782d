"""The demo mailbox at /demo-mail/: every mail, 50 a page, filtered by recipient."""

from __future__ import annotations

import pytest

from kaisai.core.models import DemoMail

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings):
    settings.DEMO_MAILBOX = True
    DemoMail.objects.bulk_create(
        [
            DemoMail(from_email="kaisai@test", to=f"person{n % 3}@mail.test",
                     subject=f"Mail number {n:03d}", body="Hello")
            for n in range(130)
        ]
    )  # fmt: skip


def subjects(html: str) -> list[str]:
    return [part.split("<")[0] for part in html.split("<h2>")[1:]]


def test_every_mail_is_reachable_page_by_page(client, mailbox):
    seen: list[str] = []
    page = 1
    while True:
        html = client.get("/demo-mail/", {"page": page}).content.decode()
        seen += subjects(html)
        if 'rel="next"' not in html:
            break
        page += 1
    assert len(seen) == 130 == len(set(seen))  # not only the latest 100


def test_filter_by_recipient(client, mailbox):
    html = client.get("/demo-mail/", {"to": "PERSON1@mail"}).content.decode()
    found = subjects(html)
    assert len(found) == 43
    assert "130 mails" not in html and "43 mails" in html
    assert all(int(subject.split()[-1]) % 3 == 1 for subject in found)
    assert client.get("/demo-mail/", {"to": "nobody@x"}).content.decode().count("<h2>") == 0


def test_no_mailbox_without_the_demo(client, settings):
    settings.DEMO_MAILBOX = False
    assert client.get("/demo-mail/").status_code == 404
