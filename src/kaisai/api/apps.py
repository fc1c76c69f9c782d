from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kaisai.api"
    label = "api"
