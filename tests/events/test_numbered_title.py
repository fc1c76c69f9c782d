"""One helper gives an event's numbered title: "#5" is never said twice."""

import pytest

from kaisai.events.models import Event


@pytest.mark.parametrize(
    ("number", "title", "expected"),
    [
        (5, "Machine Learning Casual Talks #5", "Machine Learning Casual Talks #5"),
        (5, "第5回 機械学習勉強会", "第5回 機械学習勉強会"),
        (5, "Casual Talks", "#5 Casual Talks"),
        (5, "Casual Talks #50", "#5 Casual Talks #50"),
        (None, "Casual Talks", "Casual Talks"),
    ],
)
def test_numbered_title(number, title, expected):
    assert Event(number=number, title=title).numbered_title == expected


@pytest.mark.django_db
def test_pages_do_not_repeat_the_number(client, organizer):
    from tests.conftest import login
    from tests.factories import EventFactory, GroupFactory

    group = GroupFactory(owner=organizer)
    event = EventFactory(group=group, number=5, title="Machine Learning Casual Talks #5")
    login(client, organizer)
    for page in ("registrations", "messages"):
        url = f"/events/{event.pk}/manage/{page}/"
        html = client.get(url).content.decode()
        assert "#5 Machine Learning Casual Talks #5" not in html, url


@pytest.mark.django_db
def test_event_page_says_the_number_once(client, group):
    from tests.factories import EventFactory

    said = EventFactory(group=group, number=5, title="Machine Learning Casual Talks #5")
    assert 'class="event-number"' not in client.get(said.get_absolute_url()).content.decode()
    unsaid = EventFactory(group=group, number=6, title="Casual Talks")
    html = client.get(unsaid.get_absolute_url()).content.decode()
    assert '<span class="event-number">#6</span>' in html
