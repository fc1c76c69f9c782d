from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaisai.core"
    label = "core"
