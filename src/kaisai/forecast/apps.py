from django.apps import AppConfig


class ForecastConfig(AppConfig):
    name = "kaisai.forecast"
    label = "forecast"

    def ready(self) -> None:
        """The registration core asks the forecast how many to accept in fill-the-room mode
        (`registrations.hooks.connect_accept_planner`)."""
        from kaisai.forecast import planner
        from kaisai.registrations import hooks

        hooks.connect_accept_planner(planner.recommended_accept_for)
