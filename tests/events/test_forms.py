from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaisai.events.enums import VenueKind
from kaisai.events.forms import EventForm, SponsorFormSet
from kaisai.events.models import Event, Sponsor
from tests.events.conftest import big_image_upload, image_upload
from tests.factories import EventFactory, SponsorFactory


def form_data(**overrides) -> dict:
    data = {
        "title": "MLCT #5",
        "catch": "Casual talks",
        "description": "Talks.",
        "time_zone": "Asia/Tokyo",
        "starts_at": "2030-05-17T19:30",
        "ends_at": "2030-05-17T22:00",
        "venue_kind": VenueKind.OFFLINE,
        "place": "Sponsor Inc. 10F",
        "address": "",
        "prefecture": "tokyo",
        "latitude": "",
        "longitude": "",
        "stream_url": "",
        "hashtag": "",
        "participant_info": "",
        "afterparty_place": "",
        "afterparty_starts_at": "",
        "afterparty_fee": "",
    }
    data.update(overrides)
    return data


def bound(group, files=None, instance=None, **overrides) -> EventForm:
    return EventForm(form_data(**overrides), files or {}, instance=instance or Event(group=group))


def test_event_form_converts_tokyo_time_to_utc(group):
    form = bound(group, afterparty_starts_at="2030-05-17T22:15")
    assert form.is_valid(), form.errors
    fields = form.event_fields()
    assert fields["starts_at"] == datetime(2030, 5, 17, 10, 30, tzinfo=UTC)
    assert fields["ends_at"] == datetime(2030, 5, 17, 13, 0, tzinfo=UTC)
    assert fields["afterparty_starts_at"] == datetime(2030, 5, 17, 13, 15, tzinfo=UTC)


def test_event_form_uses_the_chosen_zone_not_the_site_zone(group):
    form = bound(
        group,
        time_zone="Europe/Berlin",
        starts_at="2030-07-01T19:00",
        ends_at="2030-07-01T21:00",
    )
    assert form.is_valid(), form.errors
    assert form.event_fields()["starts_at"] == datetime(2030, 7, 1, 17, 0, tzinfo=UTC)


def test_event_form_shows_stored_times_in_event_zone(event):
    form = EventForm(instance=event)
    html = str(form["starts_at"])
    assert 'type="datetime-local"' in html
    assert 'value="2030-05-17T19:30"' in html
    assert 'value="2030-05-17T22:00"' in str(form["ends_at"])


def test_event_form_rejects_nonexistent_local_time(group):
    # Clocks in Berlin jump from 02:00 to 03:00 on 31 March 2030.
    form = bound(
        group,
        time_zone="Europe/Berlin",
        starts_at="2030-03-31T02:30",
        ends_at="2030-03-31T05:00",
    )
    assert not form.is_valid()
    assert "starts_at" in form.errors


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2030-05-17T19:00"}, "ends_at"),
        ({"ends_at": "2030-05-17T19:30"}, "ends_at"),
        ({"starts_at": "not a date"}, "starts_at"),
        ({"afterparty_starts_at": "2030-05-17T18:00"}, "afterparty_starts_at"),
        ({"latitude": "91", "longitude": "139.7"}, "latitude"),
        ({"latitude": "35.6", "longitude": "-180.5"}, "longitude"),
        ({"latitude": "35.6"}, "longitude"),
        ({"place": ""}, "place"),
        ({"place": "", "venue_kind": VenueKind.HYBRID}, "place"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"title": ""}, "title"),
        ({"stream_url": "not a url at all"}, "stream_url"),
        ({"hashtag": "two words"}, "hashtag"),
    ],
)
def test_event_form_bad_input_gives_field_error(group, overrides, field):
    form = bound(group, **overrides)
    assert not form.is_valid()
    assert field in form.errors, form.errors
    assert not Event.objects.exists()


def test_event_form_online_event_needs_no_place(group):
    form = bound(group, place="", venue_kind=VenueKind.ONLINE, stream_url="https://yt.example/x")
    assert form.is_valid(), form.errors


def test_event_form_rounds_coordinates_to_six_places(group):
    form = bound(group, latitude="35.6580341234", longitude="139.7016358")
    assert form.is_valid(), form.errors
    assert form.event_fields()["latitude"] == Decimal("35.658034")


def test_event_form_strips_hash_from_hashtag(group):
    form = bound(group, hashtag="#mlct")
    assert form.is_valid(), form.errors
    assert form.event_fields()["hashtag"] == "mlct"


def test_event_form_accepts_image(group):
    form = bound(group, files={"image": image_upload()})
    assert form.is_valid(), form.errors
    assert form.event_fields()["image"].name == "banner.png"


def test_event_form_rejects_non_image(group):
    fake = SimpleUploadedFile("banner.png", b"<script>alert(1)</script>", "image/png")
    form = bound(group, files={"image": fake})
    assert not form.is_valid()
    assert "image" in form.errors


def test_event_form_rejects_image_over_5_mb(group):
    big = big_image_upload()
    assert big.size > 5 * 1024 * 1024
    form = bound(group, files={"image": big})
    assert not form.is_valid()
    assert "at most 5.0\xa0MB" in str(form.errors["image"])


def test_event_form_without_new_image_keeps_old_one(event):
    event.image = "events/old.png"
    event.save()
    form = bound(event.group, instance=event)
    assert form.is_valid(), form.errors
    assert "image" not in form.event_fields()


def sponsor_data(event, rows: list[dict], initial: int) -> dict:
    data = {
        "sponsors-TOTAL_FORMS": str(len(rows)),
        "sponsors-INITIAL_FORMS": str(initial),
        "sponsors-MIN_NUM_FORMS": "0",
        "sponsors-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"sponsors-{index}-{key}"] = value
    return data


def test_sponsor_formset_rejects_another_events_sponsor(event):
    foreign = SponsorFactory(event=EventFactory(), name="Not yours")
    data = sponsor_data(
        event,
        [{"id": str(foreign.pk), "name": "Hijacked", "url": "", "provides": "", "order": "0"}],
        initial=1,
    )
    formset = SponsorFormSet(data, {}, instance=event, prefix="sponsors")
    assert not formset.is_valid()
    foreign.refresh_from_db()
    assert foreign.name == "Not yours"
    assert foreign.event_id != event.pk


def test_sponsor_formset_rejects_bad_url_and_saves_nothing(event):
    data = sponsor_data(
        event, [{"name": "Co", "url": "nope nope", "provides": "", "order": "0"}], initial=0
    )
    formset = SponsorFormSet(data, {}, instance=event, prefix="sponsors")
    assert not formset.is_valid()
    assert "url" in formset.forms[0].errors
    assert not Sponsor.objects.exists()
