from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "kaisai.registrations"
    label = "registrations"

    def ready(self) -> None:
        from kaisai.core import bulkmail
        from kaisai.core.metrics import add_source
        from kaisai.events.search import set_participant_filter
        from kaisai.registrations import metrics
        from kaisai.registrations.selectors import has_participants
        from kaisai.registrations.services import drawmails

        set_participant_filter(has_participants)
        add_source(metrics.families)
        bulkmail.register(drawmails.SOURCE, drawmails.expand)
