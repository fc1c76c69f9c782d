from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaisai.accounts"
    label = "accounts"
