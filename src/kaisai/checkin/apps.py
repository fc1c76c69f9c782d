from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "kaisai.checkin"
    label = "checkin"

    def ready(self) -> None:
        """Tickets are issued at acceptance: a status listener of the registration core, and
        the same ticket as part of its PostgreSQL one-statement registration."""
        from kaisai.checkin import tickets
        from kaisai.registrations import hooks

        hooks.connect_status_listener(tickets.on_status_change, on_new=tickets.ticket_statement)
