from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "kaisai.checkin"
    label = "checkin"
