from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "kaisai.registrations"
    label = "registrations"
