"""accounts.models: `User.objects.get(pk=<int>)`, auth's read of the logged-in user on every
request, as one raw query — the same instance and errors as the ORM's; other lookups and the
related managers (which filter) stay the ORM's."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.accounts.models import User
from tests.factories import UserFactory


def test_get_by_id_is_the_orms_user_in_one_query(db):
    user = UserFactory(preferred_language="ja", last_login=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        mine = User.objects.get(pk=user.pk)
    assert len(queries) == 1
    assert "accounts_user" in queries[0]["sql"] and "JOIN" not in queries[0]["sql"]
    orm = User.objects.filter(pk=user.pk).get()
    for field in User._meta.concrete_fields:
        assert getattr(mine, field.attname) == getattr(orm, field.attname), field.name
    assert mine == orm and mine._state.adding is False and mine._state.db == "default"
    assert mine.check_password("correct horse battery")


def test_an_unknown_id_is_does_not_exist(db):
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=10**9)


def test_related_managers_and_other_lookups_still_filter(db):
    user = UserFactory()
    group = AuthGroup.objects.create(name="not theirs")
    with pytest.raises(User.DoesNotExist):
        group.user_set.get(pk=user.pk)  # a related manager: a subclass, the ORM's get
    assert User.objects.get(nickname=user.nickname) == user
    assert User.objects.get(pk=str(user.pk)) == user  # not an int: the ORM's


def test_a_deactivated_user_is_logged_out(db):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("home")).wsgi_request.user == user
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
