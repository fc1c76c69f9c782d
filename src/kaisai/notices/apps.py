from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "kaisai.notices"
    label = "notices"
    verbose_name = _("Mail and notices")

    def ready(self) -> None:
        from kaisai.core import outbox
        from kaisai.events import hooks
        from kaisai.notices.services import group_notices
        from kaisai.notices.unsubscribe import unsubscribe_headers

        outbox.add_header_provider(unsubscribe_headers)
        hooks.on_published(group_notices.event_published)
