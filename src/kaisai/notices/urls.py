"""Reminders and reconfirmation, messages and mail settings, webhooks: a URL module each."""

from kaisai.notices.urls_messages import urlpatterns as messages
from kaisai.notices.urls_reminders import urlpatterns as reminders
from kaisai.notices.urls_webhooks import urlpatterns as webhooks

app_name = "notices"
urlpatterns = reminders + messages + webhooks
