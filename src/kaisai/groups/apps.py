from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "kaisai.groups"
    label = "groups"
    verbose_name = "Groups"
