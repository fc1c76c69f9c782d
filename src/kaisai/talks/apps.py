from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalksConfig(AppConfig):
    name = "kaisai.talks"
    label = "talks"
    verbose_name = _("Talks")

    def ready(self) -> None:
        from kaisai.notices.enums import Audience
        from kaisai.notices.selectors_messages import add_audience
        from kaisai.talks.selectors_talks import speakers_among

        add_audience(Audience.SPEAKERS, speakers_among)
