"""The private calendar of one's own schedule (included at the site's root)."""

from django.urls import path

from kaisai.events import views_feeds

app_name = "feeds"
urlpatterns = [
    path("my/calendar/", views_feeds.my_calendar, name="my_calendar"),
    path("my/calendar/reset/", views_feeds.my_calendar_reset, name="my_calendar_reset"),
    path("my/calendar/<str:token>.ics", views_feeds.my_calendar_ics, name="my_calendar_ics"),
]
