"""The connection's health check only after a pause (core/db_health.py), through the request
signals Django sends."""

from __future__ import annotations

from time import monotonic

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

from kaisai.core import db_health


@pytest.fixture
def _signals_without_closing():
    """Django's close_old_connections would close the test's transaction (as its test
    client also keeps it from doing); the check's flag is reset by hand instead."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_signals_without_closing")
def test_a_connection_used_a_moment_ago_is_not_checked_again(db):
    connection.ensure_connection()
    request_finished.send(sender=None)
    connection.health_check_done = False  # as close_old_connections leaves it
    request_started.send(sender=None)
    assert connection.health_check_done is True


@pytest.mark.usefixtures("_signals_without_closing")
def test_after_a_pause_the_connection_is_checked(db):
    connection.ensure_connection()
    request_finished.send(sender=None)
    setattr(connection, db_health._USED_AT, monotonic() - db_health.FRESH_SECONDS - 0.1)
    connection.health_check_done = False
    request_started.send(sender=None)
    assert connection.health_check_done is False


@pytest.mark.usefixtures("_signals_without_closing")
def test_a_connection_never_used_by_a_request_is_checked(db):
    connection.ensure_connection()
    if hasattr(connection, db_health._USED_AT):
        delattr(connection, db_health._USED_AT)
    connection.health_check_done = False
    request_started.send(sender=None)
    assert connection.health_check_done is False
