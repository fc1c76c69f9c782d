from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "kaisai.checkin"
    label = "checkin"

    def ready(self) -> None:
        from kaisai.checkin.selectors_pages import csv_columns
        from kaisai.registrations.csv_export import add_column_provider

        add_column_provider(csv_columns)
