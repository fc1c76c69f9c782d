from django.apps import AppConfig


class ForecastConfig(AppConfig):
    name = "kaisai.forecast"
    label = "forecast"

    def ready(self) -> None:
        """The registration core asks the forecast how many to accept in fill-the-room mode
        (`registrations.hooks.connect_accept_planner`, added by the fill-the-room branch)."""
        from kaisai.forecast import planner
        from kaisai.registrations import hooks

        connect = getattr(hooks, "connect_accept_planner", None)
        if connect is not None:
            connect(planner.recommended_accept_for)
