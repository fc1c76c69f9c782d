from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """The organizer's insights (issue 15): numbers read from registrations and check-ins, no
    models of its own (docs/insights.md)."""

    name = "kaisai.insights"
    label = "insights"
