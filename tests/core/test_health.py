"""/healthz, /readyz and /metrics: cheap, honest, and closed to the public."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kaisai.core import heartbeat
from kaisai.core.models import OutboxMail, WorkerHeartbeat
from kaisai.registrations import services
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db
PROXIED = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_is_ready_with_a_recent_worker(client):
    heartbeat.beat("worker-1")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": True, "migrations": True, "cache": True, "worker": True},
    }


def test_readyz_without_a_worker_is_not_ready_and_tells_the_public_nothing_more(client):
    WorkerHeartbeat.objects.create(name="old", seen_at=timezone.now() - timedelta(minutes=10))
    operator = client.get("/readyz")
    assert operator.status_code == 503
    assert operator.json()["checks"]["worker"] is False
    public = client.get("/readyz", **PROXIED)
    assert public.status_code == 503
    assert public.json() == {"status": "not ready"}
    stranger = client.get("/readyz", REMOTE_ADDR="203.0.113.9")
    assert stranger.json() == {"status": "not ready"}


def test_metrics_count_what_happens(client, group, organizer):
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=1, name="General")
    frame.event = event
    heartbeat.beat("worker-1")
    before = _value(client, 'kaisai_registrations_total{result="accepted"}')
    services.register(frame=frame, user=UserFactory())
    services.register(frame=frame, user=UserFactory())  # waitlisted
    text = client.get("/metrics").content.decode()
    assert _parse(text, 'kaisai_registrations_total{result="accepted"}') == before + 1
    assert _parse(text, 'kaisai_registrations_total{result="waitlisted"}') >= 1
    pending = OutboxMail.objects.filter(state=OutboxMail.State.PENDING).count()
    assert _parse(text, "kaisai_outbox_pending") == pending
    assert _parse(text, "kaisai_worker_heartbeat_age_seconds") < 60
    for name in (
        "kaisai_outbox_oldest_pending_age_seconds",
        "kaisai_worker_lag_seconds",
        "kaisai_tasks_ready",
        "kaisai_lottery_draws_total",
        "kaisai_http_request_duration_seconds_bucket",
    ):
        assert name in text, name


def test_metrics_refuse_the_public_and_anything_through_the_proxy(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    # nginx on the same machine connects from loopback, but says whom it relays
    assert client.get("/metrics", **PROXIED).status_code == 404
    assert client.get("/metrics", HTTP_FORWARDED="for=198.51.100.7").status_code == 404
    assert client.get("/metrics").status_code == 200


def test_metrics_allow_list_is_a_setting(client, settings):
    settings.KAISAI_METRICS_ALLOW = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_heartbeats_forget_long_gone_workers():
    now = timezone.now().replace(second=30)
    WorkerHeartbeat.objects.create(name="gone", seen_at=now - timedelta(days=2))
    with time_machine.travel(now, tick=False):
        heartbeat.beat("alive")  # not in a minute's first seconds: no clean-up
    assert WorkerHeartbeat.objects.filter(name="gone").exists()
    with time_machine.travel(now.replace(second=2), tick=False):
        heartbeat.beat("alive")
    assert set(WorkerHeartbeat.objects.values_list("name", flat=True)) == {"alive"}
    assert heartbeat.last_beat() == now.replace(second=2)


def _parse(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


def _value(client, series: str) -> float:
    return _parse(client.get("/metrics").content.decode(), series)


def _settings_process(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "SECRET_KEY": "test",
        "KAISAI_DATA_DIR": tempfile.gettempdir(),
        **env,
    }
    environment.pop("KAISAI_TESTING", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env={**environment, "DJANGO_SETTINGS_MODULE": "kaisai.settings"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_json_logs_on_request():
    done = _settings_process(
        "import logging; logging.getLogger('kaisai.x').warning('hello %s', 'there')",
        KAISAI_LOG_FORMAT="json",
    )
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert (line["message"], line["levelname"], line["name"]) == (
        "hello there",
        "WARNING",
        "kaisai.x",
    )


def test_sentry_is_off_unless_its_dsn_is_set():
    code = "import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    assert _settings_process(code).stdout.strip() == "False"
    on = _settings_process(code, SENTRY_DSN="https://public@127.0.0.1:9/1")
    assert on.stdout.strip() == "True", on.stderr
