from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalksConfig(AppConfig):
    name = "kaisai.talks"
    label = "talks"
    verbose_name = _("Talks")

    def ready(self) -> None:
        """Talks react to registrations through the registration core's hooks: an LT's state
        follows its seat, and a speakers' frame's proposal is written by talks. Messages to
        "the speakers" of an event get their recipients from talks."""
        from kaisai.notices.enums import Audience
        from kaisai.notices.selectors_messages import add_audience
        from kaisai.registrations import hooks
        from kaisai.talks.selectors_talks import seated_speakers, speakers_among
        from kaisai.talks.services import proposals, sync

        # A new registration's talk is written by the talk writer, after it (never on the
        # one-statement path, which does not take speakers' frames).
        hooks.connect_status_listener(
            sync.on_status_change, ignores_new=True, many=sync.on_statuses_change
        )
        hooks.connect_talk_writer(
            proposals.write_proposed_talk, check=proposals.check_proposal, exists=proposals.has_talk
        )
        add_audience(Audience.SPEAKERS, speakers_among)
        # Speakers of accepted or invited talks keep a speaker seat (docs/registration.md).
        hooks.connect_speaker_finder(seated_speakers)
