"""Every editor of Markdown text says that HTML is not allowed (raw tags show as text)."""

import pytest

from kaisai.events.forms import EventForm
from kaisai.groups.forms import GroupEditForm
from kaisai.notices.forms_messages import MessageForm
from kaisai.talks.forms_talks import TalkForm


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (EventForm, "description"),
        (EventForm, "participant_info"),
        (GroupEditForm, "description"),
        (MessageForm, "body"),
        (TalkForm, "abstract"),
    ],
)
def test_markdown_fields_say_html_is_not_allowed(form, field):
    help_text = str(form.base_fields[field].help_text)
    assert "Markdown" in help_text
    assert "HTML tags are not allowed" in help_text
