"""The management commands of the site: token (personal API tokens) and demo (the demo data)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.utils import timezone

from kaisai.accounts.models import ApiToken, User
from kaisai.accounts.selectors import user_for_api_token
from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.groups.models import Organizer
from kaisai.site.demo import generate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def parse_tokens(output: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in output.strip().splitlines())


# --- token --------------------------------------------------------------------------------


def test_token_create_prints_one_working_token_per_nickname():
    alice, bob = UserFactory(nickname="alice"), UserFactory(nickname="bob")

    tokens = parse_tokens(run("token", "create", "alice", "bob", "alice"))

    assert list(tokens) == ["alice", "bob"]
    assert user_for_api_token(tokens["alice"]) == alice
    assert user_for_api_token(tokens["bob"]) == bob
    assert ApiToken.objects.count() == 2


def test_token_create_unknown_nickname_is_an_error_and_creates_nothing():
    UserFactory(nickname="alice")
    with pytest.raises(CommandError, match="nobody"):
        run("token", "create", "alice", "nobody")
    assert ApiToken.objects.count() == 0
    assert not User.objects.filter(nickname="nobody").exists()


# Django closes the database connections when a command run from the command line ends; on
# PostgreSQL that would close the test transaction's connection, so these tests commit.
@pytest.mark.django_db(transaction=True)
def test_token_create_unknown_nickname_exits_non_zero_with_stderr(capsys):
    UserFactory(nickname="alice")
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["kaisai", "token", "create", "alice", "nobody"])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert "nobody" in captured.err
    assert captured.out == ""
    assert ApiToken.objects.count() == 0


def test_token_create_with_create_makes_missing_users():
    UserFactory(nickname="alice")

    tokens = parse_tokens(run("token", "create", "--create", "alice", "newbie"))

    newbie = User.objects.get(nickname="newbie")
    assert not newbie.has_usable_password()
    assert newbie.email == "newbie@example.invalid"
    assert user_for_api_token(tokens["newbie"]) == newbie
    assert user_for_api_token(tokens["alice"]).nickname == "alice"


def test_token_create_with_create_bad_nickname_creates_nothing():
    with pytest.raises(CommandError):
        run("token", "create", "--create", "good-one", "bad one!")
    assert not User.objects.filter(nickname="good-one").exists()
    assert ApiToken.objects.count() == 0


def test_token_create_many_users_in_bulk(django_assert_max_num_queries):
    nicknames = [f"load{n}" for n in range(1200)]
    with django_assert_max_num_queries(60):  # bulk: not two queries per user
        output = run("token", "create", "--create", *nicknames)
    tokens = parse_tokens(output)
    assert len(tokens) == 1200
    assert User.objects.filter(nickname__startswith="load").count() == 1200
    assert ApiToken.objects.count() == 1200
    assert user_for_api_token(tokens["load777"]).nickname == "load777"


# --- demo ---------------------------------------------------------------------------------


@pytest.fixture
def demo_output():
    return run("demo")


def test_demo_loads_mlct_with_organizers_and_events(demo_output):
    organizers = Organizer.objects.filter(group__slug="mlct")
    assert organizers.count() == 3
    roles = dict(organizers.values_list("user__nickname", "role"))
    assert roles["demo"] == Role.ORGANIZER
    assert list(roles.values()).count(Role.OWNER) == 1

    events = Event.objects.filter(group__slug="mlct")
    now = timezone.now()
    past = events.filter(ends_at__lt=now)
    upcoming = events.filter(starts_at__gt=now)
    assert sorted(past.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert list(upcoming.values_list("number", flat=True)) == [5]
    assert User.objects.count() >= 240
    assert "/groups/mlct/" in demo_output


def test_demo_is_idempotent(demo_output):
    counts = (User.objects.count(), Event.objects.count(), Organizer.objects.count())
    output = run("demo")
    assert "already loaded" in output
    assert (User.objects.count(), Event.objects.count(), Organizer.objects.count()) == counts


def test_demo_reset_reloads(demo_output):
    first_pk = User.objects.get(nickname="demo").pk
    counts = (User.objects.count(), Event.objects.count(), Organizer.objects.count())
    output = run("demo", "--reset")
    assert "Loaded the demo" in output
    assert (User.objects.count(), Event.objects.count(), Organizer.objects.count()) == counts
    assert User.objects.get(nickname="demo").pk != first_pk


def test_demo_reset_keeps_other_users(demo_output):
    UserFactory(nickname="real-person")
    run("demo", "--reset")
    assert User.objects.filter(nickname="real-person").exists()


def test_demo_user_can_log_in_with_printed_password(demo_output, client):
    password = demo_output.split("with password “")[1].split("”")[0]
    assert password == generate.DEFAULT_DEMO_PASSWORD
    response = client.post("/accounts/login/", {"login": "demo", "password": password})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(nickname="demo").pk


def test_demo_password_from_environment(monkeypatch, client):
    monkeypatch.setenv("KAISAI_DEMO_PASSWORD", "another-local-secret")
    output = run("demo")
    assert "another-local-secret" in output
    client.post("/accounts/login/", {"login": "demo", "password": "another-local-secret"})
    assert "_auth_user_id" in client.session


def test_demo_dates_are_relative_to_today(demo_output):
    upcoming = Event.objects.get(group__slug="mlct", number=5)
    local = upcoming.local_starts_at
    assert local.weekday() == 4
    assert (local.hour, local.minute) == (19, 30)
    assert timedelta(days=17) <= upcoming.starts_at - timezone.now() <= timedelta(days=25)
