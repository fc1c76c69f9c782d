"""The registrations CSV: BOM, Japanese intact, event time zone, answers, formula injection."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from kaisai.registrations import services
from kaisai.registrations.csv_export import safe_cell
from kaisai.registrations.models import Registration
from kaisai.registrations.services.questions import create_question
from tests.conftest import login
from tests.factories import UserFactory


def csv_url(event, query: str = "") -> str:
    return reverse("registrations:csv", kwargs={"pk": event.pk}) + query


def read_rows(response) -> tuple[str, list[list[str]]]:
    text = response.content.decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def exported(client, organizer, event, make_frame, people):
    frame = make_frame(capacity=1, name="一般枠")
    drink = create_question(
        event=event, by=organizer, label="飲み物", kind="multiple", choices="ビール\nお茶"
    )
    job = create_question(event=event, by=organizer, label="Job")
    hanako = UserFactory(nickname="hanako", display_name="山田花子", email="hanako@example.jp")
    evil = UserFactory(nickname="evil", display_name='=HYPERLINK("http://x")', email="e@x.jp")
    first = services.register(
        frame=frame, user=hanako, answers={drink.pk: ["ビール", "お茶"], job.pk: "研究者"}
    )
    second = services.register(frame=frame, user=evil, answers={job.pk: "@SUM(A1:A2)"})
    Registration.objects.filter(pk=first.pk).update(
        created_at=datetime(2030, 5, 1, 15, 30, tzinfo=UTC)
    )
    login(client, organizer)
    return first, second


def test_csv_starts_with_bom_and_keeps_japanese(client, event, exported):
    response = client.get(csv_url(event))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    text, rows = read_rows(response)
    assert text[0] == "\ufeff"
    header, first, second = rows
    assert header == [
        "Registration ID", "Nickname", "Display name", "E-mail", "Frame", "Status",
        "Waitlist position", "Standby at the door", "Nominated", "After-party", "Registered at",
        "Checked in", "Checked in at", "Receipt number", "飲み物", "Job",
    ]  # fmt: skip
    hanako, evil = exported
    assert first == [
        str(hanako.pk),
        "hanako",
        "山田花子",
        "hanako@example.jp",
        "一般枠",
        "Accepted",
        "",
        "no",
        "no",
        "no",
        "2030-05-02 00:30",
        "no",
        "",
        "1",
        "ビール; お茶",
        "研究者",
    ]  # fmt: skip (receipt number 1: the ticket is issued at acceptance)
    assert second[5:7] == ["Waitlisted", "1"]


def test_csv_neutralises_formulas(client, event, exported):
    _text, rows = read_rows(client.get(csv_url(event)))
    second = rows[2]
    assert second[2] == '\'=HYPERLINK("http://x")'
    assert second[-1] == "'@SUM(A1:A2)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_csv_honours_list_filters(client, event, exported):
    _text, rows = read_rows(client.get(csv_url(event, "?status=waitlisted")))
    assert [row[1] for row in rows[1:]] == ["evil"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81 3", "'+81 3"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("safe = text", "safe = text"),
        ("", ""),
        (42, 42),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
