"""Signed one-click links: round trip, tampering, purpose, expiry at the event's end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing

from kaisai.notices import links
from kaisai.notices.enums import Answer
from tests.notices.reminder_helpers import end_event, make_setup


@pytest.fixture
def setup(group, organizer):
    return make_setup(group, organizer, accepted=1, waitlisted=0)


def test_cancel_token_names_its_registration(setup):
    registration = setup.accepted[0]
    token = links.cancel_token(registration.pk)
    assert links.registration_for_cancel(token) == registration


def test_cancel_url_is_absolute_and_carries_the_token(setup, settings):
    settings.BASE_URL = "https://kaisai.example"
    url = links.cancel_url(setup.accepted[0].pk)
    assert url.startswith("https://kaisai.example/mail/cancel/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert links.registration_for_cancel(token) == setup.accepted[0]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: "MTIz" + t[t.index(":") :],  # payload changed (another id), same signature
        lambda t: t[:10],  # truncated
        lambda t: "",
        lambda t: "x" * 500,
        lambda t: "not-a-token",
    ],
)
def test_tampered_cancel_token_is_invalid(setup, mangle):
    token = links.cancel_token(setup.accepted[0].pk)
    with pytest.raises(links.LinkInvalid):
        links.registration_for_cancel(mangle(token))


def test_tokens_are_bound_to_their_purpose(setup):
    registration = setup.accepted[0]
    with pytest.raises(links.LinkInvalid):
        links.registration_for_cancel(links.reconfirm_token(registration.pk, Answer.NO))
    with pytest.raises(links.LinkInvalid):
        links.registration_for_reconfirm(links.cancel_token(registration.pk))
    # signed with the site's key but another salt (e.g. another feature's token)
    with pytest.raises(links.LinkInvalid):
        links.registration_for_cancel(signing.dumps(registration.pk, salt="something-else"))


def test_token_of_an_unknown_registration_is_invalid(db):
    with pytest.raises(links.LinkInvalid):
        links.registration_for_cancel(links.cancel_token(987654))


def test_token_payload_must_be_an_id(db):
    with pytest.raises(links.LinkInvalid):
        links.registration_for_cancel(signing.dumps("12", salt=links.CANCEL_SALT))
    with pytest.raises(links.LinkInvalid):
        links.registration_for_cancel(signing.dumps(True, salt=links.CANCEL_SALT))


def test_token_is_valid_until_the_events_end(setup):
    registration = setup.accepted[0]
    token = links.cancel_token(registration.pk)
    ends_at = setup.event.ends_at
    assert links.registration_for_cancel(token, now=ends_at - timedelta(seconds=1))
    with pytest.raises(links.LinkExpired):
        links.registration_for_cancel(token, now=ends_at)
    end_event(setup.event)
    with pytest.raises(links.LinkExpired):
        links.registration_for_cancel(token)


def test_reconfirm_token_carries_the_answer(setup):
    registration = setup.accepted[0]
    for answer in Answer.values:
        token = links.reconfirm_token(registration.pk, answer)
        assert links.registration_for_reconfirm(token) == (registration, answer)
    assert links.reconfirm_token(registration.pk, Answer.YES) != links.reconfirm_token(
        registration.pk, Answer.NO
    )


def test_reconfirm_token_with_an_unknown_answer_is_invalid(setup):
    bad = signing.dumps([setup.accepted[0].pk, "maybe"], salt=links.RECONFIRM_SALT)
    with pytest.raises(links.LinkInvalid):
        links.registration_for_reconfirm(bad)
    with pytest.raises(links.LinkInvalid):
        links.registration_for_reconfirm(signing.dumps({"r": 1}, salt=links.RECONFIRM_SALT))


def test_reconfirm_token_expires_at_the_events_end(setup):
    token = links.reconfirm_token(setup.accepted[0].pk, Answer.YES)
    end_event(setup.event)
    with pytest.raises(links.LinkExpired):
        links.registration_for_reconfirm(token)
