from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "kaisai.checkin"
    label = "checkin"

    def ready(self) -> None:
        """Tickets are issued at acceptance: a status listener of the registration core, and
        the same ticket as part of its PostgreSQL one-statement registration. The registrations
        CSV gets the check-in columns from here."""
        from kaisai.checkin import tickets
        from kaisai.checkin.selectors_pages import csv_columns
        from kaisai.registrations import hooks
        from kaisai.registrations.csv_export import add_column_provider

        hooks.connect_status_listener(
            tickets.on_status_change,
            on_new=tickets.ticket_statement,
            many=tickets.on_statuses_change,
        )
        add_column_provider(csv_columns)
