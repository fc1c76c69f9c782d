"""The gate of /api/v2/: API keys (401), the per-key rate limit (429), methods, paths, 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from kaisai.accounts.models import User
from kaisai.accounts.services import create_api_token
from kaisai.api.v2 import ratelimit
from kaisai.api.v2.ratelimit import Rate, parse_rate
from tests.api.v2.conftest import V2Client
from tests.api.v2.factories import past_event
from tests.factories import GroupFactory, MemberFactory, UserFactory

ALL_PATHS = [
    "/api/v2/events/",
    "/api/v2/events/{event}/presentations/",
    "/api/v2/groups/",
    "/api/v2/users/",
    "/api/v2/users/{nickname}/groups/",
    "/api/v2/users/{nickname}/attended_events/",
    "/api/v2/users/{nickname}/presenter_events/",
]


@pytest.fixture
def world(db):
    person = UserFactory(nickname="haru860")
    group = GroupFactory(slug="bpstudy", owner=person)
    MemberFactory(group=group, user=person)
    event = past_event(group=group)
    return {"event": event.pk, "nickname": person.nickname}


@pytest.mark.parametrize("template", ALL_PATHS)
@pytest.mark.parametrize("slash", [True, False])
def test_every_endpoint_answers_with_and_without_trailing_slash(v2, world, template, slash):
    path = template.format(**world)
    if not slash:
        path = path.rstrip("/")
    response = v2.get(path)
    assert response.status_code == 200, path
    body = response.json()
    assert list(body)[:3] == ["results_returned", "results_available", "results_start"]


@pytest.mark.parametrize("template", ALL_PATHS)
def test_every_endpoint_wants_an_api_key(world, template):
    response = V2Client(None).get(template.format(**world))
    assert response.status_code == 401
    assert response.json() == {
        "detail": "A valid API key is required in X-API-Key.",
        "reason": "unauthorized",
    }


def test_a_wrong_key_is_401(world):
    response = V2Client("CPaVAKNa.not-a-real-key").get("/api/v2/events/")
    assert response.status_code == 401
    assert response.json()["reason"] == "unauthorized"


def test_the_key_of_a_deactivated_user_is_401(world, reader, api_key):
    User.objects.filter(pk=reader.pk).update(is_active=False)
    assert V2Client(api_key).get("/api/v2/events/").status_code == 401


def test_a_bearer_token_is_not_the_connpass_way(world, api_key):
    response = V2Client(None).get("/api/v2/events/", HTTP_AUTHORIZATION=f"Bearer {api_key}")
    assert response.status_code == 401


def test_the_header_name_is_case_insensitive(world, api_key):
    client = V2Client(None)
    for name in ("x-api-key", "X-Api-Key", "X-API-KEY"):
        response = client.client.get("/api/v2/events/", headers={name: api_key})
        assert response.status_code == 200, name


def test_no_user_agent_is_needed(world, api_key):
    response = V2Client(api_key).client.get(
        "/api/v2/events/", headers={"X-API-Key": api_key}, HTTP_USER_AGENT=""
    )
    assert response.status_code == 200


def test_only_get(v2, world):
    response = v2.client.post("/api/v2/events/", {}, headers=v2.headers)
    assert response.status_code == 405
    assert response.json()["reason"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD"


def test_head_is_answered_like_get(v2, world):
    response = v2.client.head("/api/v2/events", headers=v2.headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_responses_vary_on_the_key(v2, world):
    assert "X-API-Key" in v2.get("/api/v2/events/")["Vary"]


def test_unknown_event_is_404_json(v2, db):
    response = v2.get("/api/v2/events/999999/presentations/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "reason": "not_found"}


@pytest.mark.parametrize("tail", ["groups", "attended_events", "presenter_events"])
def test_unknown_nickname_is_404_json(v2, db, tail):
    response = v2.get(f"/api/v2/users/nobody-here/{tail}")
    assert response.status_code == 404
    assert response.json()["reason"] == "not_found"


def test_a_deactivated_user_is_404(v2, world):
    User.objects.filter(nickname="haru860").update(is_active=False)
    assert v2.get("/api/v2/users/haru860/groups/").status_code == 404


# --- rate limit ---------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """A stopped clock for the rate limit's windows."""
    moment = {"now": 1_750_000_000.25}
    monkeypatch.setattr(ratelimit, "now", lambda: moment["now"])
    return moment


def test_default_rate_is_one_request_per_second(world, api_key, settings, clock):
    settings.KAISAI_API_V2_RATE = "1/s"
    client = V2Client(api_key)
    assert client.get("/api/v2/events/").status_code == 200
    refused = client.get("/api/v2/events")
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "Too many requests for this API key.",
        "reason": "rate_limited",
    }
    assert refused["Retry-After"] == "1"
    clock["now"] += 1
    assert client.get("/api/v2/events/").status_code == 200


def test_the_setting_default_is_one_per_second():
    from kaisai import settings as kaisai_settings

    assert parse_rate(kaisai_settings.KAISAI_API_V2_RATE) == Rate(1, 1)


def test_rate_is_counted_per_key(world, reader, api_key, settings, clock):
    settings.KAISAI_API_V2_RATE = "2/m"
    _, second_key = create_api_token(user=reader, name="second")
    first, second = V2Client(api_key), V2Client(second_key)
    assert [first.get("/api/v2/events/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v2/events/").status_code == 200
    assert first.get("/api/v2/groups/").status_code == 429  # one budget for all endpoints
    refused = first.get("/api/v2/users/")
    assert refused["Retry-After"] == str(60 - int(clock["now"] % 60))


def test_refused_requests_without_a_valid_key_do_not_count(world, api_key, settings, clock):
    settings.KAISAI_API_V2_RATE = "1/s"
    for _ in range(3):
        assert V2Client("wrong").get("/api/v2/events/").status_code == 401
    assert V2Client(api_key).get("/api/v2/events/").status_code == 200


def test_rate_limit_off(world, api_key, settings):
    settings.KAISAI_API_V2_RATE = "off"
    client = V2Client(api_key)
    assert {client.get("/api/v2/events/").status_code for _ in range(5)} == {200}


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("1/s", Rate(1, 1)),
        ("5/sec", Rate(5, 1)),
        ("60/m", Rate(60, 60)),
        ("60 / min", Rate(60, 60)),
        ("10/5s", Rate(10, 5)),
        ("1000/h", Rate(1000, 3600)),
        ("100000/d", Rate(100000, 86400)),
        ("0", None),
        ("off", None),
        ("", None),
        ("0/s", None),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "1/w", "s/1", "-1/s"])
def test_bad_rate_setting_says_how_to_write_it(text):
    with pytest.raises(ImproperlyConfigured, match="N/PERIOD"):
        parse_rate(text)


HUGE = "9" * 30


@pytest.mark.parametrize("param", ["event_id", "group_id", "start", "count"])
def test_numbers_too_large_for_the_database_are_400(v2, world, param):
    response = v2.get("/api/v2/events/", {param: HUGE})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [param]


def test_an_event_id_too_large_for_the_database_is_404(v2, world):
    assert v2.get(f"/api/v2/events/{HUGE}/presentations/").status_code == 404


@pytest.mark.parametrize("path", ["/api/v2/events/", "/api/v2/groups/", "/api/v2/users/"])
def test_a_start_far_beyond_the_results_is_an_empty_page(v2, world, path):
    body = v2.json(path, {"start": 2**62})
    assert body["results_returned"] == 0 and body["results_start"] == 2**62
