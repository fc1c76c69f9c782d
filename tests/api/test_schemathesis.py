"""schemathesis over /api/v1/: generated requests for every operation of the OpenAPI document,
with and without an organizer's token, against the WSGI app on the test database. Asserted:
no server error (5xx), and every response (of any status) matches the documented schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kaisai.accounts.services import create_api_token
from kaisai.registrations import services
from tests.factories import EventFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def _keep_the_test_connection():
    """Django closes the database connection when a request ends (request_finished); the test
    client switches that off, schemathesis's WSGI calls do not. The test transaction lives on
    that connection, so keep it open while the generated requests run."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(db, group, organizer, _keep_the_test_connection):
    """Some data for the generated ids to hit (ids 1, 2, … exist)."""
    event = EventFactory(group=group)
    services.create_frame(event=event, by=organizer, capacity=2, name="General")
    services.create_frame(event=event, by=organizer, capacity=1, name="LT", method="approval")
    for _ in range(3):
        services.register(frame=event.frames.first(), user=UserFactory())
    MaterialFactory(talk=TalkFactory(event=event, speaker=UserFactory()))


@pytest.fixture
def organizer_headers(organizer):
    return {"Authorization": f"Bearer {create_api_token(user=organizer, name='st')[1]}"}


# The OpenAPI document is read from the app itself (no database needed for it).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


SETTINGS = settings(
    max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


@schema.parametrize()
@SETTINGS
def test_api_v1_anonymous(case, api_data):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_api_v1_with_an_organizers_token(case, api_data, organizer_headers):
    case.call_and_validate(headers=organizer_headers, checks=CHECKS)
