from django.urls import path

from kaisai.events import views, views_feeds, views_search

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("search/", views_search.search, name="search"),
    path("search/feed.atom", views_feeds.search_atom, name="search_atom"),
    path("new/<slug:group_slug>/", views.event_create, name="create"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<int:pk>/postpone/", views.event_postpone, name="postpone"),
    path("<int:pk>/event.ics", views.event_ics, name="ics"),
]
