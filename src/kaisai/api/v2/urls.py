"""/api/v2/: every path answers with and without its trailing slash (no redirect), because
connpass clients differ (the Ruby gem sends `events/`, the Python, Node and Go ones `events`)."""

from django.urls import re_path

from kaisai.api.v2 import views

app_name = "api-v2"

NICKNAME = r"(?P<nickname>[A-Za-z0-9_-]+)"

urlpatterns = [
    re_path(r"^events/?$", views.events, name="events"),
    re_path(
        r"^events/(?P<pk>[0-9]+)/presentations/?$",
        views.event_presentations,
        name="event_presentations",
    ),
    re_path(r"^groups/?$", views.groups, name="groups"),
    re_path(r"^users/?$", views.users, name="users"),
    re_path(rf"^users/{NICKNAME}/groups/?$", views.user_groups, name="user_groups"),
    re_path(
        rf"^users/{NICKNAME}/attended_events/?$",
        views.user_attended_events,
        name="user_attended_events",
    ),
    re_path(
        rf"^users/{NICKNAME}/presenter_events/?$",
        views.user_presenter_events,
        name="user_presenter_events",
    ),
]
