from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kaisai.events"
    label = "events"
