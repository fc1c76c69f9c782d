"""The private calendar of one's own schedule (included at the site's root; its .ics is the
site's, kaisai.site.urls.feed_patterns), and a group's feeds (`group_patterns`, composed into
the groups namespace by kaisai/urls.py)."""

from django.urls import path

from kaisai.events import views_feeds

app_name = "feeds"
urlpatterns = [
    path("my/calendar/", views_feeds.my_calendar, name="my_calendar"),
    path("my/calendar/reset/", views_feeds.my_calendar_reset, name="my_calendar_reset"),
]

group_patterns = [
    path("<slug:slug>/events.ics", views_feeds.group_calendar, name="events_ics"),
    path("<slug:slug>/feed.atom", views_feeds.group_atom, name="feed_atom"),
]
