"""The site's pages, each in the namespace of the app it belongs to: kaisai/urls.py composes
them with the app's own patterns, so every URL path and name stays what it was
(`{% url 'events:detail' %}`, `groups:detail`, `accounts:profile`, `feeds:my_calendar_ics`)."""

from django.urls import path

from kaisai.site import (
    views,
    views_accounts,
    views_copy_next,
    views_data,
    views_events,
    views_feeds,
    views_forecast,
    views_groups,
    views_insights,
    views_publish,
    views_recaps,
)

home_patterns = [
    path("", views.home, name="home"),
]

# under events/ in the "events" namespace
event_patterns = [
    path("<int:pk>/", views_events.event_detail, name="detail"),
    path("<int:pk>/publish/", views_publish.event_publish, name="publish"),
    path("<int:pk>/copy/", views_copy_next.event_copy, name="copy"),
]

# under groups/ in the "groups" namespace (after the groups app's own "new/")
group_patterns = [
    path("", views_groups.group_list, name="list"),
    path("<slug:slug>/", views_groups.group_detail, name="detail"),
    path("<slug:slug>/forecast/", views_forecast.group_forecast_history, name="forecast_history"),
    path(
        "<slug:slug>/forecast.csv",
        views_forecast.group_forecast_history_csv,
        name="forecast_history_csv",
    ),
    path("<slug:slug>/insights/", views_insights.group_insights_page, name="insights"),
    path(
        "<slug:slug>/insights/<slug:key>.csv",
        views_insights.group_insights_csv,
        name="insights_csv",
    ),
]

# at the root in the "registrations" namespace (the event's management pages)
registration_patterns = [
    path("events/<int:pk>/manage/forecast/", views_forecast.event_forecast, name="forecast"),
    path("events/<int:pk>/manage/insights/", views_insights.event_insights_page, name="insights"),
    path(
        "events/<int:pk>/manage/insights/<slug:key>.csv",
        views_insights.event_insights_csv,
        name="insights_csv",
    ),
]

# at the root in the "accounts" namespace
account_patterns = [
    path("user/<str:nickname>/", views_accounts.profile, name="profile"),
    path("settings/data/", views_data.data, name="data"),
    path("settings/data/export.json", views_data.data_export, name="data_export"),
    path("settings/data/delete/", views_data.data_delete, name="data_delete"),
]

# at the root in the "feeds" namespace
feed_patterns = [
    path("my/calendar/<str:token>.ics", views_feeds.my_calendar_ics, name="my_calendar_ics"),
]

# at the root in the "recaps" namespace
recap_patterns = [
    path("events/<int:pk>/recap/", views_recaps.recap_detail, name="detail"),
    path("events/<int:pk>/recap/edit/", views_recaps.recap_edit, name="edit"),
    path("events/<int:pk>/recap/draft/", views_recaps.recap_draft, name="draft"),
    path("events/<int:pk>/recap/publish/", views_recaps.recap_publish, name="publish"),
    path("events/<int:pk>/recap/posts/", views_recaps.external_add, name="external_add"),
    path(
        "recap-posts/<int:external_id>/remove/",
        views_recaps.external_remove,
        name="external_remove",
    ),
]
